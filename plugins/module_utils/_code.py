# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The manager of ``iris_code``: load a source tree (UDL ``.cls``, ``.mac``, ``.int``, ``.inc``, and XML exports ``.xml``)
into a namespace and compile it, idempotently (issue 14 item 1).

* **Scan** (``scan_tree`` / ``scan_files``): every source file is read ONCE on the host running the module: its
  SHA-256 and the item it defines (``Pkg.Cls.cls`` from the ``Class`` line, ``Name.mac`` from the UDL header
  ``ROUTINE Name [Type=...]``; for an XML export (iris-sources.md XMLEXP, row N14) every top-level
  ``<Class name>`` / ``<Routine name type>`` of its ``<Export>``, read with the standard library's parser after a
  DOCTYPE/ENTITY declaration has been refused, so no entity is ever expanded).  A file that defines no item, two
  files with one item, a name with a control character, a malformed export: the task fails before anything changes.
  From the same text, the include files each item names (``includes``): ``Include X`` / ``Include (X, Y)`` /
  ``IncludeGenerator X`` before a UDL class's ``Class`` line, ``<IncludeCode>`` of an export class, ``#include X``
  lines of a routine or include file (anchored regexes; a name missed only leaves a dependent uncompiled).
* **Record** (ours, on the instance): ``^IrisDevTools("code", <name>, <file>) = {"sha256": ..., "item": ...}`` (JSON
  text; an XML export records ``"items": [...]``, every item it holds, so that ``state: absent`` and
  O(delete_removed) delete them all) in the globals of O(namespace), one node per loaded file of the tree O(name).  It is written only after a
  load and compile without errors.  ``kill ^IrisDevTools("code")`` in that namespace removes it (the next run then
  loads everything again); ``state: absent`` removes the tree's node itself.
* **Read** (one session): the record.  Unchanged sources (every hash equal, no file added or removed): nothing else
  runs; that decision costs one IRIS session and one read of each local file.
* **Apply** (a second session): the added and changed files are staged into the instance (``_copy.put_tree``: one
  Docker archive upload, or a local directory), removed items are deleted when O(delete_removed) asks, each file is
  loaded (``$SYSTEM.OBJ.Load``, no compile), then all loaded items are compiled together (``CompileList``, ``b`` then
  O(compile_flags) then ``-d``: flag ``b`` compiles the subclasses of the loaded classes too, iris-sources.md N13),
  together with the items of the tree that include a loaded ``.inc``, directly or through other include files
  (``include_dependents``: IRIS substitutes macros at compile time, iris-sources.md MACPP, N17; they are not
  loaded again, only compiled), and only without errors is the record updated.  The staging directory is removed afterwards.
* **Errors**: a load or compile error fails the task with file, line and IRIS's message for each (``errors``).
  IRIS's errorlog layout is not in the sources (iris-sources.md T12, T14 [inf]): each message is kept as IRIS wrote it
  (the staging path replaced by the source path); the file is the one the message names (its staged path or its
  item), the line the number in parentheses after the path, else null.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec, _copy
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import BaseManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program

AREA = "code"
STATES = ("present", "absent")
KINDS = ("cls", "mac", "int", "inc", "xml")
MAX_FILES = 20000
MAX_FILE_BYTES = 32 * 1024 * 1024
DEFAULT_FLAGS = "ck"
STAGING_BASE = "/tmp"
# The tree's name: a subscript of our record and a word in messages.
NAME_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
# qspec (iris-sources.md T12): flags first (letters, '-' negates the next one), then /qualifier or /qualifier=value; no
# spaces.  Our subset: letters, digits and '-' only, so the value can never change the program's shape.
FLAGS_RE = re.compile(r"\A[A-Za-z-]{0,32}(?:/[A-Za-z]{1,32}(?:=[A-Za-z0-9]{1,32})?){0,16}\Z")
FLAGS_RULE = ("give IRIS qspec flags and qualifiers: letters ('-' before a flag turns it off), then /qualifier or "
              "/qualifier=value, without spaces, for example ck or ck/multicompile=0")
CLASS_RE = re.compile(r"\A\s*Class\s+(%?[A-Za-z][A-Za-z0-9]*(?:\.%?[A-Za-z][A-Za-z0-9]*)*)(?:\s|\{|$)", re.IGNORECASE)
ROUTINE_RE = re.compile(r"\A\s*ROUTINE\s+(%?[A-Za-z][A-Za-z0-9]*(?:\.%?[A-Za-z0-9]+)*)\s*(?:\[\s*Type\s*=\s*([A-Za-z]+)\s*\])?\s*\Z",
                        re.IGNORECASE)
LINE_RE = re.compile(r"\((\d+)\)")
# the staged path of an earlier run: <STAGING_BASE>/<stage prefix><suffix>/<rel>, an optional (line) after it
OLD_STAGE_RE = re.compile(re.escape(STAGING_BASE + "/" + _copy.STAGE_PREFIX) + r"[A-Za-z0-9_]+/([^\s:()']+)(?:\((\d+)\))?")
ITEM_NAME_RE = re.compile(r"\A%?[A-Za-z][A-Za-z0-9]*(?:\.%?[A-Za-z0-9]+)*\Z")
# A DOCTYPE (the only place an ENTITY can be declared) comes before the root element: only the prolog is searched, so a
# "<!DOCTYPE html>" inside a CDATA section of the export does not count.
DOCTYPE_RE = re.compile(r"\A\ufeff?(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.IGNORECASE | re.DOTALL)
# Include names (iris-sources.md MACPP, UDLHDR, XMLEXP, N17): ``Include X`` / ``Include (X, Y)`` /
# ``IncludeGenerator X`` before a UDL class's ``Class`` line, ``#include X`` (any letter case) at the start of a routine
# line, ``<IncludeCode>X,Y</IncludeCode>`` in a class export.  Only a hint of what to compile again: a miss never fails.
INCLUDE_NAME = r"%?[A-Za-z][A-Za-z0-9]*(?:\.%?[A-Za-z0-9]+)*"
CLASS_INCLUDE_RE = re.compile(r"\A\s*Include(?:Generator)?(?=[\s(])\s*(\(?)\s*(%s(?:\s*,\s*%s)*)\s*(\)?)\s*\Z" % (INCLUDE_NAME, INCLUDE_NAME),
                              re.IGNORECASE)
POUND_INCLUDE_RE = re.compile(r"^[ \t]*#include[ \t]+<?(%s)>?[ \t\r]*(?:[;/].*)?$" % INCLUDE_NAME, re.IGNORECASE | re.MULTILINE)
NAME_LIST_RE = re.compile(r"\A\s*(%s(?:\s*,\s*%s)*)\s*\Z" % (INCLUDE_NAME, INCLUDE_NAME))
XML_HINT = ("give an InterSystems XML export: <Export generator=\"IRIS\" ...> holding <Class name=...> and "
            "<Routine name=... type=MAC|INT|INC> items only, without a DOCTYPE")


class SourceFile(object):
    """One local source file: its path, its name in the tree (``rel``, ``/``-separated), SHA-256 hex, item; and the
    include files each of its items names (``includes``: item -> [include name]; not recorded on the instance)."""

    def __init__(self, path, rel, sha256, item, includes=None):
        # ``item``: one item name (UDL), or a list of them (an XML export)
        self.path, self.rel, self.sha256 = path, rel, sha256
        self.items = list(item) if isinstance(item, (list, tuple)) else [item]
        self.export = isinstance(item, (list, tuple))
        self.item = self.items[0]
        self.includes = dict(includes or {})

    @property
    def record(self):
        value = dict(sha256=self.sha256, items=self.items) if self.export else dict(sha256=self.sha256, item=self.item)
        return json.dumps(value, sort_keys=True, separators=(",", ":"))


def record_items(value):
    """The item names a record node names: ``items`` (an XML export) or ``item``."""
    items = value.get("items")
    if isinstance(items, list):
        return [item for item in items if isinstance(item, str) and item]
    return [value["item"]] if isinstance(value.get("item"), str) and value.get("item") else []


# -- the local side --------------------------------------------------------------------------------------------
def _kind(path):
    return os.path.splitext(path)[1].lower().lstrip(".")


def _check_name(option, value):
    bad = _argspec.control_character(value)
    if bad is not None or "\\" in value:
        _argspec.refuse(option, value, "it contains %s" % (_argspec.describe_char(bad) if bad else "a backslash"),
                        "rename the file: source file names may not hold control characters or backslashes")


def export_items(path, text):
    """The items an XML export holds (iris-sources.md XMLEXP): ``Pkg.Cls.cls`` per top-level ``<Class name>``,
    ``Name.<type>`` per ``<Routine name type>``; IrisModuleError for a DOCTYPE, malformed XML or anything else."""
    return _export(path, text)[0]


def _names(text):
    """The names of a comma list (``<IncludeCode>`` text); [] for anything else."""
    match = NAME_LIST_RE.match(text or "")
    return [name.strip() for name in match.group(1).split(",")] if match else []


def _export(path, text):
    """(items, includes) of an XML export: ``export_items`` and, per item, the include names its ``<IncludeCode>``
    (a class) or its ``#include`` lines (a routine) give."""
    if DOCTYPE_RE.match(text):
        raise IrisModuleError("%s holds a DOCTYPE or ENTITY declaration; iris_code does not load such XML." % path,
                              hint="remove the declaration (IRIS exports have none)")
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise IrisModuleError("%s is not well-formed XML: %s." % (path, exc), hint=XML_HINT)
    if root.tag != "Export":
        raise IrisModuleError("%s is not an InterSystems export: its root element is <%s>, not <Export>." % (path, root.tag),
                              hint=XML_HINT)
    items, includes = [], {}
    for child in root:
        name = child.get("name") or ""
        if child.tag == "Class" and ITEM_NAME_RE.match(name):
            items.append(name + ".cls")
            names = [n for code in child.findall("IncludeCode") + child.findall("IncludeGenerator") for n in _names(code.text)]
        elif child.tag == "Routine" and ITEM_NAME_RE.match(name) and (child.get("type") or "").lower() in ("mac", "int", "inc"):
            items.append("%s.%s" % (name, child.get("type").lower()))
            names = routine_includes(child.text or "")
        else:
            raise IrisModuleError("%s: the export item <%s name=%s> is not a class or a routine (MAC, INT, INC) iris_code "
                                  "can track." % (path, child.tag, json.dumps(name)), hint=XML_HINT)
        if names:
            includes[items[-1]] = names
    if not items:
        raise IrisModuleError("%s: the export holds no <Class> or <Routine> item." % path, hint=XML_HINT)
    return items, includes


def routine_includes(text):
    """The names of the ``#include`` lines of a routine's text (iris-sources.md MACPP, UDLHDR)."""
    return [match.group(1) for match in POUND_INCLUDE_RE.finditer(text)] if "#" in text else []


def class_includes(text):
    """The names of the ``Include`` / ``IncludeGenerator`` lines before a UDL class's ``Class`` line (iris-sources.md
    MACPP, UDLHDR)."""
    names = []
    for line in text.splitlines():
        if CLASS_RE.match(line):
            break
        match = CLASS_INCLUDE_RE.match(line)
        if match and bool(match.group(1)) == bool(match.group(3)):
            names.extend(name.strip() for name in match.group(2).split(","))
    return names


def includes_of(path, text, item):
    """``{item: [include name]}`` of a UDL file (``item`` as item_of gave it); an XML export's come from ``_export``."""
    names = class_includes(text) if item.lower().endswith(".cls") else routine_includes(text)
    return {item: names} if names else {}


def item_of(path, text):
    """The item ``text`` (the content of ``path``) defines: ``Pkg.Cls.cls`` or ``Name.<type>`` (a list of them for an
    XML export); IrisModuleError if none."""
    kind = _kind(path)
    if kind == "xml":
        return export_items(path, text)
    return _udl_item(path, text, kind)


def _udl_item(path, text, kind):
    lines = text.splitlines()
    if kind == "cls":
        for line in lines:
            match = CLASS_RE.match(line)
            if match:
                return match.group(1) + ".cls"
        raise IrisModuleError("%s defines no class: no line 'Class Package.Name ...' found." % path,
                              hint="give UDL class files (.cls) as IRIS exports them, one class per file")
    first = next((line for line in lines if line.strip()), "")
    match = ROUTINE_RE.match(first)
    if not match:
        raise IrisModuleError("%s does not start with the UDL routine header 'ROUTINE Name [Type=MAC|INT|INC]'." % path,
                              hint="export routines in UDL form (the header names the routine), or add the header line")
    routine_type = (match.group(2) or kind).lower()
    if routine_type not in ("mac", "int", "inc"):
        raise IrisModuleError("%s: routine type %s is not one of MAC, INT, INC." % (path, match.group(2)),
                              hint="use Type=MAC, Type=INT or Type=INC in the ROUTINE header")
    return "%s.%s" % (match.group(1), routine_type)


def read_source(path, rel):
    """Read ``path`` ONCE: a SourceFile with its SHA-256 and item."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise IrisModuleError("%s has %d bytes, more than the %d a source file may have." % (path, size, MAX_FILE_BYTES),
                                  hint="split the file, or leave it out of the tree")
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except (IOError, OSError) as exc:
        raise IrisModuleError("Cannot read %s: %s." % (path, exc.strerror or exc),
                              hint="check the path and the permissions of the user running the module")
    try:
        text = codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IrisModuleError("%s is not UTF-8 text (byte %d)." % (path, exc.start), hint="save the source as UTF-8")
    kind = _kind(path)
    if kind == "xml":
        item, includes = _export(path, text)
    else:
        item = _udl_item(path, text, kind)
        includes = includes_of(path, text, item)
    return SourceFile(path, rel, hashlib.sha256(data).hexdigest(), item, includes)


def scan_tree(src, recurse=True):
    """The source files under the directory ``src`` (hidden files and directories skipped), sorted by name."""
    if not os.path.isabs(src):
        _argspec.refuse("src", src, "it is not an absolute path", "give the absolute path of a directory on the host running the module")
    _check_name("src", src)
    if not os.path.isdir(src):
        raise IrisModuleError("src %s is not a directory on the host running the module." % _argspec.shown(src),
                              hint="check the path (the tree must be on the host where the module runs: copy it there first, "
                                   "or use delegate_to: localhost)")
    found = []
    for current, dirs, names in os.walk(src):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = os.path.join(current, name)
            if name.startswith(".") or _kind(name) not in KINDS or not os.path.isfile(path):
                continue
            rel = os.path.relpath(path, src).replace(os.sep, "/")
            _check_name("src", rel)
            found.append((path, rel))
        if not recurse:
            break
    return _read_all(found, "src")


def scan_files(files):
    """The source files of the O(files) list; each a regular file with a known extension; names (basenames) unique."""
    found = []
    for path in files:
        if not isinstance(path, str) or not path:
            _argspec.refuse("files", path, "it is empty", "give absolute paths of source files")
        _check_name("files", path)
        if not os.path.isabs(path):
            _argspec.refuse("files", path, "it is not an absolute path", "give absolute paths of source files")
        if _kind(path) not in KINDS:
            _argspec.refuse("files", path, "its extension is not one of .%s" % ", .".join(KINDS),
                            "give UDL source files (.cls, .mac, .int, .inc) or XML exports (.xml)")
        if not os.path.isfile(path):
            raise IrisModuleError("files: %s is not a regular file on the host running the module." % _argspec.shown(path),
                                  hint="check the path (the files must be on the host where the module runs)")
        found.append((path, os.path.basename(path)))
    return _read_all(found, "files")


def _read_all(found, option):
    if not found:
        raise IrisModuleError("%s holds no source file (.%s)." % (option, ", .".join(KINDS)),
                              hint="check the path; hidden files and other extensions are skipped")
    if len(found) > MAX_FILES:
        raise IrisModuleError("%s holds %d source files, more than the %d allowed." % (option, len(found), MAX_FILES),
                              hint="split the tree into several O(name)s")
    seen_rel, seen_item, sources = {}, {}, []
    for path, rel in found:
        if rel in seen_rel:
            raise IrisModuleError("%s and %s have the same file name %s." % (seen_rel[rel], path, rel),
                                  hint="give files with distinct names (or load their directory with src)")
        seen_rel[rel] = path
        source = read_source(path, rel)
        for item in source.items:
            if item.lower() in seen_item:
                raise IrisModuleError("%s and %s both define %s." % (seen_item[item.lower()], path, item),
                                      hint="remove one of them: an item can be loaded from one file only")
            seen_item[item.lower()] = path
        sources.append(source)
    return sources


def validate_flags(flags):
    """O(compile_flags) checked; return the qspec for the compile: ``b`` first (iris-sources.md N13: "Include sub
    classes", so the subclasses of a changed class compile again; ``-b`` in compile_flags turns it off) and ``-d``
    added (errors come from the errorlog)."""
    _argspec.refuse_unless(flags, "compile_flags", FLAGS_RE, 200, FLAGS_RULE)
    head, slash, tail = flags.partition("/")
    lowered = "/" + tail.lower() if slash else ""
    if "-c" in head.lower() or "/nocompile" in lowered or "/compile=0" in lowered:
        _argspec.refuse("compile_flags", flags, "it turns compiling off", "iris_code always compiles; leave out -c and /nocompile")
    return "b" + head + "-d" + slash + tail


def plan(sources, records, delete_removed):
    """(added, changed, removed files, items to delete) from the local sources and the read record."""
    local = dict((source.rel, source) for source in sources)
    added = [source for source in sources if source.rel not in records]
    changed = [source for source in sources if source.rel in records and records[source.rel].get("sha256") != source.sha256]
    removed = sorted(rel for rel in records if rel not in local)
    items_now = set(item.lower() for source in sources for item in source.items)
    delete = []
    if delete_removed:
        old_items = [item for rel in removed for item in record_items(records[rel])]
        old_items += [item for source in changed for item in record_items(records[source.rel])]
        delete = sorted(set(item for item in old_items if item.lower() not in items_now))
    return added, changed, removed, delete


def include_dependents(sources, load):
    """The items of ``sources`` that include an ``.inc`` item of the ``load``ed files, directly or through other
    include files of the tree (a cycle of includes ends), and are not loaded themselves: they compile again so that
    their macros take the new definitions (iris-sources.md MACPP, N17; the decision is the collection's)."""
    included_by = {}
    for source in sources:
        for item, names in source.includes.items():
            for name in names:
                included_by.setdefault(name, set()).add(item)
    loaded = set(item for source in load for item in source.items)
    todo = [item[:-4] for item in sorted(loaded) if item.lower().endswith(".inc")]
    seen, found = set(todo), set()
    while todo:
        for item in sorted(included_by.get(todo.pop(), ())):
            if item.lower().endswith(".inc"):
                if item[:-4] not in seen:
                    seen.add(item[:-4])
                    todo.append(item[:-4])
            elif item not in loaded:
                found.add(item)
    return sorted(found)


def parse_records(raw, name):
    """The record the read program returned: file -> {"sha256", "item"}; a node we cannot read counts as changed."""
    records = {}
    for rel, text in (raw or {}).items():
        try:
            value = json.loads(text)
        except (TypeError, ValueError):
            value = None
        records[rel] = value if isinstance(value, dict) else {"sha256": None, "item": None}
    return records


def attribute_errors(entries, staging, sources, everything=()):
    """The failed steps of the apply program -> [{file, line, message}], messages with the staging path replaced.
    ``sources`` are the files loaded now; ``everything`` all local files: an unchanged subclass that the compile
    took along (flag ``b``) reports under its own file."""
    named = dict((source.rel, source) for source in list(everything) + list(sources))
    by_item = sorted(((item.rsplit(".", 1)[0], source) for source in named.values() for item in source.items),
                     key=lambda pair: -len(pair[0]))
    errors = []
    for entry in entries or []:
        messages = list(entry.get("errors") or []) or [entry.get("status") or "unknown error"]
        for message in messages:
            message = str(message)
            source, line = None, None
            if staging:
                for candidate in sources:
                    staged = "%s/%s" % (staging, candidate.rel)
                    index = message.find(staged)
                    if index >= 0:
                        source = candidate
                        match = LINE_RE.match(message, index + len(staged))
                        line = int(match.group(1)) if match else None
                        break
                message = message.replace(staging + "/", "")
            if source is None:  # an unchanged subclass names the staging path of the run that loaded it
                match = OLD_STAGE_RE.search(message)
                if match and match.group(1) in named:
                    source = named[match.group(1)]
                    line = int(match.group(2)) if match.group(2) else None
                    message = message[:match.start()] + message[match.start(1):]
            if source is None and entry.get("what") != "compile":
                source = next((s for s in sources if s.rel == entry.get("what")), None)
            if source is None:
                source = next((s for item, s in by_item if item in message), None)
            errors.append(dict(file=source.path if source else None, line=line, message=message))
    return errors


class CodeManager(BaseManager):
    """``CodeManager(module).run() -> result`` for iris_code; ``instance`` is injectable for tests (``BaseManager``)."""

    def run(self):
        params = self.params
        name = params["name"]
        _argspec.refuse_unless(name, "name", NAME_RE, 64,
                               "give a name of 1 to 64 letters, digits, '.', '_' or '-' (a letter or digit first)")
        state = params["state"]
        sources = []
        qspec = validate_flags(params["compile_flags"])
        if state == "present":
            if params.get("src"):
                sources = scan_tree(params["src"], params["recurse"])
            elif params.get("files"):
                sources = scan_files(params["files"])
            else:
                raise IrisModuleError("state present needs the sources: src (a directory) or files (a list).",
                                      hint="set src or files")
        transport = self.instance.transport()
        read = Program().add("code_read", area=AREA, name=name, key="records")
        result = transport.run(read)
        records = parse_records(result.get("records"), name)
        record_name = '^IrisDevTools("%s","%s")' % (AREA, name)
        if state == "absent":
            return self._absent(transport, name, records, record_name)

        added, changed, removed, delete = plan(sources, records, params["delete_removed"])
        load = added + changed
        recompile = include_dependents(sources, load)
        before = dict((rel, value.get("sha256")) for rel, value in records.items())
        after = dict((source.rel, source.sha256) for source in sources)
        self.diff.add("files", before, after)
        for item in delete:
            self.actions.append("delete %s" % item)
        for source in load:
            self.actions.append("load %s" % source.rel)
        for item in recompile:
            self.actions.append("recompile %s" % item)
        if removed:
            self.actions.append("forget %s" % ", ".join(removed))
        values = dict(namespace=result.get("namespace"), record=record_name,
                      files_added=[s.rel for s in added], files_changed=[s.rel for s in changed], files_removed=removed,
                      files_unchanged=len(sources) - len(load), items_loaded=[i for s in load for i in s.items],
                      items_deleted=delete, items_recompiled=recompile)
        if not self.diff.changed or self.check_mode:
            return self.result(iris_sessions=self.sessions, **values)
        self._apply(transport, name, load, removed, delete, qspec, sources, recompile)
        return self.result(iris_sessions=self.sessions, **values)

    def _apply(self, transport, name, load, removed, delete, qspec, sources=(), recompile=()):
        staging = None
        if load:
            staging = _copy.put_tree(self.instance, [(s.path, s.rel, "sha256:" + s.sha256) for s in load], base_dir=STAGING_BASE)
        try:
            program = Program().add("code_read", area=AREA, name=name, key="records_before")
            self._add_deletes(program, delete)
            for source in load:
                program.add("code_load", path="%s/%s" % (staging, source.rel), qspec="-d", what=source.rel)
            if load:
                items = [i for s in load for i in s.items] + list(recompile)
                program.add("code_compile", items=",".join(items), qspec=qspec, what="compile")
            for source in load:
                program.add("code_record", area=AREA, name=name, file=source.rel, value=source.record)
            for rel in removed:
                program.add("code_forget", area=AREA, name=name, file=rel)
            applied = transport.run(program)
        finally:
            if staging:
                _copy.remove_tree(self.instance, staging)
        self._warn_deletes(applied)
        errors = attribute_errors(applied.get("errors"), staging, load, sources)
        if errors:
            self.fail_results["errors"] = errors
            lines = ["%s%s: %s" % (e["file"] or "(no file)", "(%s)" % e["line"] if e["line"] else "", e["message"]) for e in errors]
            raise IrisModuleError("IRIS reported %d error(s) loading or compiling the sources; nothing was recorded: %s"
                                  % (len(errors), "; ".join(lines)),
                                  hint="fix the sources named above and run again (every changed file loads again)")

    def _absent(self, transport, name, records, record_name):
        items = sorted(set(item for value in records.values() for item in record_items(value)))
        delete = items if self.params["delete_items"] else []
        self.diff.add("files", dict((rel, value.get("sha256")) for rel, value in records.items()), {})
        self.actions.extend("delete %s" % item for item in delete)
        if records:
            self.actions.append("forget %s" % ", ".join(sorted(records)))
        values = dict(record=record_name, files_removed=sorted(records), items_deleted=delete,
                      files_added=[], files_changed=[], files_unchanged=0, items_loaded=[], items_recompiled=[])
        if records and not self.check_mode:
            program = Program().add("code_read", area=AREA, name=name, key="records_before")
            self._add_deletes(program, delete)
            for rel in sorted(records):
                program.add("code_forget", area=AREA, name=name, file=rel)
            self._warn_deletes(transport.run(program))
        return self.result(iris_sessions=self.sessions, **values)

    @staticmethod
    def _add_deletes(program, items):
        for item in items:
            if item.lower().endswith(".cls"):
                program.add("code_delete_class", item=item[:-4])
            else:
                program.add("code_delete_routine", item=item)

    def _warn_deletes(self, applied):
        for text in applied.get("delete_errors") or []:
            self.module.warn("IRIS could not delete %s (the record is removed anyway)" % text)
