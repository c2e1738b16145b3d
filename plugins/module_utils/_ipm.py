# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

``iris_ipm``'s manager: IPM (the InterSystems Package Manager) itself at a pinned version, installed offline from an
installer file the user provides, and one IPM package present or absent, from a directory or tarball on the host that
runs the module (uploaded), a directory or tarball already in the instance, or a filesystem repository in the instance.

IPM facts (docs/iris-sources.md T5, T15, T16, T39, IPMSRC):

* IPM installs by loading its installer XML export with ``$System.OBJ.Load(file,"ck")`` (T15, T39); from 0.9.0 it is
  installed per namespace (T15), so everything here runs in the module's O(namespace).
* Commands go through ``##class(%IPM.Main).Shell(cmd)``, which returns the command's failure as a %Status in every
  0.9.0-0.10.9 version (IPMSRC); the ``zpm "cmd"`` language extension prints instead and exits 0 (T5, §0 of the notes).
* State is read from ``%IPM.Storage.Module`` (NameExists/NameOpen, VersionString; IPM itself is module ``zpm``,
  IPMSRC), never from the printed ``list`` output (T5: human-readable only).
* Versions: below 0.9 IPM is the ``%ZPM`` generation (T8, T15): no ``%IPM`` classes, runs only on IRIS < 2025.1: not
  managed here. ``load`` takes a ``.tgz`` from 0.9.0; ``.tar.gz`` and a module.xml below the archive's top need 0.10.0
  (IPMSRC CHANGELOG #474). From 0.10.4 ``install`` over an installed module can be blocked (T5): a version change
  therefore uninstalls first, then installs (IPM refuses to uninstall a module others depend on, T5).

A run reads with one IRIS session and changes with at most one more (which reads the result back).
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import tempfile
import xml.etree.ElementTree as ET

from ansible_collections.iris_devtools.iris.plugins.module_utils import _copy, _files
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import BaseManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program

IPM_MODULE = "zpm"  # iris-sources.md IPMSRC: $$$IPMModuleName
REPO_NAME = "iris-devtools"  # the filesystem repository the module registers (repo -name, iris-sources.md T15)
# The IPM versions the sources describe (iris-sources.md T5, T15, IPMSRC): 0.9.x and 0.10.x.
SUPPORTED_SERIES = ((0, 9), (0, 10))
TARBALL_SUFFIXES = (".tgz", ".tar.gz")
# Check mode's version of a package that will be installed from a repository or a remote tarball without O(version).
UNKNOWN_VERSION = "?"
UPLOAD_NAME_PREFIX = "iris-devtools-ipm-"  # every file iris_ipm uploads to upload_dir; only these are removed
_SEMVER = re.compile(r"^([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?\Z")  # ASCII digits
_CHECKSUM = re.compile(r"^sha256:[0-9a-f]{64}\Z")
# IPMSRC ModuleName: no spaces, at most 255 characters; quotes and other blanks are refused too because the command
# line IPM parses is split on blanks [inf: its quoting rules are not in the sources].
# No blank, quote or control character (C0 such as NUL, DEL, C1: _argspec.control_character's set).
_NAME = re.compile(r"^[^\s\"'\x00-\x1f\x7f-\x9f]{1,255}\Z")
_PATH = re.compile(r"^/[^\s\"'\x00-\x1f\x7f-\x9f]*\Z")


def version_tuple(text):
    """(major, minor, patch, release flag, pre-release) of a semantic version; None when it is not one."""
    match = _SEMVER.match(text or "")
    if not match:
        return None
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


def check_version(text, option):
    """A semantic version for ``option`` (IPM versions its modules that way, iris-sources.md IPMSRC)."""
    if version_tuple(text) is None:
        raise IrisModuleError("%s %r is not a semantic version (MAJOR.MINOR.PATCH, optionally -prerelease)." % (option, text),
                              hint="write it like 1.2.3, as in the <Version> of the package's module.xml")
    return text


def check_ipm_version(text):
    """A pinned IPM version: a semantic version of a series the sources describe."""
    check_version(text, "ipm_version")
    series = version_tuple(text)[:2]
    if series < (0, 9):
        raise IrisModuleError("IPM %s is the %%ZPM generation (below 0.9): it has no %%IPM classes to read the installed "
                              "packages from and runs only on IRIS before 2025.1." % text,
                              hint="pin IPM 0.9.0 or later (an installer of that version)")
    if series not in SUPPORTED_SERIES:
        raise IrisModuleError("IPM %s is newer than the versions this module knows (0.9.x and 0.10.x): its commands and "
                              "their exit status are not described in the module's sources." % text,
                              hint="pin a 0.9.x or 0.10.x installer, or update the collection")
    return text


def check_name(text, option="name"):
    if not isinstance(text, str) or not _NAME.match(text):
        raise IrisModuleError("%s %r is not an IPM module name (1 to 255 characters, no blanks, quotes or control characters)." % (option, text),
                              hint="use the <Name> of the package's module.xml")
    return text


def check_instance_path(text, option):
    if not _PATH.match(text or ""):
        raise IrisModuleError("%s %r is not an absolute path without blanks or quotes." % (option, text),
                              hint="give the absolute path in the instance's file system (IPM splits its command line on blanks)")
    return text.rstrip("/") or "/"


def check_checksum(text):
    if not _CHECKSUM.match(text or ""):
        raise IrisModuleError("ipm_checksum %r is not of the form sha256:<64 lower-case hex digits>." % (text,),
                              hint="compute it with sha256sum and write sha256:<digest>")
    return text


# -- module.xml ----------------------------------------------------------------------------------------------------
def module_identity(data, where):
    """(name, version) from the bytes of a module.xml (``<Export><Document><Module>``, iris-sources.md T5)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise IrisModuleError("%s is not valid XML: %s." % (where, exc), hint="check the package's module.xml")
    module = root.find("Document/Module") if root.tag == "Export" else (root if root.tag == "Module" else None)
    if module is None:
        raise IrisModuleError("%s has no <Export><Document><Module> element." % where,
                              hint="point to the package's module.xml (an IPM manifest)")
    name = (module.findtext("Name") or "").strip()
    version = (module.findtext("Version") or "").strip()
    check_name(name, "the <Name> of %s" % where)
    check_version(version, "the <Version> of %s" % where)
    return name, version


def local_source(path):
    """What a source on the module's host holds: dict(kind dir|tarball, name, version, nested)."""
    if os.path.isdir(path):
        manifest = os.path.join(path, "module.xml")
        try:
            with open(manifest, "rb") as handle:
                data = handle.read()
        except (IOError, OSError) as exc:
            raise IrisModuleError("src %s has no readable module.xml: %s." % (path, exc.strerror or exc),
                                  hint="point src to the directory that holds the package's module.xml")
        name, version = module_identity(data, manifest)
        return dict(kind="dir", name=name, version=version, nested=False)
    if not os.path.isfile(path):
        raise IrisModuleError("src %s does not exist on the host that runs the module." % path,
                              hint="give a directory with module.xml or a .tgz file on that host")
    if not path.lower().endswith(TARBALL_SUFFIXES):
        raise IrisModuleError("src %s is a file but not a .tgz or .tar.gz tarball." % path,
                              hint="give the package's directory (with module.xml) or its .tgz")
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = [m for m in archive.getmembers() if m.isfile() and os.path.basename(m.name) == "module.xml"]
            if not members:
                raise IrisModuleError("The tarball %s holds no module.xml." % path, hint="package the directory that holds module.xml")
            top = min(members, key=lambda m: m.name.strip("./").count("/"))
            data = archive.extractfile(top).read()
    except (tarfile.TarError, IOError, OSError, EOFError) as exc:
        raise IrisModuleError("Cannot read the tarball %s: %s." % (path, exc), hint="give a gzip-compressed tar file (.tgz)")
    name, version = module_identity(data, "%s:%s" % (path, top.name))
    return dict(kind="tarball", name=name, version=version, nested=top.name.strip("./").count("/") > 0)


def pack_directory(directory, dest):
    """Write ``directory`` as a .tgz with module.xml at its top (IPM loads a .tgz from 0.9.0, iris-sources.md IPMSRC)."""
    with _files.atomic_output(dest, mode=0o600) as handle:
        with tarfile.open(fileobj=handle, mode="w:gz") as archive:
            for entry in sorted(os.listdir(directory)):
                archive.add(os.path.join(directory, entry), arcname=entry)


# -- the manager ---------------------------------------------------------------------------------------------------
class IpmManager(BaseManager):
    """Read IPM's and the package's versions, plan, apply (one session to read, one to change)."""

    def run(self):
        self.wanted = self._validate()
        before = self._read()
        plan = self._plan(before)
        self.diff.add("ipm_version", before["ipm"] or None, plan["ipm_after"])
        if self.wanted["name"]:
            self.diff.add("package", self._package(before["package"]), self._package(plan["package_after"]))
        self.actions.extend(plan["actions"])
        after = dict(ipm=plan["ipm_after"], package=plan["package_after"])
        if plan["actions"] and not self.check_mode:
            after = self._apply(plan)
        return self.result(ipm_version=after["ipm"] or None, package=self._package(after["package"]) if self.wanted["name"] else None,
                           commands=plan["commands"], iris_sessions=self.sessions)

    def _package(self, version):
        """The returned (and diffed) package: version None when absent, or when check mode cannot know it."""
        return dict(name=self.wanted["name"], version=None if version in ("", UNKNOWN_VERSION) else version,
                    installed=bool(version))

    # -- validation, before any session ----------------------------------------------------------------------------
    def _validate(self):
        p = self.params
        wanted = dict(name=None, version=None, state=p["state"], ipm_version=None, installer=None, checksum=None,
                      source=None)
        self._upload_dir()
        if p.get("ipm_version") is not None:
            wanted["ipm_version"] = check_ipm_version(p["ipm_version"])
            installer = p.get("ipm_installer")
            if not os.path.isfile(installer):
                raise IrisModuleError("ipm_installer %s is not a file on the host that runs the module." % installer,
                                      hint="download the IPM installer (zpm-<version>.xml) there first and give its path")
            if not installer.lower().endswith(".xml"):
                raise IrisModuleError("ipm_installer %s does not end in .xml; the IPM installer is an XML export." % installer,
                                      hint="give the installer file as downloaded (zpm.xml)")
            actual = _files.sha256_file(installer)
            if p.get("ipm_checksum") is not None and check_checksum(p["ipm_checksum"]) != actual:
                raise IrisModuleError("ipm_installer %s has checksum %s, not the expected %s." % (installer, actual, p["ipm_checksum"]),
                                      hint="download the installer again, or correct ipm_checksum")
            wanted.update(installer=installer, checksum=actual)
        if p.get("name") is None:
            if wanted["ipm_version"] is None:
                raise IrisModuleError("Nothing to manage: neither name nor ipm_version is set.",
                                      hint="set name (a package) and/or ipm_version with ipm_installer")
            return wanted
        wanted["name"] = check_name(p["name"])
        if p.get("version") is not None:
            wanted["version"] = check_version(p["version"], "version")
        if p["state"] == "absent":
            if wanted["version"] is not None:
                raise IrisModuleError("version is not used with state=absent: the package is removed whatever its version.",
                                      hint="remove the version option")
            return wanted
        wanted["source"] = self._source()
        src = wanted["source"]
        if src.get("name") is not None:
            if src["name"] != wanted["name"]:
                raise IrisModuleError("The source holds package %s, not %s." % (src["name"], wanted["name"]),
                                      hint="set name to %s or point to the source of %s" % (src["name"], wanted["name"]))
            if wanted["version"] is not None and version_tuple(src["version"]) != version_tuple(wanted["version"]):
                raise IrisModuleError("The source holds %s %s, not version %s." % (src["name"], src["version"], wanted["version"]),
                                      hint="point to the source of version %s, or change version" % wanted["version"])
            wanted["version"] = src["version"]
        return wanted

    def _source(self):
        p = self.params
        if p.get("src") is not None:
            info = local_source(p["src"])
            info.update(where="src", path=p["src"])
            return info
        if p.get("remote_src") is not None:
            path = check_instance_path(p["remote_src"], "remote_src")
            if path.lower().endswith(TARBALL_SUFFIXES):
                return dict(where="remote_src", kind="tarball", path=path, name=None, version=None, nested=False)
            data = _copy.read_file(self.instance, path + "/module.xml", max_bytes=4 * 1024 * 1024)
            name, version = module_identity(data, "%s/module.xml" % path)
            return dict(where="remote_src", kind="dir", path=path, name=name, version=version, nested=False)
        if p.get("repository") is None:
            raise IrisModuleError("state=present needs a source for package %s: none of src, remote_src and repository is set." % p["name"],
                                  hint="set src (a directory or .tgz on this host), remote_src (a path in the instance) or repository")
        path = check_instance_path(p["repository"], "repository")
        if p["repository_depth"] < 0:
            raise IrisModuleError("repository_depth %d is negative." % p["repository_depth"],
                                  hint="use 0 (no limit) or the number of directory levels to scan for module.xml")
        return dict(where="repository", kind="repository", path=path, name=None, version=None, nested=False)

    # -- reading ---------------------------------------------------------------------------------------------------
    def _read(self):
        program = Program().add("ipm_module_version", name=IPM_MODULE, key="ipm")
        if self.wanted["name"]:
            program.add("ipm_module_version", name=self.wanted["name"], key="package")
        result = self.instance.run(program)
        return dict(ipm=result.get("ipm") or "", package=result.get("package") or "" if self.wanted["name"] else "")

    # -- planning --------------------------------------------------------------------------------------------------
    def _plan(self, before):
        wanted = self.wanted
        actions, commands = [], []
        ipm_after = before["ipm"]
        install_ipm = wanted["ipm_version"] is not None and version_tuple(before["ipm"]) != version_tuple(wanted["ipm_version"])
        if install_ipm:
            actions.append("install_ipm")
            ipm_after = wanted["ipm_version"]
        package_after = before["package"]
        if wanted["name"]:
            if not ipm_after:
                raise IrisModuleError("IPM is not installed in namespace %s (no %%IPM classes there; IPM below 0.9, the "
                                      "%%ZPM generation, is not managed by this module)." % self.instance.namespace,
                                      hint="set ipm_version and ipm_installer to install IPM offline first")
            if version_tuple(ipm_after) is None or version_tuple(ipm_after)[:2] not in SUPPORTED_SERIES:
                raise IrisModuleError("IPM %s is installed in namespace %s; this module knows the commands of 0.9.x and "
                                      "0.10.x only." % (ipm_after, self.instance.namespace),
                                      hint="pin a 0.9.x or 0.10.x installer with ipm_version and ipm_installer")
            package_after, package_actions, commands = self._plan_package(before["package"], ipm_after)
            actions.extend(package_actions)
        return dict(actions=actions, commands=commands, install_ipm=install_ipm, ipm_after=ipm_after or "",
                    package_after=package_after)

    def _plan_package(self, current, ipm_version):
        wanted = self.wanted
        name = wanted["name"]
        if wanted["state"] == "absent":
            if not current:
                return "", [], []
            return "", ["uninstall"], ["uninstall %s" % name]
        if current and (wanted["version"] is None or version_tuple(current) == version_tuple(wanted["version"])):
            return current, [], []
        self._check_traps(ipm_version)
        actions, commands = [], []
        if current:
            # iris-sources.md T5: from 0.10.4 install over an installed module can be blocked: uninstall first
            actions.append("uninstall")
            commands.append("uninstall %s" % name)
        src = wanted["source"]
        if src["kind"] == "repository":
            actions.append("install")
            commands.append("repo -name %s -fs -path %s -depth %d" % (REPO_NAME, src["path"], self.params["repository_depth"]))
            commands.append("install %s%s" % (name, " " + wanted["version"] if wanted["version"] else ""))
        else:
            actions.append("load")
            commands.append("load %s" % self._load_path())
        return wanted["version"] or UNKNOWN_VERSION, actions, commands

    def _check_traps(self, ipm_version):
        """The load version traps (iris-sources.md IPMSRC (CHANGELOG #474)): .tar.gz and a nested module.xml need 0.10.0."""
        src = self.wanted["source"]
        if version_tuple(ipm_version)[:3] >= (0, 10, 0):
            return
        if src["where"] == "remote_src" and src["path"].lower().endswith(".tar.gz"):
            raise IrisModuleError("IPM %s loads .tgz files; .tar.gz needs IPM 0.10.0 or later." % ipm_version,
                                  hint="rename the file to .tgz, or pin IPM 0.10.0 or later")
        if src["where"] == "src" and src["nested"]:
            raise IrisModuleError("The tarball %s has its module.xml below the archive's top; IPM %s needs it at the top "
                                  "(0.10.0 and later find it)." % (src["path"], ipm_version),
                                  hint="repack the package with module.xml at the top, give its directory, or pin IPM 0.10.0 or later")

    def _upload_dir(self):
        return check_instance_path(self.params["upload_dir"], "upload_dir")

    def _load_path(self):
        src = self.wanted["source"]
        if src["where"] == "remote_src":
            return src["path"]
        # Uploaded as <name>-<version>.tgz whatever the local name: every IPM from 0.9.0 loads a .tgz (IPMSRC).
        return "%s/%s%s-%s.tgz" % (self._upload_dir(), UPLOAD_NAME_PREFIX, self.wanted["name"], self.wanted["version"])

    # -- applying --------------------------------------------------------------------------------------------------
    def _apply(self, plan):
        wanted = self.wanted
        program = Program()
        uploaded = []
        work = None
        try:
            if plan["install_ipm"]:
                name = "%sinstaller-%s.xml" % (UPLOAD_NAME_PREFIX, wanted["ipm_version"])
                _copy.put_file(self.instance, wanted["installer"], self._upload_dir(), name, mode=0o640,
                               expected_checksum=wanted["checksum"])
                uploaded.append("%s/%s" % (self._upload_dir(), name))
                program.add("ipm_load_installer", file=uploaded[-1])
            program.add("ipm_module_version", name=IPM_MODULE, key="ipm")
            if plan["install_ipm"]:
                program.add("ipm_require_version", version=wanted["ipm_version"])
            src = wanted["source"]
            if "load" in plan["actions"] and src["where"] == "src":
                target = self._load_path()
                local = src["path"]
                if src["kind"] == "dir":
                    work = tempfile.mkdtemp(prefix="iris-devtools-ipm-")
                    local = os.path.join(work, "package.tgz")
                    pack_directory(src["path"], local)
                _copy.put_file(self.instance, local, self._upload_dir(), os.path.basename(target), mode=0o640)
                uploaded.append(target)
            for command in plan["commands"]:
                program.add("ipm_shell", command=command)
            if wanted["name"]:
                program.add("ipm_module_version", name=wanted["name"], key="package")
            try:
                result = self.instance.run(program)
            except IrisModuleError as error:
                raise self._explained(error)
        finally:
            if work is not None:
                shutil.rmtree(work, ignore_errors=True)
            if uploaded:
                # The uploaded files are not needed once loaded (0.10.7+ unpacks a tarball under the data directory,
                # older versions into a temporary directory: iris-sources.md IPMSRC (CHANGELOG #945)).
                # One removal for every transport (_copy.remove_files: %File over native, rm in a container, os.remove
                # here); a file left behind is reported, not fatal: the outcome of the run is what counts.
                try:
                    left = _copy.remove_files(self.instance, self._upload_dir(), [os.path.basename(p) for p in uploaded],
                                              UPLOAD_NAME_PREFIX)
                except IrisModuleError as exc:
                    left, why = uploaded, exc.msg
                else:
                    why = "the removal did not take"
                if left:
                    self.module.warn("iris_ipm could not remove its uploaded file(s) %s (%s); remove them by hand."
                                     % (", ".join(left), why))
        after = dict(ipm=result.get("ipm") or "", package=result.get("package") or "")
        self._verify(after)
        return after

    def _explained(self, error):
        """An IRIS failure of the change program, with what it means for IPM and how to fix it."""
        step = error.details.get("iris_step")
        hints = {
            "ipm_load_installer": "check that ipm_installer is the IPM installer export (zpm.xml) of version %s and that this "
                                  "IRIS version is one it supports (0.10.x needs IRIS 2022.1 or later)" % self.wanted["ipm_version"],
            "ipm_require_version": "give the installer of version %s as ipm_installer, or pin the version the installer "
                                   "holds" % self.wanted["ipm_version"],
            "ipm_shell": "read IPM's message above: a missing dependency needs a repository (set repository) or an installed "
                         "package, and IPM does not uninstall a package other packages depend on (remove them first)",
        }
        if step in hints:
            error.msg = error.msg.replace("IRIS returned an error status", "IPM failed")
            error.hint = hints[step]
        return error

    def _verify(self, after):
        wanted = self.wanted
        if wanted["ipm_version"] is not None and version_tuple(after["ipm"]) != version_tuple(wanted["ipm_version"]):
            raise IrisModuleError("After loading the installer, IPM %s is installed, not the pinned %s." % (after["ipm"] or "(none)", wanted["ipm_version"]),
                                  hint="check that ipm_installer is the installer of version %s" % wanted["ipm_version"])
        if not wanted["name"]:
            return
        if wanted["state"] == "absent" and after["package"]:
            raise IrisModuleError("IPM still lists %s %s after uninstalling it." % (wanted["name"], after["package"]),
                                  hint="look at the IPM output in the instance; another package may depend on it")
        if wanted["state"] == "present":
            if not after["package"]:
                raise IrisModuleError("IPM does not list %s after installing it." % wanted["name"],
                                      hint="check that the source holds module %s" % wanted["name"])
            if wanted["version"] is not None and version_tuple(after["package"]) != version_tuple(wanted["version"]):
                raise IrisModuleError("IPM installed %s %s, not version %s." % (wanted["name"], after["package"], wanted["version"]),
                                      hint="check the versions the source or repository holds")
