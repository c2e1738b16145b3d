# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``%SYSTEM.OBJ``: Load, LoadDir and Compile of UDL ``.cls`` files (iris-sources.md T12, T13, T14; issue 14 item 5).

* Signatures (T12 class reference, T13/T14 usage): ``Load(file, qspec, .errorlog, .loadedlist, listonly)``,
  ``LoadDir(dir, qspec, .errorlog, recurse, .loadedlist)``, ``Compile(classes, qspec, .errorlog, recurse)``.
* qspec (T12): flags before qualifiers, ``-x`` negates; modelled: ``c``/``/compile`` (compile after load),
  ``k``/``/keepsource`` (accepted: the simulator generates no source), ``d``/``/display``, ``/displaylog``,
  ``/displayerror`` (output control), ``u``/``/checkuptodate`` (skip a class whose compiled source is unchanged),
  ``/recurse``, ``b`` (iris-sources.md N13, VOBJ: "Include sub classes": compiling a class compiles again the
  stored classes that extend it, directly or further down; the IRIS doc adds classes that reference it in SQL usage,
  which the model cannot see: a stored class that names a compiled class other than as a superclass fails the
  compile loudly). Any other flag or qualifier fails the call: "not modelled by the simulator".
* Each call returns a %Status and fills ``errorlog`` (T12, T14: check both). The errorlog layout is not in the
  sources: the model sets only the top node to the number of errors and ``errorlog(n)`` to the message [inf].
* ``loadedlist``: an array subscripted by item name (``Pkg.Cls.cls``), values "", top node cleared [inf: the shape
  T13 shows for ImportDir's ``imported``].
* UDL ``.cls`` files and UDL routines (``.mac``, ``.int``, ``.inc`` with the ``ROUTINE`` header: userroutines.py,
  DESIGN.md Contract "code") are modelled, and XML exports of classes and MAC routines (iris-sources.md XMLEXP,
  xmlexport.py, DESIGN.md Contract "xmlexp"); anything else in an export fails loudly.
  ``CompileList(items, qspec, .errorlog)`` compiles typed items in the order INT, CLS, MAC (T12); ``Delete`` removes
  classes, ``%Library.Routine.Delete`` routines (iris-sources.md N10, N11, VOBJ). ``listonly`` is not modelled. Name
  wildcards (``*``, ``'``) are not modelled. Status texts are the simulator's [inf].
"""

from __future__ import annotations

import os

from iris_sim import classdefs, userroutines, values, xmlexport
from iris_sim.classdefs import NOT_MODELLED, CompileError
from iris_sim.errors import status_error, status_ok
from iris_sim.objects import ByRef, SimClass, class_method, register

_FLAGS = {"c": "compile", "k": "keepsource", "d": "display", "u": "checkuptodate", "b": "includesubclasses"}
_QUALIFIERS = {"compile", "keepsource", "display", "displaylog", "displayerror", "checkuptodate", "recurse"}
# Loaders of XML files another model recognises (models/ipm.py: the IPM installer stand-in, Contract 13):
# loader(proc, path, error) -> True when it handled the file (reporting failures through error(text)).
XML_LOADERS: list = []


class QspecError(Exception):
    """A qspec flag or qualifier the simulator does not model."""


def parse_qspec(qspec) -> dict:
    """Flags and qualifiers (T12) → {qualifier: 0/1}; ``display`` defaults to 1 (T12), the others to 0."""
    text = values.to_str(qspec) if qspec is not None else ""
    result = {"display": 1}
    head, slash, tail = text.partition("/")
    negate = False
    for char in head:
        if char == "-":
            negate = True
            continue
        name = _FLAGS.get(char.lower())
        if name is None:
            raise QspecError(f"qspec flag '{char}' {NOT_MODELLED}")
        result[name] = 0 if negate else 1
        negate = False
    if slash:
        for part in tail.split("/"):
            if not part:
                continue
            key, eq, value = part.partition("=")
            key = key.lower()
            on = 1
            if key.startswith("no") and key[2:] in _QUALIFIERS and not eq:
                key, on = key[2:], 0
            elif eq:
                on = 1 if values.to_bool(value) else 0
            if key not in _QUALIFIERS:
                raise QspecError(f"qspec qualifier '/{part}' {NOT_MODELLED}")
            result[key] = on
    return result


class _Run:
    """Errors and output of one call."""

    def __init__(self, proc, spec, errorlog):
        self.proc, self.spec, self.errorlog = proc, spec, errorlog
        self.errors: list[str] = []

    def error(self, text: str) -> None:
        """Record one error: errorlog entry and (unless silenced) a display line [inf]."""
        self.errors.append(text)
        if self.spec.get("display", 1) and self.spec.get("displayerror", 1):
            self.proc.write("ERROR #5001: " + text)
            self.proc.newline()

    def finish(self):
        """Fill errorlog (top node = count, errorlog(n) = text [inf]) and return the %Status."""
        if isinstance(self.errorlog, ByRef):
            self.errorlog.kill()
            self.errorlog.value = len(self.errors)
            for index, text in enumerate(self.errors, 1):
                self.errorlog.set(text, index)
        if not self.errors:
            return status_ok()
        return status_error(5001, self.errors[0] if len(self.errors) == 1
                            else f"{len(self.errors)} errors; the first: {self.errors[0]}")


def _compile_error_text(name: str, path: str, exc: CompileError) -> str:
    where = f"{path}({exc.line})" if exc.line else path
    return f"Class '{name}': {where}: {exc.text}"  # [inf] wording


def _routine_error_text(item: str, path: str, exc) -> str:
    where = f"{path}({exc.line})" if exc.line else path
    return f"Routine '{item}': {where}: {exc.text}"  # [inf] wording, shaped like the class errors


def _load_file(run: _Run, path: str, loaded: list, items: list | None = None) -> None:
    """Load one file; ``loaded`` gets the names of loaded classes, ``items`` (when given) the item names of
    everything loaded (``Pkg.Cls.cls``, ``Name.mac``)."""
    items = [] if items is None else items
    if any(loader(run.proc, path, run.error) for loader in XML_LOADERS):
        return
    lower = path.lower()
    if lower.endswith(".xml"):
        _load_xml(run, path, loaded, items)
        return
    if not lower.endswith((".cls",) + tuple("." + t for t in userroutines.TYPES)):
        run.error(f"Loading '{path}': this file type {NOT_MODELLED}")
        return
    try:
        with open(path, encoding="utf-8-sig") as handle:  # a BOM at the start is not part of the class [inf]
            text = handle.read()
    except OSError as exc:
        run.error(f"File '{path}' cannot be read: {exc.strerror}")  # [inf] wording
        return
    if not lower.endswith(".cls"):
        try:
            name, kind = userroutines.parse_header(text, path)
        except userroutines.RoutineError as exc:
            run.error(_routine_error_text(os.path.basename(path), path, exc))
            return
        items.append(userroutines.store(run.proc, name, kind, text, path))
        return
    try:
        name = classdefs.defined_class_name(classdefs.parse_class(text))
    except CompileError as exc:
        # a file that does not parse is not loaded [inf]
        run.error(_compile_error_text(classdefs.class_name_of(text) or os.path.basename(path), path, exc))
        return
    classdefs.store_class(run.proc, name, text, path)
    loaded.append(name)
    items.append(name + ".cls")


def _load_xml(run: _Run, path: str, loaded: list, items: list) -> None:
    """An XML export (iris-sources.md XMLEXP; DESIGN.md Contract "xmlexp"): every item becomes the UDL text the UDL
    path stores; the whole file is refused (nothing stored) when any item is not modelled or does not parse [inf]."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        run.error(f"File '{path}' cannot be read: {exc.strerror}")  # [inf] wording
        return
    try:
        exported = xmlexport.parse_export(text)
    except xmlexport.XmlExportError as exc:
        run.error(f"Loading '{path}': {exc}")
        return
    staged = []
    for kind, name, udl in exported:
        if kind == "cls":
            try:
                classdefs.parse_class(udl)
            except CompileError as exc:
                run.error(_compile_error_text(name, path, exc))
                return
        else:
            try:
                userroutines.parse_header(udl, path)
            except userroutines.RoutineError as exc:
                run.error(_routine_error_text(f"{name}.{kind}", path, exc))
                return
        staged.append((kind, name, udl))
    for kind, name, udl in staged:
        if kind == "cls":
            classdefs.store_class(run.proc, name, udl, path)
            loaded.append(name)
            items.append(name + ".cls")
        else:
            items.append(userroutines.store(run.proc, name, kind, udl, path))


def _compile_items(run: _Run, items: list) -> None:
    """Compile items (``X.cls``, ``R.mac``, ``R.int``, ``R.inc``): includes first, then INT, CLS, MAC
    (iris-sources.md T12: CompileList compiles in the order INT, CLS, MAC)."""
    order = {"inc": 0, "int": 1, "cls": 2, "mac": 3}
    ranked = sorted(items, key=lambda item: order.get(item.rsplit(".", 1)[-1].lower(), 9))
    classes = [item[:-4] for item in ranked if item.lower().endswith(".cls")]
    done_classes = False
    for item in ranked:
        kind = item.rsplit(".", 1)[-1].lower()
        if kind == "cls":
            if not done_classes:
                _compile(run, classes)
                done_classes = True
            continue
        entry = userroutines.table(run.proc).get(item)
        if entry is None:
            run.error(f"Routine '{item}' does not exist")  # [inf] wording
            continue
        if run.spec.get("checkuptodate") and entry["compiled"] == userroutines.source_hash(entry["source"]):
            continue
        try:
            compiled = userroutines.compile_routine(run.proc, item)
        except userroutines.RoutineError as exc:
            run.error(_routine_error_text(item, entry.get("file", ""), exc))
            continue
        userroutines.mark_compiled(run.proc, item, compiled.includes)


def _compile(run: _Run, names: list) -> None:
    table = classdefs.class_table(run.proc)
    if run.spec.get("checkuptodate"):
        names = [n for n in names if n not in table or table[n]["compiled"] != classdefs.source_hash(table[n]["source"])]
    dependents: list = []
    if run.spec.get("includesubclasses"):
        try:
            dependents = classdefs.subclasses(run.proc, [n for n in names if n in table])
        except CompileError as exc:
            run.error(str(exc.text))
            return
    names = list(names) + [n for n in dependents if n not in names]
    batch = set(names)
    for name in names:
        entry = table.get(name)
        if entry is None:
            run.error(f"Class '{name}' does not exist")  # [inf] wording
            continue
        try:
            cdef = classdefs.compile_stored(run.proc, name, batch)
        except CompileError as exc:
            run.error(_compile_error_text(name, entry.get("file", ""), exc))
            continue
        classdefs.mark_compiled(run.proc, name, cdef.includes)


def _fill_loaded(ref, names) -> None:
    if isinstance(ref, ByRef):
        ref.kill()
        for name in names:
            ref.set("", name)


def _item_names(arg) -> list:
    """Names from a comma list, or from an array passed by reference (its subscripts)."""
    if isinstance(arg, ByRef):
        names, sub = [], arg.order("")
        while sub != "":
            names.append(values.to_str(sub))
            sub = arg.order(sub)
        return names
    return [n.strip() for n in values.to_str(arg).split(",") if n.strip()]


def _start(proc, qspec, errorlog):
    try:
        spec = parse_qspec(qspec)
    except QspecError as exc:
        run = _Run(proc, {"display": 0}, errorlog)
        run.error(str(exc))
        return None, run
    return spec, _Run(proc, spec, errorlog)


@register
class SystemOBJ(SimClass):
    """``%SYSTEM.OBJ`` (``$SYSTEM.OBJ``): class loading and compiling, UDL ``.cls`` only."""

    name = "%SYSTEM.OBJ"
    source = "iris-sources.md T12, T13, T14"
    instantiable = False

    @class_method("Load", source="T12, T13")
    def load(cls, proc, file="", qspec=None, errorlog=None, loadedlist=None, listonly=None):
        """Load one file; with ``c`` compile what it loaded."""
        spec, run = _start(proc, qspec, errorlog)
        if spec is None:
            return run.finish()
        if listonly is not None and values.to_bool(listonly):
            run.error(f"Load with listonly {NOT_MODELLED}")
            return run.finish()
        loaded: list = []
        items: list = []
        _load_file(run, values.to_str(file), loaded, items)
        if spec.get("compile") and items and not run.errors:
            _compile_items(run, items)
        _fill_loaded(loadedlist, items)
        return run.finish()

    @class_method("LoadDir", source="T12, T13, T14")
    def load_dir(cls, proc, directory="", qspec=None, errorlog=None, recurse=None, loadedlist=None):
        """Load every ``.cls`` of a directory (subdirectories with ``recurse``); with ``c`` compile them."""
        spec, run = _start(proc, qspec, errorlog)
        if spec is None:
            return run.finish()
        root = values.to_str(directory)
        if not os.path.isdir(root):
            run.error(f"Directory '{root}' does not exist")  # [inf] wording
            return run.finish()
        deep = values.to_bool(recurse) if recurse is not None else bool(spec.get("recurse"))
        paths = []
        for current, dirs, files in os.walk(root):
            dirs.sort()
            paths.extend(os.path.join(current, f) for f in sorted(files))
            if not deep:
                break
        loaded: list = []
        items: list = []
        for path in paths:
            if path.lower().endswith((".cls", ".mac", ".inc", ".int", ".xml")):
                _load_file(run, path, loaded, items)
        if spec.get("compile") and items:
            _compile_items(run, items)
        _fill_loaded(loadedlist, items)
        return run.finish()

    @class_method("Compile", source="T12")
    def compile(cls, proc, classes="", qspec=None, errorlog=None, recurse=None):  # pylint: disable=unused-argument
        """Compile loaded classes named in a comma list (or an array passed by reference: its subscripts)."""
        spec, run = _start(proc, qspec, errorlog)
        if spec is None:
            return run.finish()
        names = _item_names(classes)
        if any(c in n for n in names for c in "*?'"):
            run.error(f"Compile with wildcards or exclusions {NOT_MODELLED}")
            return run.finish()
        _compile_items(run, [n if n.lower().endswith((".cls", ".mac", ".int", ".inc")) else n + ".cls" for n in names])
        return run.finish()

    @class_method("CompileList", source="T12")
    def compile_list(cls, proc, items="", qspec=None, errorlog=None, updatedlist=None):  # pylint: disable=unused-argument
        """Compile items with their type suffix (``A.cls,R.mac``; a comma list or an array passed by reference:
        its subscripts), in the order INT, CLS, MAC (T12, community quote of the class reference).  ``updatedlist``
        is not filled [inf: its shape is not in the sources]."""
        spec, run = _start(proc, qspec, errorlog)
        if spec is None:
            return run.finish()
        names = _item_names(items)
        if any(c in n for n in names for c in "*?'"):
            run.error(f"CompileList with wildcards or exclusions {NOT_MODELLED}")
            return run.finish()
        bad = [n for n in names if not n.lower().endswith((".cls", ".mac", ".int", ".inc"))]
        if bad:
            run.error(f"CompileList of '{bad[0]}': an item without a type suffix (.cls, .mac, .int, .inc) {NOT_MODELLED}")
            return run.finish()
        _compile_items(run, names)
        return run.finish()

    @class_method("Delete", source="T12, VOBJ, IRISREF24")
    def delete(cls, proc, classes="", qspec=None, errorlog=None):
        """Delete class definitions (a comma list or an array: iris-sources.md N10, VOBJ, IRISREF24 ``Delete(ByRef classes,
        qspec, ByRef errorlog) As %Status``); a class that does not exist is an error [inf: not stated]."""
        spec, run = _start(proc, qspec, errorlog)
        if spec is None:
            return run.finish()
        names = _item_names(classes)
        if any(c in n for n in names for c in "*?'"):
            run.error(f"Delete with wildcards {NOT_MODELLED}")
            return run.finish()
        for name in names:
            name = name[:-4] if name.lower().endswith(".cls") else name
            if not classdefs.delete_class(proc, name):
                run.error(f"Class '{name}' does not exist")  # [inf] wording
        return run.finish()


@register
class Routine(SimClass):
    """``%Library.Routine`` (``%Routine``): only ``Delete(name)`` of a loaded routine item (``Name.mac``)."""

    name = "%Library.Routine"
    aliases = ("%Routine",)
    source = "iris-sources.md N11, VOBJ, IRISREF24"
    instantiable = False

    @class_method("Delete", source="N11, VOBJ, IRISREF24")
    def delete(cls, proc, item=""):
        """Delete the routine ``item`` (``Name.mac``, ``Name.int``, ``Name.inc``); returns a %Status, success also for
        a routine that does not exist (iris-sources.md N11, VOBJ, IRISREF24: the 2024.1 doc says the same)."""
        text = values.to_str(item)
        if text.rsplit(".", 1)[-1].lower() not in userroutines.TYPES:
            return status_error(5001, f"Routine name '{text}' needs its type (.mac, .int, .inc)")  # [inf] wording
        name, kind = text.rsplit(".", 1)
        # iris-sources.md N11, VOBJ, IRISREF24: "If the routine name which is passed does not exists, the method will return
        # success"; flag 0 (the default) deletes MAC, INT and OBJ: the model keeps one entry per loaded item.
        userroutines.delete(proc, f"{name}.{kind.lower()}")
        return status_ok()
