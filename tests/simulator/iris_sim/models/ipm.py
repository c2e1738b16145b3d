# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IPM, the InterSystems Package Manager (iris-sources.md T5, T15, T16, T39, IPMSRC; issue 14 item 5; DESIGN.md
Contract 13).

* **Installing IPM** (T15, T39): ``$SYSTEM.OBJ.Load("/path/zpm.xml","ck")`` of the installer XML export. The simulator
  cannot load a real installer (thousands of classes); it recognises only its own stand-in, an XML export whose root is
  ``<Export iris-sim="ipm-installer">`` holding the IPM module document ``<Document name="ZPM.ZPM"><Module><Name>ZPM
  </Name><Version>X</Version>`` (the shape of IPM's own module.xml, IPMSRC). Such a file installs "IPM version X" in
  the namespace it is loaded in (0.9.0+: per namespace, T15). A real installer (the same document without the marker)
  fails loudly: "not modelled". Versions: 0.9.x and 0.10.x (T15 compatibility matrix: 0.10.x needs IRIS 2022.1+);
  below 0.9 the ``%ZPM`` generation needs IRIS < 2025.1 (T15) and the simulator is 2025.1: refused. Any other XML is
  left to ``%SYSTEM.OBJ`` (which refuses it).
* **Entry points** (T5, IPMSRC): ``##class(%IPM.Main).Shell(cmd, terminateOnError=0, haltOnComplete=0)`` returns a
  %Status; an error with ``terminateOnError`` calls ``$system.Process.Terminate($job,1)`` (exit status 1);
  ``haltOnComplete`` halts. ``GetVersion(names,.out)`` sets ``out(name)=$lb(ns,version)``. ``%IPM.Storage.Module``
  ``NameExists(name)`` / ``NameOpen(name,,.sc)`` (unique index Name, property VersionString; IPM itself is module
  ``zpm``, IPMSRC). Where IPM is not installed these classes do not exist (``<CLASS DOES NOT EXIST>``). The
  language extension ``zpm "..."`` (T5 ``%ZLANGC00``) is not in the simulator's grammar: ``<SYNTAX>``. Legacy
  ``%ZPM.PackageManager`` (T8) is never installed here (above), so it does not exist.
* **Commands** (T5 Main.cls, T15, CHANGELOG): ``version``, ``list-installed`` / ``list``, ``load <dir|file.tgz>``
  (``.tar.gz`` and a nested module.xml from 0.10.0, CHANGELOG #474), ``repo -name N -fs -path P [-depth D]`` (T15
  Filesystem/Definition.cls; depth 0 = unlimited), ``install <name> [<version>]`` from the filesystem repositories,
  ``uninstall <name> [-force]`` (refused while other modules depend on it unless ``-force``, T5). Modifiers ``-dev``,
  ``-nodev``, ``-verbose``/``-v``, ``-quiet``/``-q`` are accepted. Every other command or modifier is an error
  "not modelled by the simulator". The printed texts are ours [inf].
* **module.xml** (T5, T41, IPMSRC): ``Name`` (no spaces, at most 255 characters: IPMSRC ModuleName), ``Version``
  (semantic version), ``Dependencies/ModuleReference`` (Name, Version: an exact version, ``>=V`` or ``*``),
  ``SourcesRoot``, ``Resource Name="Pkg.PKG"|"Pkg.Cls.CLS"`` (UDL ``.cls`` files under SourcesRoot, loaded and
  compiled through the ``%SYSTEM.OBJ`` model, Contract 8; which file holds a class is decided by its ``Class``
  line [inf]), ``UnitTest`` (recorded, run only by a test phase, T4; not loaded), and the descriptive elements
  ``Description``, ``Keywords``, ``Author``, ``Packaging``, ``ExternalName``. Any other element (``Invoke``,
  ``WebApplication``, ``SystemRequirements``, ``UpdatePackage``, ...) or resource kind is an error.
* **Installing** a module: its dependencies first (installed at a satisfying version, else from a filesystem
  repository), then its resources; a failure rolls back what this command loaded unless ``-dev`` (T5: developer
  mode does not roll back). Installing a version over another installed version of the same module: an upgrade
  replaces it (T5: ``install`` of a newer version; 0.10.4+ blocks it only for modules that define UpdatePackage, which
  the model refuses anyway); a downgrade is not modelled (error). Uninstall removes the module's classes [inf].
* **State** per namespace in the routines database's payload section ``ipm`` [inf: layout ours].
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tarfile
import tempfile
import xml.etree.ElementTree as ET

from iris_sim import classdefs, objects, values
from iris_sim.classdefs import NOT_MODELLED, CompileError
from iris_sim.errors import IrisError, SessionEnd, is_error, status_error, status_ok, status_text
from iris_sim.models import sysobj
from iris_sim.models import unittest as unittest_model
from iris_sim.objects import ByRef, Prop, SimClass, SimObject, class_method, register

SECTION = "ipm"
IPM_MODULE = "zpm"  # IPMSRC: $$$IPMModuleName "zpm" (src/inc/IPM/Common.inc)
INSTALLER_MARK = "ipm-installer"  # <Export iris-sim="ipm-installer">: the simulator's stand-in for zpm.xml
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_MODULE_ELEMENTS = {"Name", "Version", "Dependencies", "SourcesRoot", "Resource", "UnitTest", "Description",
                    "Keywords", "Author", "Packaging", "ExternalName"}
_QUIET_MODIFIERS = {"-dev", "-nodev", "-verbose", "-v", "-quiet", "-q"}


class IpmError(Exception):
    """A command failed (becomes the error %Status of Shell)."""


def version_key(text: str):
    """Sort key of a semantic version; a pre-release sorts before its release (semver) [inf: IPM's own ordering]."""
    match = _SEMVER.match(text or "")
    if not match:
        raise IpmError(f"'{text}' is not a semantic version")
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


def _state(proc) -> dict:
    return classdefs.routines_db(proc).extra.setdefault(SECTION, {})


def _dirty(proc) -> None:
    classdefs.routines_db(proc).dirty = True


def installed_version(proc) -> str:
    """The IPM version installed in the process's namespace, or ''."""
    try:
        return _state(proc).get("version", "")
    except IrisError:
        return ""


def _require_ipm(proc, class_name: str) -> dict:
    if not installed_version(proc):
        raise IrisError("CLASS DOES NOT EXIST", class_name)
    return _state(proc)


# -- the installer stand-in ----------------------------------------------------------------------
def installer_version(path: str) -> str | None:
    """The IPM version a stand-in installer file carries; None for an XML file that is no IPM installer.

    Raises IpmError for a real IPM installer (not modelled) or a malformed stand-in."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return None
    docs = [d for d in root.findall("Document") if d.get("name", "").upper() == "ZPM.ZPM"] if root.tag == "Export" else []
    marked = root.get("iris-sim") == INSTALLER_MARK
    if not docs and not marked:
        return None
    if not marked:
        raise IpmError(f"'{path}' looks like a real IPM installer export; loading it {NOT_MODELLED} (the simulator "
                       f"recognises only its stand-in <Export iris-sim=\"{INSTALLER_MARK}\">)")
    module = docs[0].find("Module") if docs else None
    name = module.findtext("Name", "").strip() if module is not None else ""
    version = module.findtext("Version", "").strip() if module is not None else ""
    if name.upper() != "ZPM" or not _SEMVER.match(version):
        raise IpmError(f"'{path}': the IPM installer stand-in needs <Document name=\"ZPM.ZPM\"><Module><Name>ZPM</Name>"
                       f"<Version>semantic version</Version>")
    return version


def _install_ipm(proc, version: str) -> None:
    key = version_key(version)
    if key[:2] < (0, 9):
        # T15: IPM < 0.9 (%ZPM) runs only on IRIS < 2025.1; the simulator is 2025.1
        raise IpmError(f"IPM {version} (the %ZPM generation) needs IRIS < 2025.1; this is 2025.1")
    if key[:2] not in ((0, 9), (0, 10)):
        raise IpmError(f"IPM {version}: only the 0.9.x and 0.10.x versions the sources describe are modelled")
    state = _state(proc)
    current = state.get("version")
    if current and version_key(current) > key:
        raise IpmError(f"loading IPM {version} over IPM {current} (a downgrade) {NOT_MODELLED}")
    state["version"] = version
    modules = state.setdefault("modules", {})
    modules[IPM_MODULE] = {"version": version, "deps": {}, "classes": [], "unittests": [], "path": ""}
    state.setdefault("repos", {})
    _dirty(proc)


def xml_loader(proc, path: str, error) -> bool:
    """``sysobj`` hook: load an IPM installer stand-in; False for any other file (sysobj handles it)."""
    if not path.lower().endswith(".xml"):
        return False
    try:
        version = installer_version(path)
        if version is None:
            return False
        _install_ipm(proc, version)
    except IpmError as exc:
        error(f"Loading '{path}': {exc}")
    return True


sysobj.XML_LOADERS.append(xml_loader)


# -- module.xml ------------------------------------------------------------------------------------
def parse_module_xml(path: str) -> dict:
    """name, version, deps {name: expression}, sources_root, resources [names], unittests [{...}]."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise IpmError(f"'{path}' is not a readable module.xml: {exc}") from exc
    module = root.find("Document/Module") if root.tag == "Export" else (root if root.tag == "Module" else None)
    if module is None:
        raise IpmError(f"'{path}': no <Export><Document><Module> element")
    for child in module:
        if child.tag not in _MODULE_ELEMENTS:
            raise IpmError(f"'{path}': module.xml element <{child.tag}> {NOT_MODELLED}")
    name = module.findtext("Name", "").strip()
    version = module.findtext("Version", "").strip()
    if not name or " " in name or len(name) > 255:  # IPMSRC ModuleName.IsValid: no spaces, MAXLEN 255
        raise IpmError(f"'{path}': invalid module name '{name}'")
    version_key(version)
    deps = {}
    for ref in module.findall("Dependencies/ModuleReference"):
        dep_name = ref.findtext("Name", "").strip()
        if not dep_name:
            raise IpmError(f"'{path}': a ModuleReference without a Name")
        deps[dep_name] = ref.findtext("Version", "").strip() or "*"
    resources = []
    for res in module.findall("Resource"):
        res_name = res.get("Name", "")
        if set(res.attrib) - {"Name"}:
            raise IpmError(f"'{path}': Resource attributes {sorted(set(res.attrib) - {'Name'})} {NOT_MODELLED}")
        if not re.match(r"^[%A-Za-z][A-Za-z0-9.]*\.(PKG|CLS)$", res_name, re.IGNORECASE):
            raise IpmError(f"'{path}': Resource '{res_name}' {NOT_MODELLED} (only Pkg.PKG and Pkg.Cls.CLS)")
        resources.append(res_name)
    unittests = [dict(u.attrib) for u in module.findall("UnitTest")]
    return {"name": name, "version": version, "deps": deps, "sources_root": module.findtext("SourcesRoot", "").strip(),
            "resources": resources, "unittests": unittests, "dir": os.path.dirname(path)}


def satisfies(version: str, expression: str) -> bool:
    """Does ``version`` satisfy a dependency expression: exact, ``>=V`` or ``*`` (others not modelled)."""
    expression = expression.strip()
    if expression in ("", "*"):
        return True
    if expression.startswith(">="):
        return version_key(version) >= version_key(expression[2:].strip())
    if _SEMVER.match(expression):
        return version_key(version) == version_key(expression)
    raise IpmError(f"dependency version expression '{expression}' {NOT_MODELLED}")


def _find_module_xml(directory: str, nested: bool) -> str:
    top = os.path.join(directory, "module.xml")
    if os.path.isfile(top):
        return top
    if nested:  # CHANGELOG #474 (0.10.0): the top-most module.xml of a tarball
        for current, dirs, files in os.walk(directory):
            dirs.sort()
            if "module.xml" in files:
                return os.path.join(current, "module.xml")
    raise IpmError(f"no module.xml in '{directory}'")


def _unpack(path: str, work: str) -> None:
    """Unpack a gzip tarball: regular files and directories only, no absolute or ``..`` member names."""
    with tarfile.open(path, "r:gz") as archive:
        for member in archive.getmembers():
            target = os.path.normpath(os.path.join(work, member.name))
            if os.path.isabs(member.name) or not target.startswith(work + os.sep) and target != work:
                raise IpmError(f"tarball member '{member.name}' points outside the archive")
            if member.isdir():
                os.makedirs(target, exist_ok=True)
            elif member.isfile():
                os.makedirs(os.path.dirname(target), exist_ok=True)
                source = archive.extractfile(member)
                with open(target, "wb") as handle:
                    shutil.copyfileobj(source, handle)
            else:
                raise IpmError(f"tarball member '{member.name}' is not a file or directory {NOT_MODELLED}")


def _scan_repo(path: str, depth: int) -> list[dict]:
    """Every module.xml under a filesystem repository, up to ``depth`` levels (0 = unlimited; T15)."""
    found = []
    base = os.path.normpath(path)
    for current, dirs, files in os.walk(base):
        dirs.sort()
        level = 0 if current == base else os.path.relpath(current, base).count(os.sep) + 1
        if "module.xml" in files:
            found.append(parse_module_xml(os.path.join(current, "module.xml")))
        if depth and level >= depth:
            dirs[:] = []
    return found


# -- resources -------------------------------------------------------------------------------------
def _resource_classes(info: dict) -> list[tuple[str, str, str]]:
    """(class name, file, text) for the module's resources, from the .cls files under SourcesRoot."""
    if not info["resources"]:
        return []
    root = os.path.join(info["dir"], info["sources_root"]) if info["sources_root"] else info["dir"]
    files = {}
    for current, dirs, names in os.walk(root):
        dirs.sort()
        for fname in sorted(names):
            if fname.lower().endswith(".cls"):
                path = os.path.join(current, fname)
                with open(path, encoding="utf-8-sig") as handle:
                    text = handle.read()
                cname = classdefs.class_name_of(text)
                if cname:
                    files[cname] = (path, text)
    out = []
    for res in info["resources"]:
        stem, kind = res[:-4], res[-3:].upper()
        matched = [c for c in sorted(files) if (c.startswith(stem + ".") if kind == "PKG" else c == stem)]
        if not matched:
            raise IpmError(f"module {info['name']}: resource {res} matches no .cls file under '{root}'")
        out.extend((c, files[c][0], files[c][1]) for c in matched if c not in [o[0] for o in out])
    return out


def _load_classes(proc, info: dict) -> list[str]:
    classes = _resource_classes(info)
    for cname, path, text in classes:
        classdefs.store_class(proc, cname, text, path)
    batch = {c[0] for c in classes}
    for cname, path, _text in classes:
        try:
            cdef = classdefs.compile_stored(proc, cname, batch)
        except CompileError as exc:
            raise IpmError(f"module {info['name']}: compiling {cname} failed: {path}({exc.line}): {exc.text}") from exc
        classdefs.mark_compiled(proc, cname, cdef.includes)
    return sorted(batch)


def _remove_classes(proc, names) -> None:
    table = classdefs.class_table(proc)
    for name in names:
        table.pop(name, None)
    _dirty(proc)
    classdefs.forget_classes(proc)


# -- commands --------------------------------------------------------------------------------------
class _Command:
    """One Shell command run in a process."""

    def __init__(self, proc, state: dict):
        self.proc, self.state = proc, state
        self.modules = state.setdefault("modules", {})
        self.repos = state.setdefault("repos", {})

    def say(self, text: str) -> None:
        self.proc.write(text)
        self.proc.newline()

    def install_info(self, info: dict, dev: bool, loaded: list) -> None:
        """Install ``info`` (dependencies first); ``loaded`` collects classes for a rollback."""
        name, version = info["name"], info["version"]
        for dep, expression in info["deps"].items():
            have = self.modules.get(dep)
            if have and satisfies(have["version"], expression):
                continue
            self.install_from_repo(dep, expression, dev, loaded)
        have = self.modules.get(name)
        if have and version_key(have["version"]) > version_key(version):
            raise IpmError(f"installing {name} {version} over {have['version']} (a downgrade) {NOT_MODELLED}")
        if have:
            _remove_classes(self.proc, have["classes"])
        classes = _load_classes(self.proc, info)
        loaded.extend(classes)
        self.modules[name] = {"version": version, "deps": dict(info["deps"]), "classes": classes,
                              "unittests": info["unittests"], "path": info["dir"]}
        _dirty(self.proc)
        self.say(f"[{name}] {version} installed")  # [inf] wording

    def install_from_repo(self, name: str, expression: str, dev: bool, loaded: list) -> None:
        if not self.repos:
            raise IpmError(f"module {name} {expression}: no repository is configured")  # [inf] wording
        candidates = []
        for repo in self.repos.values():
            for info in _scan_repo(repo["path"], repo["depth"]):
                if info["name"] == name and satisfies(info["version"], expression):
                    candidates.append(info)
        if not candidates:
            raise IpmError(f"Could not find satisfying version of module {name} {expression}")  # [inf] wording
        best = max(candidates, key=lambda i: version_key(i["version"]))
        self.install_info(best, dev, loaded)

    def run(self, words: list[str]) -> None:
        if not words:
            raise IpmError(f"the interactive shell (an empty command) {NOT_MODELLED}")
        verb, args = words[0].lower(), words[1:]
        handler = {"version": self.cmd_version, "list-installed": self.cmd_list, "list": self.cmd_list,
                   "load": self.cmd_load, "install": self.cmd_install, "uninstall": self.cmd_uninstall,
                   "repo": self.cmd_repo, "test": self.cmd_test}.get(verb)
        if handler is None:
            raise IpmError(f"command '{words[0]}' {NOT_MODELLED}")
        handler(args)

    @staticmethod
    def split(args: list[str], allowed: set) -> tuple[list[str], set]:
        plain, mods = [], set()
        for arg in args:
            if arg.startswith("-"):
                if arg.lower() not in allowed:
                    raise IpmError(f"modifier '{arg}' {NOT_MODELLED}")
                mods.add(arg.lower())
            else:
                plain.append(arg)
        return plain, mods

    def cmd_version(self, args) -> None:
        self.split(args, set())
        self.say(f"{IPM_MODULE} {self.state['version']}")  # [inf] wording

    def cmd_list(self, args) -> None:
        self.split(args, set())
        for name in sorted(self.modules):
            self.say(f"{name} {self.modules[name]['version']}")  # [inf] layout

    def cmd_load(self, args) -> None:
        plain, mods = self.split(args, _QUIET_MODIFIERS)
        if len(plain) != 1:
            raise IpmError("load needs one path (a directory or a .tgz file)")
        path = plain[0]
        nested = version_key(self.state["version"]) >= (0, 10, 0, 0, "")
        if os.path.isdir(path):
            self._install_path(_find_module_xml(path, False), "-dev" in mods)
            return
        lower = path.lower()
        if not os.path.isfile(path):
            raise IpmError(f"'{path}' does not exist")
        if not (lower.endswith(".tgz") or (lower.endswith(".tar.gz") and nested)):
            raise IpmError(f"'{path}' is neither a directory nor a {'.tgz/.tar.gz' if nested else '.tgz'} file"
                           " (CHANGELOG #474: .tar.gz from 0.10.0)")
        work = tempfile.mkdtemp(prefix="iris-sim-ipm-")
        try:
            try:
                _unpack(path, work)
            except (tarfile.TarError, OSError) as exc:
                raise IpmError(f"'{path}' cannot be unpacked: {exc}") from exc
            module_xml = _find_module_xml(work, nested)
            if version_key(self.state["version"]) >= (0, 10, 7, 1, ""):
                module_xml = self._keep_in_module_root(module_xml)
            self._install_path(module_xml, "-dev" in mods)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _keep_in_module_root(self, module_xml: str) -> str:
        """IPMSRC (CHANGELOG #945, 0.10.7; Main.cls Load): a tarball's module directory is copied to
        ``<ModuleRoot><name>/<version>/`` (ModuleRoot defaults to ``$SYSTEM.Util.DataDirectory()_"ipm/"``; replaced when
        it exists) and loaded from there, so the module's root outlives the load.  Before 0.10.7 it stayed in a
        temporary directory: whether that survives is not in the sources (the test phase refuses such a module)."""
        info = parse_module_xml(module_xml)  # ModuleRoot stays the default: the "config" command is not modelled
        final = os.path.join(self.proc.instance.data_dir, "ipm", info["name"], info["version"])
        shutil.rmtree(final, ignore_errors=True)
        shutil.copytree(os.path.dirname(module_xml), final)
        return os.path.join(final, "module.xml")

    def _install_path(self, module_xml: str, dev: bool) -> None:
        info = parse_module_xml(module_xml)
        loaded: list = []
        try:
            self.install_info(info, dev, loaded)
        except IpmError:
            if not dev:  # T5: outside developer mode a failed install is rolled back
                _remove_classes(self.proc, loaded)
            raise

    def cmd_repo(self, args) -> None:
        opts, i = {}, 0
        while i < len(args):
            arg = args[i].lower()
            if arg in ("-name", "-n", "-path", "-depth"):
                if i + 1 >= len(args):
                    raise IpmError(f"repo {args[i]} needs a value")
                opts[arg.lstrip("-")[:1] if arg == "-n" else arg.lstrip("-")] = args[i + 1]
                i += 2
            elif arg in ("-fs", "-filesystem"):
                opts["fs"] = True
                i += 1
            else:
                raise IpmError(f"repo modifier '{args[i]}' {NOT_MODELLED} (only -name -fs -path -depth)")
        name = opts.get("name") or opts.get("n")
        if not opts.get("fs") or not name or not opts.get("path"):
            raise IpmError(f"repo without -fs -name -path {NOT_MODELLED}")
        if not os.path.isdir(opts["path"]):
            raise IpmError(f"repository path '{opts['path']}' does not exist")  # [inf]
        depth = opts.get("depth", "0")
        if not depth.isdigit():
            raise IpmError(f"repo -depth '{depth}' is not a number")
        self.repos[name] = {"path": opts["path"], "depth": int(depth)}
        _dirty(self.proc)
        self.say(f"repository {name} (filesystem {opts['path']}) saved")  # [inf] wording

    def cmd_install(self, args) -> None:
        plain, mods = self.split(args, _QUIET_MODIFIERS)
        if len(plain) not in (1, 2):
            raise IpmError("install needs a module name and an optional version")
        if "/" in plain[0]:
            raise IpmError(f"install registry/module {NOT_MODELLED}")
        expression = plain[1] if len(plain) == 2 else "*"
        loaded: list = []
        try:
            self.install_from_repo(plain[0], expression, "-dev" in mods, loaded)
        except IpmError:
            if "-dev" not in mods:
                _remove_classes(self.proc, loaded)
            raise

    def cmd_test(self, args) -> None:
        """``test <module> -only`` (IPMTEST: IPMT2, IPMT4, IPMT6; IPMCI: IPMT3, IPMT7; Contract 15 in DESIGN.md)."""
        fatal = True  # IPMT4: -DUnitTest.FailuresAreFatal defaults to 1
        for item in [a for a in args if a.startswith("-D")]:
            key, dummy, value = item[2:].partition("=")
            if key != "UnitTest.FailuresAreFatal" or value not in ("0", "1"):
                raise IpmError(f"test modifier '{item}' {NOT_MODELLED} (only -DUnitTest.FailuresAreFatal=0|1)")
            fatal = value == "1"
        plain, mods = self.split([a for a in args if not a.startswith("-D")], _QUIET_MODIFIERS | {"-only", "-o"})
        if len(plain) != 1:
            raise IpmError("test needs one module name")  # [inf] wording
        if not mods & {"-only", "-o"}:
            # IPMT6: without -only the phases Reload ... Activate run first (a reinstall of the module's resources).
            raise IpmError(f"test without -only (the phases before Test) {NOT_MODELLED}")
        have = self.modules.get(plain[0])
        if have is None:
            raise IpmError(f"module {plain[0]} is not installed")  # [inf] wording
        verbose = bool(mods & {"-v", "-verbose"})
        indexes: list = []
        for unittest in have.get("unittests") or []:
            extra = sorted(set(unittest) - {"Name", "Package", "Phase"})
            if extra:
                raise IpmError(f"UnitTest attributes {extra} {NOT_MODELLED}")
            phases = [p.strip().lower() for p in unittest.get("Phase", "test").split(",")]
            if "test" not in phases:
                continue  # IPMT2: TestsShouldRun needs the phase in Phase
            if not unittest.get("Package"):
                raise IpmError(f"a UnitTest without Package {NOT_MODELLED}")
            indexes.extend(self.run_unittest(have, unittest, verbose))
        # IPMT6: a module without UnitTest resources in the test phase runs nothing and succeeds [inf: no source shows
        # the empty case, but %Test only calls OnPhase of the resources in scope].
        failures = sum(_failure_rows(self.proc, index) for index in indexes)
        self.say("Test Results: " + ", ".join(f"^UnitTest.Result({i})" for i in indexes))  # [inf] wording
        if fatal and failures:
            # IPMT4 (GetAllTestsStatus): one row per case error, method error and failed assertion -> an error status
            raise IpmError(f"{failures} failure(s).")
        self.say(f"[{plain[0]}] Test SUCCESS")  # [inf] wording

    def run_unittest(self, have: dict, unittest: dict, verbose: bool) -> list:
        """One ``<UnitTest Package>`` resource (IPMT2): load its directory without compiling, compile the package, run
        RunTest("") under ^UnitTestRoot = the package's directory (stashed and put back); the new result indexes."""
        proc, package = self.proc, unittest["Package"]
        directory = os.path.join(have.get("path") or "", unittest.get("Name", "").strip("/"))
        if not os.path.isdir(directory):
            # A module loaded from an archive: where IPM keeps its root after the load is not in the sources.
            raise IpmError(f"simulator: the test directory '{directory}' of a module whose root is gone (loaded "
                           f"from an archive) {NOT_MODELLED}")
        package_dir = os.path.join(directory, *package.split("."))
        files = _test_files(directory, package_dir)
        if not files:
            raise IpmError(f"simulator: the test phase of a test directory without classes in '{package_dir}' "
                           f"(CompilePackage of {package} without classes) {NOT_MODELLED}")
        # IPMT2/IPMT7: LoadTestDirectory = $system.OBJ.LoadDir(dir,"k/nodisplay") (no compile; UDL .cls files load:
        # LOADDIRUDL), then CompilePackage(Package,"ck-d"); an error stops the phase ($$$ThrowOnError).
        run = sysobj._Run(proc, {"display": int(verbose)}, None)  # pylint: disable=protected-access
        loaded: list = []
        for path in files:
            sysobj._load_file(run, path, loaded)  # pylint: disable=protected-access
        names = sorted(n for n in classdefs.class_table(proc) if n.startswith(package + "."))
        if not run.errors and names:
            sysobj._compile(run, names)  # pylint: disable=protected-access
        if run.errors:
            raise IpmError(run.errors[0])
        store = proc.global_store()
        if store.data("UnitTestRoot") >= 10:
            raise IpmError(f"simulator: ^UnitTestRoot with subscripts (IPM zkills its top node) {NOT_MODELLED}")
        old = store.get("UnitTestRoot") if store.data("UnitTestRoot") % 10 else None
        before = store.order(unittest_model.RESULT, ("",), -1) if store.data(unittest_model.RESULT) else ""
        # IPMT2/IPMCI: ^UnitTestRoot = <root><Name><Package with "." -> "\">, normalised (IPM's own integration tests
        # read it as a directory on Linux); "/nodelete" because the package has classes.
        store.set("UnitTestRoot", (), os.path.join(package_dir, ""))
        try:
            qspec = ("/display=all" if verbose else "/display=none") + "/nodelete"
            status = objects.call_class_method(proc, "%UnitTest.Manager", "RunTest", ["", qspec])
        finally:
            store.kill("UnitTestRoot")
            if old is not None:
                store.set("UnitTestRoot", (), old)
        if is_error(status):
            raise IpmError(status_text(status))
        new, index = [], before
        while True:
            index = store.order(unittest_model.RESULT, (index,))
            if index == "":
                return new
            new.append(index)

    def cmd_uninstall(self, args) -> None:
        plain, mods = self.split(args, _QUIET_MODIFIERS | {"-force", "-f"})
        if len(plain) != 1:
            raise IpmError("uninstall needs one module name (-all, -recurse and -global are not modelled)")
        name = plain[0]
        if name == IPM_MODULE:
            raise IpmError(f"uninstalling IPM itself {NOT_MODELLED}")
        have = self.modules.get(name)
        if have is None:
            raise IpmError(f"module {name} is not installed")  # [inf] wording
        dependents = sorted(n for n, m in self.modules.items() if name in m.get("deps", {}))
        if dependents and not mods & {"-force", "-f"}:
            raise IpmError(f"cannot uninstall {name}: required by {', '.join(dependents)}")  # T5; wording [inf]
        _remove_classes(self.proc, have["classes"])
        del self.modules[name]
        _dirty(self.proc)
        self.say(f"[{name}] uninstalled")  # [inf] wording


def _test_files(directory: str, package_dir: str) -> list:
    """The files LoadTestDirectory and RunTest would load; what the sources leave open is refused (IpmError).

    IPMCI shows UDL classes in the package's directory loaded and run.  Loadable files elsewhere under the test
    directory (LoadDir loads them, CompilePackage may not compile them, RunTest does not run them: IPMT3 [inf]) and
    files in subdirectories of the package's directory (RunTest's sub-testsuites, named how: IPMT8) are not modelled.
    Directories whose names begin with "_" are skipped (IPMT2: LoadTestDirectory; IRISREF24: RunTest)."""
    loadable = (".cls", ".mac", ".int", ".inc", ".xml")
    inside, outside = [], []
    for current, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("_"))
        for name in sorted(names):
            if name.lower().endswith(loadable):
                path = os.path.join(current, name)
                (inside if os.path.dirname(path) == os.path.normpath(package_dir) else outside).append(path)
    if outside:
        raise IpmError(f"simulator: '{outside[0]}' is outside the package's directory '{package_dir}' (loaded by "
                       f"LoadTestDirectory, not run by RunTest [inf]: iris-sources.md IPMT3; in a subdirectory of "
                       f"it, a sub-testsuite: IPMT8) {NOT_MODELLED}")
    return inside


def _failure_rows(proc, index) -> int:
    """IPMT4 (GetAllTestsStatus): case errors + method errors (an error category recorded) + failed assertions."""
    store, count = proc.global_store(), 0

    def children(subs):
        sub = store.order(unittest_model.RESULT, subs + ("",))
        while sub != "":
            yield subs + (sub,)
            sub = store.order(unittest_model.RESULT, subs + (sub,))

    for suite in children((index,)):
        for case in children(suite):
            count += bool(values.to_str(_piece(store, case, 3)))
            for method in children(case):
                count += bool(values.to_str(_piece(store, method, 3)))
                count += sum(1 for node in children(method) if values.to_int(_piece(store, node, 1)) == 0)
    return count


def _piece(store, subs, position):
    items = values.list_items(store.get(unittest_model.RESULT, subs, "") or "")
    return items[position - 1] if len(items) >= position else ""


def run_command(proc, command: str):
    """Run one IPM command in the process's namespace; the %Status."""
    state = _state(proc)
    try:
        words = shlex.split(values.to_str(command))
    except ValueError as exc:
        words, error = None, f"command cannot be split: {exc}"
    if words is not None:
        try:
            _Command(proc, state).run(words)
            return status_ok()
        except IpmError as exc:
            error = str(exc)
    proc.write("ERROR: " + error)  # [inf] wording
    proc.newline()
    return status_error(5001, error)


@register
class IpmMain(SimClass):
    """``%IPM.Main`` (0.9+; T5, IPMSRC)."""

    name = "%IPM.Main"
    source = "iris-sources.md T5, IPMSRC"
    instantiable = False

    @class_method("Shell", source="T5, IPMSRC (Main.cls Shell)")
    def shell(cls, proc, command="", terminate_on_error=0, halt_on_complete=0):
        """Run ``command``; error %Status (Terminate($job,1) with terminateOnError); halt with haltOnComplete."""
        _require_ipm(proc, cls.name)
        status = run_command(proc, command)
        if is_error(status) and values.to_bool(terminate_on_error):
            raise SessionEnd(1)
        if values.to_bool(halt_on_complete):
            raise SessionEnd(0)
        return status

    @class_method("GetVersion", source="T5 (Main.cls GetVersion)")
    def get_version(cls, proc, names="", out=None, _list=None):
        """``out(name)=$lb(namespace,version)`` for each named installed module (no registry: no top node)."""
        modules = _require_ipm(proc, cls.name).get("modules", {})
        if isinstance(out, ByRef):
            for name in (n.strip() for n in values.to_str(names).split(",")):
                if name in modules:
                    out.set(values.list_build([proc.namespace, modules[name]["version"]]), name)


@register
class IpmStorageModule(SimClass):
    """``%IPM.Storage.Module`` (IPMSRC: unique index Name, property VersionString)."""

    name = "%IPM.Storage.Module"
    source = "iris-sources.md T5, IPMSRC"
    instantiable = False
    properties = {"Name": Prop("", source="IPMSRC", readonly=True),
                  "VersionString": Prop("", source="IPMSRC", readonly=True)}

    @class_method("NameExists", source="IPMSRC (Index Name On Name [ Unique ])")
    def name_exists(cls, proc, name="", _id=None):
        """1 when module ``name`` is installed (exact name [inf: the index collation is not in the sources])."""
        return 1 if values.to_str(name) in _require_ipm(proc, cls.name).get("modules", {}) else 0

    @class_method("NameOpen", source="IPMSRC (NameOpen(name,,.sc) in Main.cls)")
    def name_open(cls, proc, name="", _concurrency=None, status=None):
        """The module object, or "" (status: an error [inf])."""
        modules = _require_ipm(proc, cls.name).get("modules", {})
        key = values.to_str(name)
        if key not in modules:
            if isinstance(status, ByRef):
                status.value = status_error(5809, f"%IPM.Storage.Module {key}")  # [inf] code
            return ""
        obj = SimObject(cls)
        obj.props.update(Name=key, VersionString=modules[key]["version"])
        if isinstance(status, ByRef):
            status.value = status_ok()
        return obj
