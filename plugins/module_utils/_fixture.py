# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The manager of ``iris_fixture``: validate, export, restore and remove ``IRIS.DAT`` fixtures.
The fixture code is split by concern: the manifest and the offline validation of a fixture directory are
``_manifest``; hashing and atomic files ``_files``; the instance lock ``_fixture_lock``; the verified-checksum cache
of ``state=validated`` ``_fixture_cache``; this file is the manager.  It reaches the instance only through the access
layer (``BaseManager.instance``, ``_instance``): programs in ``%SYS`` through ``instance.transport``, files in and
out through ``_copy``, the temp-file listing through ``_copy.temp_files`` - the same code for a container, a local
instance and ``transport: native``.  Everything inside IRIS is a program of ``_objectscript`` templates (section ``_fixture.py``), run in
``%SYS`` (iris-sources.md §0.2).

What the predecessor got wrong and how this file avoids it (iris-sources.md LESSONS §4):

* Export never copies a mounted database: the globals database is dismounted, copied and mounted
  again (iris-sources.md §0.6, §3.4 S23); the mount is restored in a ``finally`` whatever failed.
* Restore always creates a NEW database and a NEW namespace whose globals AND routines database is the
  restored one (not USER), mounts it explicitly after ``Config.Databases.Create`` (which writes the
  configuration only, §0 item 5; the file is already there) and verifies every manifest table's row
  count through SQL in that namespace before it records success.  No silent skip: a namespace that
  exists without our record is an error, one with a different fixture is reloaded or an error.
* Everything a restore creates is written down first (the record ``^IrisDevTools("fixture",<ns>)``,
  status ``restoring``), so a failure rolls back exactly that, and ``state: absent`` removes it all
  even after a crash (namespace, database definition, mount, file, directory, record), plus the temp
  file an interrupted upload may leave in a database directory we did not create (listed afterwards).

Checksum (issue #5 items 4 and 9, issue 11 item 2): manifest, presence and size are checked before anything
else.  A restore installs only bytes that match the manifest: the copy hashes the bytes as it sends them (one
read of IRIS.DAT, ``_files.StreamDigest`` beside the send) and renames them onto IRIS.DAT only when the SHA-256
is the manifest's, before anything is mounted; a mismatch (a damaged file, or one changed during the copy)
removes the temp copy and rolls the restore back.  An unchanged re-run never reads the file, so its time does
not depend on the fixture size.  Check mode hashes in a background thread (``_files.Sha256Job``) beside the read
session to predict a mismatch.  For a FRESH restore (no record, namespace, database definition or IRIS.DAT of the
target) the read session of a real run also prepares it (writes the ``restoring`` record, creates the directory:
``fixture_prepare_fresh``); that exposes no data, and a mismatch (or any failure before the apply) rolls it back
with ``fixture_drop``.  A reload removes a good old fixture, so it hashes the file once before its prepare step too
(a damaged fixture leaves the old one in place) - and the copy verifies what it sends again.  A repair (the leftovers
of a failed restore) relies on the copy's check alone.

Reload is NOT transactional (a choice by risk; documented in the ``reload`` option and said in
``actions`` and in the error): the new fixture's checksum and the target guards pass first, then the
prepare program removes the old fixture and the new one is restored under the same names; a failure
after that leaves the namespace without a fixture.  Keeping the old one until the new one verifies would
need a second database name or a live switch of a namespace's databases (``Config.Namespaces.Modify``
while sessions use it), whose behaviour the sources in docs/iris-sources.md do not document.

Restore is three steps whose failure leaves a known state: (1) prepare - write the ``restoring``
record and create the directory (a fresh restore: at the end of the read session; a reload or repair:
a ``prepare`` program - for a reload after the checksum - that first removes the old fixture and checks the target is
free); (2) copy the file in; (3) ``apply`` program - define the database, mount it, create the
namespace, count the rows, write the ``present`` record.  Any failure after (1) ran runs the
``fixture_drop`` program (best effort, then a listing of what is left); ``fixture_prepare_fresh`` undoes
itself when it fails half-way.

Sessions: a run that changes nothing opens one IRIS session (export of an existing fixture: none).
A fresh restore opens two (read+prepare, apply: the copy sits between them), a reload or repair three
(read, prepare, apply), an export three (read, count+dismount, mount), a removal two (plus the temp-file listing,
``_copy.temp_files``: one ``sh`` command beside IRIS, or over native a few Native API calls on the module's
connection).  A failed restore adds one for the rollback.

Concurrency: two runs against one instance from the same host are serialized by ``_fixture_lock.instance_lock``
keyed by ``instance.identity()``, held from the first read to the end.  An IRIS ``LOCK`` cannot span the file copy
(it ends with the session), so across hosts the apply program's guards (namespace/database must not exist) make the
later run fail cleanly instead.

Validation (``state=validated``) hashes ``IRIS.DAT`` unless ``_fixture_cache`` proves it unchanged since a hash that
matched (option ``verify_checksum``): the roles' validate step then costs two ``stat`` calls on an unchanged fixture
(issue 12 item 4).  A restore never relies on that cache: it hashes the bytes it sends.
"""

from __future__ import annotations

import os
import re

from ansible_collections.iris_devtools.iris.plugins.module_utils import (
    _argspec,
    _copy,
    _files,
    _fixture_cache,
    _fixture_lock,
    _manifest,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import DEFAULT_NAMESPACE, DEFAULT_TIMEOUT, SYS_NAMESPACE
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import BaseManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program, record_text, record_value

STATES = ("present", "absent", "exported", "validated")
RELOAD = ("never", "on_change", "always")
# state=validated: hash IRIS.DAT unless the verified cache proves it unchanged (cached), on every run (always), or
# never (manifest, presence and size only).
VERIFY_CHECKSUM = ("cached", "always", "never")
RECORD_AREA = "fixture"
# Namespace and database names we create: letters, digits and "_" (no "%": system names; no "-"), at most 63
# characters (SQL CREATE DATABASE name rules, iris-sources.md §3.3 S24, as a safe common subset) [inf].  Every pattern
# of this file is anchored with \A and \Z: "$" alone would accept a trailing line feed.
NAME_RE = re.compile(r"\A[A-Za-z][A-Za-z0-9_]{0,62}\Z")
# iris-sources.md §3.1 S20: these exist even when not listed; never export or replace them.
SYSTEM_DATABASES = ("IRISSYS", "IRISLIB", "IRISTEMP", "IRISAUDIT")
# Guards of the prepare program: when one of them fails, this run created nothing, so no rollback.
_GUARDS = ("fixture_assert_free", "fixture_assert_no_dat")
# Temp files this collection writes next to a database file: Docker uploads (_copy.upload_file) and local copies
# (_files.copy_atomic), both through _copy.put_file.  An interrupted copy (the container stopped, the host process was
# killed) can leave one.
TEMP_PREFIXES = (_copy.UPLOAD_PREFIX, _files.TEMP_PREFIX)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
def check_name(value, option):
    """Upper-cased IRIS name for a namespace/database option, or IrisModuleError (the shared message style)."""
    _argspec.refuse_unless(value, option, NAME_RE, 63,
                           "use letters, digits and '_' (starting with a letter, at most 63 characters), e.g. FIXTURE_ORDERS")
    return value.upper()


# Labels this module writes into a manifest (fixture_id, version): plain words, no spaces.
FIXTURE_ID_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\Z")
VERSION_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}\Z")
# database_dir reaches a CPF line ([Databases] NAME=directory,...: a comma or a line break would add fields or lines,
# issue 11 item 1), %File calls and the temp-file script's argv.  Letters, digits, space and "_ . - + @ /" only; no "." or
# ".." component (NormalizeDirectory would resolve it outside the named place); at most 200 characters
# [inf: IRIS's own limit on a directory name is not in the sources; 200 stays well below PATH_MAX].
DATABASE_DIR_RE = re.compile(r"\A[A-Za-z0-9 _.+@/-]+\Z")
DATABASE_DIR_LIMIT = 200
PATH_LIMIT = 4096
# Free text (a path on the host, the description): any character but a control character, up to a length.
_PATH_RE = re.compile(r"\A[^\x00-\x1f\x7f-\x9f]{1,%d}\Z" % PATH_LIMIT)
_DESCRIPTION_RE = re.compile(r"\A[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]{0,%d}\Z" % _manifest.TEXT_LIMIT_LONG)
_DESCRIPTION_CONTROLS = "\t\n\r"
_DATABASE_DIR_TEXT_RE = re.compile(r"\A[^\x00-\x1f\x7f-\x9f]{1,%d}\Z" % DATABASE_DIR_LIMIT)


def check_database_dir(value):
    """database_dir as given (absolute, or relative to the instance's mgr/ directory), or IrisModuleError."""
    hint = ("give an absolute directory such as /usr/irissys/mgr/fixture_orders or a name under mgr/ such as "
            "fixture_orders, made of letters, digits, spaces and '_ . - + @ /', at most %d characters" % DATABASE_DIR_LIMIT)
    # Empty, too long, control characters: the shared rule and message (the rest of _what_is_wrong assumes a name).
    _argspec.refuse_unless(value, "database_dir", _DATABASE_DIR_TEXT_RE, DATABASE_DIR_LIMIT, hint)
    reason = None
    if not value.strip("/"):
        reason = "it is not a database directory"
    elif not DATABASE_DIR_RE.match(value):
        bad = sorted(set(c for c in value if not DATABASE_DIR_RE.match(c)))
        reason = "it contains %s, not allowed in a database directory" % ", ".join(repr(c) for c in bad)
    elif any(part in (".", "..") for part in value.split("/")):
        reason = "it has a '.' or '..' component"
    if reason is not None:
        _argspec.refuse("database_dir", value, reason, hint)
    return value


def validate_params(params):
    """The string options of iris_fixture checked for what they are, before anything is read or changed (issue 11
    item 1), in the message style of the shared options.  The shared ones (instance, namespace, container, docker_host,
    timeout) are checked by ``_argspec.validate_common`` first (``_module.run_module``); a namespace or database the
    module creates is checked again where it is used (``check_name``: the stricter NAME_RE)."""
    if params.get("path"):  # an empty path: the state's own "needs the path option"
        _argspec.refuse_unless(params["path"], "path", _PATH_RE, PATH_LIMIT,
                               "give the fixture directory as a plain path on the host that runs the module")
    if params.get("database") is not None:
        check_name(params["database"], "database")
    if params.get("database_dir") is not None:
        check_database_dir(params["database_dir"])
    _argspec.refuse_unless(params.get("fixture_id"), "fixture_id", FIXTURE_ID_RE, 128,
                           "use letters, digits and '_ . -' (starting with a letter or digit, at most 128 characters), e.g. orders")
    _argspec.refuse_unless(params.get("version"), "version", VERSION_RE, 64,
                           "use letters, digits and '_ . - +' (starting with a letter or digit, at most 64 characters), e.g. 2.1.0")
    if params.get("description"):
        _argspec.refuse_unless(params["description"], "description", _DESCRIPTION_RE, _manifest.TEXT_LIMIT_LONG,
                               "write the description as plain text (line breaks and tabs are allowed), at most %d characters"
                               % _manifest.TEXT_LIMIT_LONG, allowed_controls=_DESCRIPTION_CONTROLS)


def _dir(text):
    """A directory as IRIS writes it: with a trailing slash."""
    return text if not text or text.endswith("/") else text + "/"


_UNREADABLE = {"status": "unreadable", "raw": True}


def _sentence(text):
    text = (text or "").rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _fixture_message(exc):
    """The text of an IrisDevToolsFixture exception thrown by our templates (else the error's msg)."""
    data = exc.details.get("iris_error_data")
    if exc.details.get("iris_error") in ("IrisDevToolsFixture",) and data:
        return data
    return exc.msg


# ---------------------------------------------------------------------------------------------
# The manager
# ---------------------------------------------------------------------------------------------
class FixtureManager(BaseManager):
    """``Manager(module)`` for ``_module.run_module``; ``instance`` may be injected (tests).  The instance is built on
    first use (``BaseManager.instance``), so ``state=validated`` never reaches one (nor needs the Docker SDK)."""

    # -- plumbing ---------------------------------------------------------------------------------
    def lock(self):
        """The instance lock (``_fixture_lock``), keyed by ``instance.identity()``: for Docker the engine's daemon ID,
        the container's ID and the instance - never docker_host as written (two URLs of one engine are one lock; issue
        11 item 3)."""
        return _fixture_lock.instance_lock(self.instance.identity(), int(self.params.get("timeout") or DEFAULT_TIMEOUT))

    def run_program(self, program):
        return self.instance.transport(SYS_NAMESPACE).run(program)

    def result(self, changed=None, **values):
        """``BaseManager.result`` with the state worked on and the IRIS sessions opened (RETURN ``state``,
        ``iris_sessions``).  ``changed`` is given by every caller: a reload (reload=always) changes the instance
        without a difference in the diff."""
        return super(FixtureManager, self).result(changed, state=self.params["state"], iris_sessions=self.sessions, **values)

    def run(self):
        state = self.params["state"]
        validate_params(self.params)
        if state == "validated":
            return self.validated()
        if state == "exported":
            return self.exported()
        namespace = self.params.get("namespace")
        if not namespace:
            raise IrisModuleError("state=%s needs the namespace option." % state, hint="set namespace to the fixture's namespace")
        if state == "present":
            return self.present()
        return self.absent()

    # -- validated ----------------------------------------------------------------------------------
    def validated(self):
        path = self._path()
        manifest, dat_path = _manifest.validate_fixture(path, verify_checksum=False)
        verified, cache_error = self._verify(manifest, dat_path, _manifest.path_of(path))
        ident = _manifest.identity(manifest)
        self.diff.add("fixture", ident, ident)
        extra = dict(checksum_cache_error=cache_error) if cache_error else {}
        return self.result(False, fixture_path=path, dat_path=dat_path, manifest=manifest, fixture=ident,
                           checksum_verified=verified, **extra)

    def _verify(self, manifest, dat_path, manifest_path):
        """The checksum step of state=validated: ``(how, cache error)``, how being ``hashed`` (read and compared),
        ``cached`` (``_fixture_cache`` proves the file unchanged since a hash that matched) or ``skipped``
        (verify_checksum=never); a mismatch raises "Checksum mismatch"."""
        policy = self.params.get("verify_checksum") or "cached"
        if policy == "never":
            return "skipped", None
        if policy == "cached" and _fixture_cache.lookup(dat_path, manifest_path, manifest["checksum"]):
            return "cached", None
        before = _fixture_cache.fingerprint(dat_path, manifest_path)
        _manifest.check_checksum(manifest, dat_path, _files.sha256_file(dat_path))
        # Remembered after a match only (always too: the next cached run then skips the hash).
        return "hashed", _fixture_cache.remember(dat_path, manifest_path, manifest["checksum"], before)

    def _path(self):
        path = self.params.get("path")
        if not path:
            raise IrisModuleError("state=%s needs the path option." % self.params["state"],
                                  hint="set path to the fixture directory (it holds manifest.json and IRIS.DAT)")
        return os.path.abspath(path)

    # -- names of the restore target ----------------------------------------------------------------
    def _target_names(self):
        namespace = check_name(self.params["namespace"], "namespace")
        if namespace in (DEFAULT_NAMESPACE, SYS_NAMESPACE):
            raise IrisModuleError("iris_fixture does not restore into namespace %s." % namespace,
                                  hint="restore into a namespace of its own, e.g. namespace: FIXTURE_%s" % namespace)
        database = check_name(self.params.get("database") or namespace, "database")
        if database in SYSTEM_DATABASES or database == "USER":
            raise IrisModuleError("iris_fixture does not replace database %s." % database,
                                  hint="choose another database name (the default is the namespace name)")
        directory = self.params.get("database_dir") or database.lower()
        return namespace, database, directory

    def _read_target(self, namespace, database, directory, prepare=None):
        """One session: ``(target, record, prepared)``.  With ``prepare`` (the 'restoring' record of a restore, without
        directory and created_dir) the session ends with ``fixture_prepare_fresh``: when the target is entirely free it
        writes that record and creates the directory, and ``prepared`` is the record written; else ``prepared`` is None
        and nothing was changed."""
        program = Program()
        program.add("fixture_target_read", key="target", namespace=namespace, database=database, directory=directory)
        program.add("state_get", key="record", area=RECORD_AREA, name=namespace)
        if prepare is not None:
            program.add("fixture_prepare_fresh", key="prepared", namespace=namespace, database=database, directory=directory,
                        area=RECORD_AREA, value=record_text(prepare))
        try:
            result = self.run_program(program)
        except IrisModuleError as exc:
            if exc.details.get("iris_step") == "fixture_prepare_fresh":
                # The step removes its record and directory again before it fails (see the template).
                raise IrisModuleError(
                    "Could not prepare the restore into namespace %s: %s Everything this run created was removed again." % (
                        namespace, _sentence(_fixture_message(exc))),
                    hint=exc.hint or "see the error above", **exc.details)
            raise
        prepared = result.get("prepared")
        return result.get("target") or {}, record_value(result.get("record"), _UNREADABLE), prepared if isinstance(prepared, dict) else None

    @staticmethod
    def _summary(record):
        if not record:
            return None
        return dict((k, record.get(k)) for k in ("namespace", "database", "directory", "status", "fixture"))

    # -- present (restore) --------------------------------------------------------------------------
    def present(self):
        namespace, database, dir_option = self._target_names()
        path = self._path()
        # Manifest, file presence and size first (cheap); the file itself is read only when a copy follows, so an
        # unchanged re-run never reads it (issue #5 item 9: its time does not depend on the fixture size).
        manifest, dat_path = _manifest.validate_fixture(path, verify_checksum=False)
        ident = _manifest.identity(manifest)
        # Check mode hashes in a background thread beside the read session (it predicts a mismatch); a real run hashes
        # the bytes while it copies them (issue 11 item 2), and a reload also before it removes the old fixture.
        job = _files.Sha256Job(dat_path) if self.check_mode else None
        try:
            if self.check_mode:
                return self._present(namespace, database, dir_option, path, manifest, dat_path, ident, job)
            with self.lock():
                return self._present(namespace, database, dir_option, path, manifest, dat_path, ident, job)
        finally:
            if job is not None:
                job.cancel()

    def _present(self, namespace, database, dir_option, path, manifest, dat_path, ident, job):
        # A real run hands the read session the 'restoring' record: for a FRESH restore (nothing of the target exists)
        # the session also writes it and creates the directory (fixture_prepare_fresh), so the prepare step runs beside
        # the hash instead of after it (issue #5 item 9).  That exposes no data: the copy hashes the bytes it sends and
        # installs them under IRIS.DAT only when the checksum matches (a mismatch removes the temp file before anything
        # is installed), and any failure rolls the preparation back (below and in _restore).
        prepare = None
        if not self.check_mode:
            prepare = dict(status="restoring", namespace=namespace, database=database, fixture=ident,
                           source_namespace=manifest.get("namespace"), started_at=_manifest.utc_now())
        target, record, prepared = self._read_target(namespace, database, dir_option, prepare=prepare)
        directory = _dir(target.get("directory") or "")
        try:
            action = self._plan(namespace, database, directory, target, record, manifest, dat_path, ident, job, prepared)
        except IrisModuleError as exc:
            if prepared is not None:
                # A refusal of _decide or _plan (the copy has not started): remove the record and directory of this run.
                raise self._rollback(exc, "restore the fixture", namespace, database, directory, bool(prepared.get("created_dir")))
            raise
        common = dict(namespace=namespace, database=database, directory=directory, fixture_path=path, fixture=ident)
        if action is None:
            return self.result(False, tables=manifest["tables"], **common)
        if self.check_mode:
            return self.result(True, tables=manifest["tables"], **common)
        counts = self._restore(namespace, database, directory, target, record, manifest, dat_path, ident, prepared)
        return self.result(True, tables=counts, **common)

    def _plan(self, namespace, database, directory, target, record, manifest, dat_path, ident, job, prepared):
        """Diff, decision and - when a copy follows - the checksum; returns the action (None: nothing to do)."""
        wanted = dict(namespace=namespace, database=database, directory=directory, status="present", fixture=ident)
        before = self._summary(record)
        if before is None and target.get("namespace_exists"):
            before = dict(namespace=namespace, fixture=None)
        self.diff.add("restore", before, wanted)
        action = self._decide(namespace, database, directory, target, record, ident)
        if prepared is not None and action != "restore":
            # fixture_prepare_fresh acts only on a free target, which _decide always restores into.
            raise IrisModuleError("The read session prepared a fresh restore of namespace %s, but the run decided %r." % (namespace, action),
                                  hint="this is a bug in iris_fixture; please report it")
        if action is None:
            return None
        # A copy follows (or would, in check mode).  Check mode predicts the copy's checksum test.  A reload removes a
        # good old fixture first, so it checks the file before that (a damaged fixture leaves the old one in place); a
        # fresh restore or a repair (the leftovers of a failed restore) has nothing to protect and relies on the copy,
        # which hashes the bytes it sends and installs them only when they match (issue 11 item 2) - one read.
        if job is not None:
            _manifest.check_checksum(manifest, dat_path, job.result())
        elif action == "reload":
            _manifest.check_checksum(manifest, dat_path, _files.sha256_file(dat_path))
        self.actions.append(self._action_text(action, namespace, record, ident))
        return action

    @staticmethod
    def _action_text(action, namespace, record, ident):
        text = "%s fixture %s %s into namespace %s" % (
            {"restore": "restore", "reload": "reload", "repair": "clean up a failed restore and restore"}[action],
            ident["fixture_id"], ident["version"], namespace)
        if action == "reload":
            old = (record or {}).get("fixture") or {}
            # Not transactional (see the reload option): the old fixture goes first, the new one is then restored.
            text += (" (fixture %s %s is removed first; if the restore then fails, the namespace is left without a fixture)"
                     % (old.get("fixture_id"), old.get("version")))
        return text

    def _decide(self, namespace, database, directory, target, record, ident):
        """None (nothing to do), "restore", "reload" or "repair"; IrisModuleError when refused."""
        reload_policy = self.params.get("reload") or "on_change"
        if record is None:
            if target.get("namespace_exists"):
                raise IrisModuleError(
                    "Namespace %s exists and was not restored by iris_fixture (it has no fixture record)." % namespace,
                    hint="choose a namespace that does not exist yet; iris_fixture never restores into an existing namespace")
            self._check_free(database, directory, target)
            return "restore"
        if record.get("status") != "present":
            return "repair"
        same = all(record.get("fixture", {}).get(k) == ident[k] for k in ("fixture_id", "version", "checksum"))
        healthy = (target.get("namespace_exists") and target.get("database_exists") and target.get("mounted")
                   and (target.get("globals") or "").upper() == database and (target.get("routines") or "").upper() == database
                   and record.get("database") == database and _dir(record.get("directory") or "") == directory)
        if same and healthy and reload_policy != "always":
            return None
        if reload_policy == "never":
            if not same:
                old = record.get("fixture") or {}
                raise IrisModuleError(
                    "Namespace %s holds fixture %s %s (%s), not %s %s (%s), and reload is never." % (
                        namespace, old.get("fixture_id"), old.get("version"), old.get("checksum"),
                        ident["fixture_id"], ident["version"], ident["checksum"]),
                    hint="set reload: on_change to replace it, or restore into another namespace")
            raise IrisModuleError(
                "Namespace %s holds fixture %s %s but its database %s is not as restored (missing, unmounted or "
                "remapped), and reload is never." % (namespace, ident["fixture_id"], ident["version"], database),
                hint="set reload: on_change to restore it again, or remove it with state: absent")
        if record.get("database") != database:
            self._check_free(database, directory, target)
        return "reload"

    @staticmethod
    def _check_free(database, directory, target):
        if target.get("database_exists"):
            raise IrisModuleError(
                "Database %s is already defined in the instance (directory %s)." % (database, target.get("database_directory")),
                hint="choose another database name with the database option; iris_fixture only creates new databases")
        if target.get("dat_exists"):
            raise IrisModuleError(
                "The directory %s already holds a database file (IRIS.DAT)." % directory,
                hint="choose another database_dir, or remove that database first; iris_fixture never overwrites one")

    def _restore(self, namespace, database, directory, target, record, manifest, dat_path, ident, prepared=None):
        old = record if record else None
        if prepared is not None:
            # Fresh restore: the read session wrote the 'restoring' record and created the directory already.
            pending = prepared
            created_dir = bool(prepared.get("created_dir"))
        else:
            pending, created_dir = self._prepare(namespace, database, directory, target, old, manifest, ident)
        try:
            self._copy_in(dat_path, directory, manifest["checksum"])
            apply = Program()
            apply.add("props_set", property="Directory", value=directory)
            # iris-sources.md §0.5, §3.1 S20/S9: Create writes the configuration only; the file is already there.
            apply.add("call_props_status", **{"class": "Config.Databases", "method": "Create", "name": database})
            # iris-sources.md §3.2 S23: mount explicitly (lessons §4.8: a definition without a mount is unusable).
            apply.add("call_arg", value=directory)
            apply.add("call_status", **{"class": "SYS.Database", "method": "MountDatabase"})
            # iris-sources.md §3.3 S9: globals AND routines are the restored database (lessons §4.3/§4.8: not USER).
            apply.add("props_set", property="Globals", value=database)
            apply.add("props_set", property="Routines", value=database)
            apply.add("call_props_status", **{"class": "Config.Namespaces", "method": "Create", "name": namespace})
            apply.add("namespace", namespace=namespace)
            for index, table in enumerate(manifest["tables"]):
                apply.add("fixture_expect_rows", key="rows%d" % index, table=table["name"], expected=int(table["row_count"]))
            apply.add("namespace", namespace=SYS_NAMESPACE)
            final = dict(pending, status="present", restored_at=_manifest.utc_now())
            final.pop("started_at", None)
            apply.add("state_set", area=RECORD_AREA, name=namespace, value=record_text(final))
            result = self.run_program(apply)
        except IrisModuleError as exc:
            raise self._rollback(exc, "restore the fixture", namespace, database, directory, created_dir, old)
        return [dict(name=t["name"], row_count=result.get("rows%d" % i)) for i, t in enumerate(manifest["tables"])]

    def _prepare(self, namespace, database, directory, target, old, manifest, ident):
        """The prepare session of a reload or repair, or of a fresh restore the read session could not prepare: remove the
        old fixture, check the target is free, write the 'restoring' record, create the directory.  For a reload it runs
        only after the file's checksum matched (it removes a good old fixture); the copy after it checks the bytes it
        sends again.  Returns ``(pending record, created_dir)``."""
        if old and old.get("status") != "present" and old.get("directory"):
            # An interrupted restore may have left an upload's temp file (a directory we did not create stays).
            self._remove_temp_files(_dir(old["directory"]))
        created_dir = not target.get("dir_exists") or bool(
            old and _dir(old.get("directory") or "") == directory and old.get("created_dir"))
        pending = dict(status="restoring", namespace=namespace, database=database, directory=directory,
                       created_dir=created_dir, fixture=ident, source_namespace=manifest.get("namespace"),
                       started_at=_manifest.utc_now())
        prepare = Program()
        if old:
            prepare.add("fixture_drop", key="old", namespace=namespace, database=old.get("database") or database,
                        directory=old.get("directory") or directory, remove_dir=bool(old.get("created_dir")), area=RECORD_AREA)
        prepare.add("fixture_assert_free", namespace=namespace, database=database)
        prepare.add("fixture_assert_no_dat", directory=directory)
        prepare.add("state_set", area=RECORD_AREA, name=namespace, value=record_text(pending))
        prepare.add("fixture_mkdir", directory=directory)
        try:
            self.run_program(prepare)
        except IrisModuleError as exc:
            if exc.details.get("iris_step") in _GUARDS:
                raise IrisModuleError(
                    "Cannot restore into namespace %s: %s%s" % (namespace, _sentence(_fixture_message(exc)), self._previous_note(old)),
                    hint="another run or a user created it meanwhile; choose other names or remove it first", **exc.details)
            raise self._rollback(exc, "prepare the restore", namespace, database, directory, created_dir, old)
        return pending, created_dir

    def _copy_in(self, dat_path, directory, checksum):
        """Copy IRIS.DAT in, hashing the bytes as they are sent; they land under IRIS.DAT only when the SHA-256 is the
        manifest's ``checksum`` (before anything is mounted), else "Checksum mismatch" and the temp copy is gone."""
        # Into the instance (Docker: owned by irisowner; local: owned like the directory the instance created).
        _copy.put_file(self.instance, dat_path, directory, _manifest.DAT_FILE, mode=0o660, expected_checksum=checksum)

    @staticmethod
    def _previous_note(old):
        """For a reload: the old fixture was removed before the failure (reload is not transactional)."""
        if not old or old.get("status") != "present":
            return ""
        fixture = old.get("fixture") or {}
        return (" The previous fixture %s %s of the namespace was removed before this restore started (reload removes "
                "the old fixture first)." % (fixture.get("fixture_id"), fixture.get("version")))

    def _rollback(self, error, what, namespace, database, directory, created_dir, old=None):
        """Run the cleanup program; return the error to raise (with what the rollback left, if anything)."""
        message = _sentence(_fixture_message(error)) + self._previous_note(old)
        details = dict(error.details)
        try:
            cleanup = Program().add("fixture_drop", key="left", namespace=namespace, database=database, directory=directory,
                                    remove_dir=created_dir, area=RECORD_AREA)
            left = self.run_program(cleanup).get("left") or {}
        except IrisModuleError as exc:
            details["rollback_error"] = exc.msg
            return IrisModuleError(
                "Could not %s into namespace %s: %s The rollback failed too (%s); the record ^IrisDevTools(\"fixture\",\"%s\") "
                "remembers what was created." % (what, namespace, message, exc.msg, namespace),
                hint="when the instance runs again, run this task again or with state: absent; both remove the leftovers",
                **details)
        remaining = self._remaining(left, created_dir)
        details["rollback"] = left
        if remaining:
            return IrisModuleError(
                "Could not %s into namespace %s: %s The rollback left %s." % (what, namespace, message, ", ".join(remaining)),
                hint="run the task with state: absent to remove the leftovers, then try again", **details)
        return IrisModuleError(
            "Could not %s into namespace %s: %s Everything this run created was removed again." % (what, namespace, message),
            hint=error.hint or "see the error above", **details)

    @staticmethod
    def _remaining(left, created_dir):
        """What a fixture_drop listing says is still there (the directory counts only when we created it)."""
        remaining = [k for k in ("namespace_exists", "database_exists", "dat_exists", "record_exists") if left.get(k)]
        if created_dir and left.get("dir_exists"):
            remaining.append("dir_exists")
        return remaining

    # -- leftover temp files --------------------------------------------------------------------------
    def _temp_files(self, directory, remove):
        """``(found, left)``: names of leftover temp files of interrupted copies in ``directory`` (prefixes
        ``TEMP_PREFIXES``); with ``remove`` they are deleted and ``left`` is a fresh listing afterwards.  How they are
        listed is ``_copy``'s (a shell beside IRIS, or the server's %File over native)."""
        found, left, errors = _copy.temp_files(self.instance, directory, TEMP_PREFIXES, remove)
        if left and errors:
            # Why a file stayed (rm's own message, e.g. "Permission denied"): reported with the failure.
            self.fail_results.setdefault("temp_file_errors", []).extend(errors)
        return found, left

    def _remove_temp_files(self, directory):
        """Remove leftover temp files in ``directory`` and verify by listing; the names removed."""
        found, left = self._temp_files(directory, remove=True)
        if left:
            raise self._temp_error(directory, left)
        return found

    def _temp_error(self, directory, left):
        return IrisModuleError(
            "Could not remove the temp file(s) %s of an interrupted copy in %s; nothing else was changed." % (", ".join(left), directory),
            hint="remove them by hand (as root in the container) and run again", temp_files=left,
            **dict((k, v) for k, v in self.fail_results.items() if k == "temp_file_errors"))

    # -- absent ---------------------------------------------------------------------------------------
    def absent(self):
        namespace = check_name(self.params["namespace"], "namespace")
        database = check_name(self.params.get("database") or namespace, "database")
        directory = self.params.get("database_dir") or database.lower()
        if self.check_mode:
            return self._absent(namespace, database, directory)
        with self.lock():
            return self._absent(namespace, database, directory)

    def _absent(self, namespace, database, directory):
        target, record, dummy = self._read_target(namespace, database, directory)
        if record is None:
            if target.get("namespace_exists"):
                raise IrisModuleError(
                    "Namespace %s was not restored by iris_fixture (it has no fixture record); it is left alone." % namespace,
                    hint="check the namespace option; iris_fixture removes only namespaces it restored")
            self.diff.add("restore", None, None)
            return self.result(False, namespace=namespace)
        before = self._summary(record)
        self.diff.add("restore", before, None)
        database = record.get("database") or database
        directory = _dir(record.get("directory") or target.get("directory") or "")
        self.actions.append("remove namespace %s, database %s and directory %s" % (namespace, database, directory))
        common = dict(namespace=namespace, database=database, directory=directory)
        # Temp files of an interrupted copy (issue #5 item 5): removed first, while the record still names the directory,
        # and verified by listing; check mode only lists them.
        found, left = self._temp_files(directory, remove=not self.check_mode) if directory else ([], [])
        if found:
            self.actions.append("remove %d leftover temp file(s) of an interrupted copy in %s: %s" % (len(found), directory, ", ".join(found)))
        if self.check_mode:
            return self.result(True, **common)
        if left:
            raise self._temp_error(directory, left)
        drop = Program().add("fixture_drop", key="left", namespace=namespace, database=database, directory=directory,
                             remove_dir=bool(record.get("created_dir")), area=RECORD_AREA)
        left = self.run_program(drop).get("left") or {}
        remaining = self._remaining(left, record.get("created_dir"))
        if remaining:
            errors = "; ".join("%s: %s" % kv for kv in sorted(left.items()) if kv[0].endswith("_error")) or "no error text"
            raise IrisModuleError(
                "Removing fixture namespace %s left %s (%s)." % (namespace, ", ".join(remaining), errors),
                hint="see the errors; a database in use cannot be dismounted - end the sessions that use namespace %s and "
                     "run again" % namespace, left=left)
        return self.result(True, **common)

    # -- exported ----------------------------------------------------------------------------------------
    def exported(self):
        path = self._path()
        namespace = self.params.get("namespace")
        if not namespace:
            raise IrisModuleError("state=exported needs the namespace option.", hint="set namespace to the source namespace")
        namespace = namespace.upper()
        fixture_id = self.params.get("fixture_id") or namespace.lower()
        if not FIXTURE_ID_RE.fullmatch(fixture_id):
            raise IrisModuleError("The fixture id %r derived from namespace %s is not a plain label." % (fixture_id, namespace),
                                  hint="set the fixture_id option, e.g. fixture_id: orders")
        version = self.params.get("version") or "1.0.0"
        force = bool(self.params.get("force"))
        existing, problem = self._existing_fixture(path)
        before = _manifest.identity(existing) if existing else None
        if existing and not force and existing.get("fixture_id") == fixture_id and existing.get("version") == version \
                and existing.get("namespace", "").upper() == namespace:
            self.diff.add("fixture", before, before)
            return self.result(False, fixture_path=path, manifest=existing, fixture=before, namespace=namespace)
        if (existing or problem) and not force:
            what = ("fixture %s %s from namespace %s" % (existing.get("fixture_id"), existing.get("version"), existing.get("namespace"))
                    if existing else problem)
            raise IrisModuleError("%s already holds %s; iris_fixture does not overwrite it." % (path, what),
                                  hint="choose another path, remove the old fixture, or set force: true to replace it")
        if self.check_mode:
            return self._export(path, namespace, fixture_id, version, existing, before)
        with self.lock():
            return self._export(path, namespace, fixture_id, version, existing, before)

    @staticmethod
    def _existing_fixture(path):
        """(manifest, None) for a complete fixture at path; (None, problem) for a partial one; (None, None) if empty."""
        manifest_path = os.path.join(path, _manifest.MANIFEST_FILE)
        dat = os.path.join(path, _manifest.DAT_FILE)
        if not os.path.exists(manifest_path):
            return None, ("a database file (%s) without a manifest" % _manifest.DAT_FILE) if os.path.exists(dat) else None
        try:
            manifest, dummy = _manifest.validate_fixture(path, verify_checksum=False)
        except IrisModuleError as exc:
            return None, "an incomplete or invalid fixture (%s)" % exc.msg
        return manifest, None

    def _source(self, namespace):
        """One session: the source namespace's databases, mount state, IRIS version, tables and row counts."""
        program = Program().add("fixture_source_read", key="source", namespace=namespace)
        program.add("namespace", namespace=namespace).add("fixture_tables", key="tables")
        try:
            result = self.run_program(program)
        except IrisModuleError as exc:
            if exc.details.get("iris_step") == "namespace" and exc.details.get("iris_error") == "<NAMESPACE>":
                raise IrisModuleError("Namespace %s does not exist in the instance." % namespace,
                                      hint="check the namespace option (the namespace to export)", **exc.details)
            raise
        source = result.get("source") or {}
        source["tables"] = result.get("tables")
        globals_db = (source.get("globals") or "").upper()
        routines_db = (source.get("routines") or "").upper()
        if not globals_db or not source.get("directory"):
            raise IrisModuleError("Namespace %s has no local globals database to export." % namespace,
                                  hint="export a namespace whose globals database is a local database")
        if globals_db in SYSTEM_DATABASES:
            raise IrisModuleError("Namespace %s keeps its data in system database %s, which cannot be exported." % (namespace, globals_db),
                                  hint="export a namespace with a database of its own")
        if routines_db != globals_db:
            # lessons §4.3: only the globals database is captured; code (class and table definitions) in another
            # database would be missing after a restore, whose namespace uses the one database for both.
            raise IrisModuleError(
                "Namespace %s keeps its code in database %s and its data in %s; a fixture holds one database." % (
                    namespace, routines_db or "(none)", globals_db),
                hint="export a namespace whose globals and routines database is the same database")
        return source

    def _tables(self, program_result):
        tables = []
        for entry in program_result or []:
            if "error" in entry:
                raise IrisModuleError("Cannot count the rows of table %s: %s" % (entry.get("name"), entry.get("error")),
                                      hint="check the table in the namespace (SELECT COUNT(*) must work)")
            tables.append(dict(name=entry.get("name"), row_count=int(entry.get("row_count") or 0)))
        return sorted(tables, key=lambda t: t["name"].lower())

    def _export(self, path, namespace, fixture_id, version, existing, before):
        source = self._source(namespace)
        directory = _dir(source["directory"])
        tables = self._tables(source["tables"])
        after = dict(fixture_id=fixture_id, version=version, checksum=None, tables=tables)
        self.diff.add("fixture", before, after)
        self.actions.append("export namespace %s (database %s) to %s" % (namespace, source.get("globals"), path))
        common = dict(fixture_path=path, namespace=namespace, database=source.get("globals"), directory=directory)
        if self.check_mode:
            return self.result(True, fixture=after, tables=tables, **common)
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as exc:
            raise IrisModuleError("Cannot create the fixture directory %s: %s" % (path, exc), hint="check the path and its permissions")
        dest = os.path.join(path, _manifest.DAT_FILE)
        manifest_path = os.path.join(path, _manifest.MANIFEST_FILE)
        if os.path.exists(manifest_path):
            os.remove(manifest_path)  # force: a half-replaced fixture must look like no fixture, not a wrong one
        was_mounted = bool(source.get("mounted"))
        checksum = None
        try:
            program = Program().add("namespace", namespace=namespace).add("fixture_tables", key="tables")
            program.add("namespace", namespace=SYS_NAMESPACE)
            if was_mounted:
                # iris-sources.md §0.6, §3.4 S23: dismount -> copy -> mount; never copy a mounted database.
                program.add("call_arg", value=directory)
                program.add("call_status", **{"class": "SYS.Database", "method": "DismountDatabase"})
            tables = self._tables(self.run_program(program).get("tables"))
            checksum = self._copy_out(directory, dest)
        except IrisModuleError as exc:
            if checksum is None and os.path.exists(dest):
                os.remove(dest)
            if was_mounted:
                self._remount(directory, exc)
            raise
        if was_mounted:
            self._remount(directory, None)
        manifest = _manifest.build(fixture_id, version, namespace, source.get("iris_version"), checksum, tables,
                                   os.path.getsize(dest), description=self.params.get("description") or "",
                                   extra=dict(source_database=source.get("globals")))
        _manifest.write(path, manifest, force=True)
        ident = _manifest.identity(manifest)
        self.diff.add("fixture", before, ident)
        return self.result(True, fixture=ident, manifest=manifest, tables=tables, **common)

    def _copy_out(self, directory, dest):
        src = directory + _manifest.DAT_FILE
        # One read of the source: the copy hashes the bytes it writes (issue 11 item 2).
        return _copy.fetch_file(self.instance, src, dest)

    def _remount(self, directory, error):
        """Put the source database back (mounted) whatever happened; fold a failure into the error raised."""
        try:
            self.run_program(Program().add("fixture_ensure_mounted", directory=directory))
        except IrisModuleError as exc:
            text = "the source database %s could not be mounted again: %s" % (directory, exc.msg)
            if error is not None:
                error.msg = "%s Also, %s." % (error.msg, text)
                error.args = (error.msg,)
                error.details["remount_error"] = exc.msg
                return
            raise IrisModuleError("The fixture was copied, but %s." % text,
                                  hint="mount it with SYS.Database.MountDatabase in %SYS, or restart the instance")
