# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``%Library.File`` (``%File``): the file utilities of iris-sources.md §3.4 (S9 code-live, S23).

Boolean-returning methods return 1/0 as in IRIS.  ``CopyFile`` copies bytes as they are, so copying
a mounted ``IRIS.DAT`` copies its mount mark (iris-sources.md §0.6).
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import time

from iris_sim import faults, values
from iris_sim.errors import IrisError
from iris_sim.models.resultset import register_query
from iris_sim.objects import SimClass, class_method, register


def _path(value) -> str:
    return values.to_str(value)


@register
class File(SimClass):
    """``%Library.File`` (alias ``%File``)."""

    name = "%Library.File"
    aliases = ("%File",)
    source = "iris-sources.md §3.4 S9, S23"

    @class_method("CopyFile", source="S9, S23")
    def copy_file(cls, proc, src, dst, delete_before=None, ret=None):  # pylint: disable=unused-argument
        """Copy ``src`` to ``dst`` (a directory target keeps the file name) → 1/0."""
        if faults.trip(proc, "%Library.File.CopyFile"):  # fault injection for tests (faults.py)
            return 0
        try:
            shutil.copyfile(_path(src), os.path.join(_path(dst), os.path.basename(_path(src)))
                            if os.path.isdir(_path(dst)) else _path(dst))
        except OSError:
            return 0
        return 1

    @class_method("CreateDirectoryChain", source="S9 (returns boolean)")
    def create_chain(cls, proc, directory, ret=None):  # pylint: disable=unused-argument
        """``mkdir -p`` → 1/0."""
        if faults.trip(proc, "%Library.File.CreateDirectoryChain"):  # fault injection for tests (faults.py)
            return 0
        try:
            os.makedirs(_path(directory), exist_ok=True)
        except OSError:
            return 0
        return 1

    @class_method("CreateDirectory", source="inferred (sibling of CreateDirectoryChain)")
    def create_dir(cls, proc, directory, ret=None):  # pylint: disable=unused-argument
        """``mkdir`` (parent must exist) → 1/0."""
        try:
            os.mkdir(_path(directory))
        except OSError:
            return 0
        return 1

    @class_method("DirectoryExists", source="S9")
    def dir_exists(cls, proc, directory):  # pylint: disable=unused-argument
        """1/0."""
        return 1 if os.path.isdir(_path(directory)) else 0

    @class_method("Exists", source="S23")
    def exists(cls, proc, path, ret=None):  # pylint: disable=unused-argument
        """1/0 (files and directories [inf])."""
        return 1 if os.path.exists(_path(path)) else 0

    @class_method("Delete", source="S23")
    def delete(cls, proc, path, ret=None):  # pylint: disable=unused-argument
        """Delete a file → 1/0."""
        try:
            os.remove(_path(path))
        except OSError:
            return 0
        return 1

    @class_method("Rename", source="VSTREAM, IRISREF24 (%Library/File.cls: Rename(oldname, newname, .return) returns 1/0)")
    def rename(cls, proc, old, new, ret=None):  # pylint: disable=unused-argument
        """Rename a file → 1/0.  Onto an existing name: whether IRIS replaces it is in no source we have (the
        method wraps the OS rename [inf]), so that is a loud error, never a guessed success (Contract "nfiles")."""
        if faults.trip(proc, "%Library.File.Rename"):  # fault injection for tests (faults.py)
            return 0
        target = values.from_units(_path(new))
        if os.path.lexists(target):
            raise IrisError("FUNCTION", "simulator: %%File.Rename onto the existing %s is not modelled" % target)
        try:
            os.rename(values.from_units(_path(old)), target)
        except OSError:
            return 0
        return 1

    @class_method("RemoveDirectoryTree", source="S9")
    def remove_tree(cls, proc, directory):  # pylint: disable=unused-argument
        """``rm -r`` → 1/0."""
        if faults.trip(proc, "%Library.File.RemoveDirectoryTree"):  # fault injection for tests (faults.py)
            return 0
        try:
            shutil.rmtree(_path(directory))
        except OSError:
            return 0
        return 1

    @class_method("NormalizeDirectory", source="S9")
    def normalize(cls, proc, directory, addnl=None):
        """Absolute directory with a trailing ``/`` (relative → under the process's current
        directory, here ``mgr`` [inf]); ``addnl`` appends a subdirectory."""
        text = _path(directory)
        if not os.path.isabs(text):
            text = os.path.join(proc.instance.mgr_dir, text)
        if addnl is not None and _path(addnl):
            text = os.path.join(text, _path(addnl))
        return os.path.normpath(text) + "/"

    @class_method("GetFileSize", source="inferred")
    def size(cls, proc, path):  # pylint: disable=unused-argument
        """Size in bytes, -2 when absent [inf]."""
        try:
            return os.path.getsize(_path(path))
        except OSError:
            return -2


# -- the FileSet query (iris-sources.md VSTREAM: %Library/File.cls Query FileSet) ------------------------------------
FILESET_COLUMNS = ["Name", "Type", "Size", "DateCreated", "DateModified", "ItemName"]


def _stamp(seconds: float) -> str:
    """ODBC timestamp of a file time (VSTREAM: $ZDATETIME(..., 3)); local time [inf]."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def _file_set(proc, directory=None, wildcards=None, sortby=None, includedirs=None, delimiter=None):  # pylint: disable=unused-argument
    """Rows of ``%File:FileSet(directory, wildcards, sortby, includedirs, delimiter)``: the entries of ``directory``
    matching any of the wildcards (";"-separated; "" = "*"), sorted by lower-cased name (VSTREAM).  A missing directory
    is an error status.  Sorting by another column and ``includedirs`` are refused loudly (not needed, not modelled);
    ``*``/``?`` are matched like the shell [inf: $ZSEARCH's wildcard rules are not in the source]."""
    if values.to_str(sortby if sortby is not None else "") not in ("", "Name") or values.to_int(includedirs or 0):
        raise IrisError("FUNCTION", "simulator: FileSet with sortby/includedirs is not modelled")
    path = values.from_units(_path(directory if directory is not None else ""))
    if not path or not os.path.isdir(path):
        raise ValueError("simulator: FileSet: directory '%s' does not exist" % path)  # VSTREAM DirectoryNotExist; text [inf]
    sep = values.to_str(delimiter) if delimiter not in (None, "") else ";"
    patterns = [p for p in values.from_units(_path(wildcards if wildcards is not None else "")).split(sep) if p] or ["*"]
    rows = []
    for item in sorted(os.listdir(path), key=str.lower):
        if not any(fnmatch.fnmatchcase(item, pattern) for pattern in patterns):
            continue
        full = os.path.join(path, item)
        info = os.lstat(full)
        is_dir = os.path.isdir(full)
        rows.append([full, "D" if is_dir else "F", "" if is_dir else info.st_size, _stamp(info.st_ctime),
                     _stamp(info.st_mtime), item])
    return rows


register_query("%Library.File", "FileSet", FILESET_COLUMNS, _file_set)  # VSTREAM: $classname()_":FileSet"
register_query("%File", "FileSet", FILESET_COLUMNS, _file_set)          # VSTREAM: ComplexDelete uses "%File:FileSet"
