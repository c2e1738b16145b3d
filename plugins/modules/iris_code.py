#!/usr/bin/python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iris_code
short_description: Load and compile a source tree into an InterSystems IRIS namespace
version_added: 0.1.0
description:
  - Loads UDL source files - classes (C(.cls)), routines (C(.mac), C(.int)) and include files (C(.inc)) - and XML
    exports (C(.xml)) from a directory (O(src)) or a list of files (O(files)) on the host where the module runs into O(namespace), and compiles
    them together.
  - Idempotent from content, not timestamps - the SHA-256 of every loaded file is kept on the instance in a global of
    the collection, C(^IrisDevTools("code", <name>)) in O(namespace). When no file was added, changed or removed, the
    module decides "nothing to do" in one IRIS session and reads each local file once.
  - Only the added and changed files are copied into the instance (a staging directory under C(/tmp), removed
    afterwards) and loaded; then all of them are compiled together with O(compile_flags).
  - What is recompiled - the loaded items, and the classes in O(namespace) that extend a loaded class, directly or
    further down (IRIS compile flag C(b), "include sub classes"; IRIS also takes classes that reference a loaded class
    in SQL usage). A subclass that no longer compiles after its superclass changed fails the task under the
    subclass's own file, even when that file did not change.
  - Include files - IRIS substitutes macros when the including class or routine compiles, so when an C(.inc) of the
    tree is added or changed, the module compiles again (without loading them again) the classes and routines of the
    tree that include it, directly or through other include files of the tree (RV(items_recompiled)). It reads the
    include names from the files it already reads - C(Include Name), C(Include (A, B)) and C(IncludeGenerator Name)
    before a UDL class's C(Class) line, C(<IncludeCode>) of an XML export class, C(#include Name) lines of a routine
    or include file. A dependent that no longer compiles fails the task under its own file. Items outside the tree
    that include a changed C(.inc) are not found; with C(u) in O(compile_flags) IRIS decides whether the dependents
    are up to date.
  - A load or compile error fails the task and lists, for each error, the file, the line (when IRIS's message names
    one) and IRIS's message; nothing is recorded then, so the next run loads the changed files again.
  - Routine and include files must start with the UDL header C(ROUTINE Name [Type=MAC|INT|INC]); a class file must
    hold a C(Class Package.Name) line.
  - An XML export (C(<Export generator="IRIS" ...>)) may hold classes (C(<Class name=...>)) and routines
    (C(<Routine name=... type="MAC|INT|INC">)) only; the module reads their names from the file and records them all,
    so O(state=absent) and O(delete_removed) delete every item the file held. A malformed export, one with a DOCTYPE or
    ENTITY declaration, or one holding anything else (globals, documents, projects) fails before anything changes.
  - To remove what the module leaves, run it with O(state=absent) (deletes the loaded classes and routines and the
    record), or kill C(^IrisDevTools("code")) in O(namespace) to forget every record (the code stays).
author:
  - IRIS DevTools contributors (!UNKNOWN)
extends_documentation_fragment:
  - iris_devtools.iris._iris
  - iris_devtools.iris._iris.connection
  - iris_devtools.iris._attributes
  - iris_devtools.iris._attributes.actiongroup_iris
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the record and reports which files would load (RV(files_added), RV(files_changed)), which
        would be forgotten (RV(files_removed)), which items would be deleted and which would compile again because an
        include file changed (RV(items_recompiled)); it cannot predict compile errors.
  diff_mode:
    support: full
    details:
      - The diff shows the files of the tree with their SHA-256 before and after; items compiled again because an include
        file changed are listed in RV(actions) and RV(items_recompiled), not in the diff.
  idempotent:
    support: full
    details:
      - The record on the instance is the truth; a class changed or deleted in IRIS by other means is not noticed until
        its source file changes (or the record is removed).
options:
  name:
    description:
      - Name of the source tree; one record per name, so several trees (an application and its tests) can be loaded
        into one namespace independently.
      - 1 to 64 letters, digits, C(.), C(_) or C(-).
    type: str
    default: default
  state:
    description:
      - V(present) - the files are loaded and compiled, and recorded.
      - V(absent) - the items recorded for O(name) are deleted from the namespace (unless O(delete_items=false)) and the
        record is removed; O(src) and O(files) are not needed.
    type: str
    choices: [present, absent]
    default: present
  src:
    description:
      - Absolute path of a directory on the host where the module runs; its C(.cls), C(.mac), C(.int), C(.inc) and
        C(.xml) files are loaded (hidden files and directories are skipped).
      - A file's name in the record is its path relative to O(src).
      - Mutually exclusive with O(files); one of them is required with O(state=present).
    type: path
  files:
    description:
      - Absolute paths of source files on the host where the module runs; their names in the record are their file
        names, which must be distinct.
    type: list
    elements: path
  recurse:
    description: With O(src), also load the files of its subdirectories.
    type: bool
    default: true
  compile_flags:
    description:
      - IRIS qspec flags and qualifiers for the compile, for example V(ck) or V(cuk/multicompile=0); the module puts
        C(b) first (subclasses of a loaded class compile again; C(-b) here turns that off) and adds C(-d) (errors
        are read from IRIS's error log, not from the display).
      - Letters, C(-) before a flag to turn it off, then C(/qualifier) or C(/qualifier=value) without spaces. Flags that
        turn compiling off (C(-c), C(/nocompile)) are refused.
    type: str
    default: ck
  delete_removed:
    description:
      - With O(state=present), delete from the namespace the classes and routines whose files left the tree since the
        last run (and the old item of a file that now defines another one).
      - When V(false), such files are only forgotten (removed from the record); their items stay in IRIS.
    type: bool
    default: false
  delete_items:
    description: With O(state=absent), delete the recorded classes and routines; V(false) only removes the record.
    type: bool
    default: true
notes:
  - The sources are read on the host where the module runs (the managed host); to load a tree from the controller into
    a container, delegate the task to C(localhost) or copy the tree first.
  - IRIS's error log layout is not documented in the sources the collection relies on; each message is returned as IRIS
    wrote it (see C(docs/iris-sources.md) in the collection).
seealso:
  - module: iris_devtools.iris.iris_container
"""

EXAMPLES = r"""
- name: Load and compile the application
  iris_devtools.iris.iris_code:
    container: iris
    namespace: USER
    name: app
    src: /src/app/src

- name: Load two files with their own flags
  iris_devtools.iris.iris_code:
    container: iris
    name: patch
    files:
      - /src/app/src/Demo/Util.mac
      - /src/app/src/Demo.inc
    compile_flags: cuk

- name: Remove what the app tree loaded
  iris_devtools.iris.iris_code:
    container: iris
    name: app
    state: absent
"""

RETURN = r"""
actions:
  description: What was done (or, in check mode, would be done), for example C(load Demo/Util.mac), C(recompile Demo.Util.mac), C(delete Demo.Old.cls).
  returned: always
  type: list
  elements: str
  sample: ["load Demo/Greeter.cls", "load Demo.inc", "recompile Demo.Util.mac"]
files_added:
  description: Files of the tree that were not in the record (loaded, or would load in check mode).
  returned: always
  type: list
  elements: str
  sample: ["Demo/Greeter.cls"]
files_changed:
  description: Files whose content changed since they were recorded (loaded again).
  returned: always
  type: list
  elements: str
  sample: ["Demo/Util.mac"]
files_removed:
  description: Recorded files that are no longer in the tree (forgotten; their items deleted with O(delete_removed)).
  returned: always
  type: list
  elements: str
  sample: []
files_unchanged:
  description: Number of files whose recorded SHA-256 equals their content (not loaded).
  returned: always
  type: int
  sample: 12
items_loaded:
  description: The items (C(Pkg.Cls.cls), C(Name.mac)) of the loaded files (or that would load in check mode).
  returned: always
  type: list
  elements: str
  sample: ["Demo.Greeter.cls", "Demo.Util.mac"]
items_recompiled:
  description:
    - The classes and routines of the tree compiled again, without being loaded, because they include an added or
      changed C(.inc) (directly or through other include files), or that would be in check mode.
  returned: always
  type: list
  elements: str
  sample: ["Demo.Greeter.cls", "Demo.Util.mac"]
items_deleted:
  description: The classes and routines deleted (or that would be deleted in check mode).
  returned: always
  type: list
  elements: str
  sample: []
namespace:
  description: The namespace the sources were loaded into, as IRIS names it.
  returned: when O(state=present)
  type: str
  sample: USER
record:
  description: The global node of the collection that records the loaded files of O(name) in O(namespace).
  returned: always
  type: str
  sample: '^IrisDevTools("code","app")'
iris_sessions:
  description: IRIS sessions the module opened (1 when nothing changed, 2 when it loaded).
  returned: always
  type: int
  sample: 1
errors:
  description:
    - On failure, one entry per load or compile error - C(file) (the source file, or null when the message names none),
      C(line) (or null) and C(message) (IRIS's text).
  returned: failure
  type: list
  elements: dict
  sample: [{"file": "/src/app/src/Demo/Broken.cls", "line": 7, "message": "Class 'Demo.Broken': Demo/Broken.cls(7): syntax error"}]
"""

from ansible_collections.iris_devtools.iris.plugins.module_utils._code import DEFAULT_FLAGS, STATES, CodeManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import run_module


def argument_spec():
    return dict(
        name=dict(type="str", default="default"),
        state=dict(type="str", choices=list(STATES), default="present"),
        src=dict(type="path"),
        files=dict(type="list", elements="path"),
        recurse=dict(type="bool", default=True),
        compile_flags=dict(type="str", default=DEFAULT_FLAGS),
        delete_removed=dict(type="bool", default=False),
        delete_items=dict(type="bool", default=True),
    )


def main():
    run_module(CodeManager, argument_spec(), mutually_exclusive=[("src", "files")])


if __name__ == "__main__":
    main()
