# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

Files in and out of an instance (``_instance.Instance``), whatever reaches it: for a container through the Docker
Engine's archive API, for a local instance on this file system.  Part of the access layer, in its own file so that
only the modules that copy files ship it.

* ``put_file(instance, src_path, dest_dir, dest_name, mode, expected_checksum)``: a controller file into the
  instance, owned by the instance owner; with ``expected_checksum`` only bytes with that SHA-256 land under
  ``dest_name`` (hashed as they are sent: one read of the source);
* ``fetch_file(instance, src_path, dest_path)``: an instance file to ``dest_path`` (atomic), returns ``sha256:<hex>``;
* ``read_file(instance, path, max_bytes)``: a small instance file into memory (IrisModuleError with
  ``missing_file`` when it is absent).
"""

from __future__ import annotations

import os

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker, _files
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

READ_LIMIT = 256 * 1024 * 1024  # read_file keeps the whole file in memory: reports, not databases


def put_file(instance, src_path, dest_dir, dest_name, mode=0o660, expected_checksum=None):
    """Copy ``src_path`` to ``dest_dir/dest_name`` in ``instance``; return the bytes copied."""
    if instance.kind == "docker":
        return _docker.upload_file(instance.client, instance.container, src_path, dest_dir.rstrip("/") or "/", dest_name,
                                   mode=mode, timeout=instance.timeout, expected_checksum=expected_checksum)
    # A local instance created the directory: the file gets the directory's owner when we may give it one (root).
    owner = group = None
    try:
        info = os.stat(dest_dir)
        if os.geteuid() == 0:
            owner, group = info.st_uid, info.st_gid
    except OSError:
        pass
    return _files.copy_atomic(src_path, os.path.join(dest_dir, dest_name), owner=owner, group=group, mode=mode,
                              expected_checksum=expected_checksum)


def fetch_file(instance, src_path, dest_path):
    """Copy the instance's ``src_path`` to ``dest_path`` on this host; return its ``sha256:<hex>``."""
    if instance.kind == "docker":
        return _docker.download_file(instance.client, instance.container, src_path, dest_path, timeout=instance.timeout)
    # One read of the source: the copy hashes the bytes it writes (issue 11 item 2).
    return _files.copy_atomic(src_path, dest_path, mode=0o644)


def read_file(instance, path, max_bytes=READ_LIMIT):
    """The bytes of the instance's small file ``path``."""
    if instance.kind == "docker":
        return _docker.read_file_from_container(instance.container, path, max_bytes=max_bytes, timeout=instance.timeout)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except (IOError, OSError) as exc:
        raise IrisModuleError("Cannot read %s: %s." % (path, exc.strerror or exc),
                              hint="check the path and the permissions of the user running the module "
                              "(become: true as the instance owner)", missing_file=True)
    if len(data) > max_bytes:
        raise IrisModuleError("Cannot read %s: the file has more than the %d bytes allowed." % (path, max_bytes),
                              hint="copy large files another way")
    return data
