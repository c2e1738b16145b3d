# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_fixture_lock: the instance lock of iris_fixture - private, removed after use, exclusive, with a timeout.
(The lock key, ``instance.identity()``, is tested with the manager in test_fixture.py.)"""

from __future__ import annotations

import os
import tempfile

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _fixture_lock
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError


def test_lock_file_is_private_not_in_tmp_and_removed():
    """issue 11 item 3: the lock lives in the module's state directory (0700, under HOME - conftest gives each test its
    own), never at a predictable path in the world-writable temp directory."""
    with _fixture_lock.instance_lock("k-where", 1):
        path = _fixture_lock.lock_path("k-where")
        assert os.path.exists(path) and os.path.dirname(path) == _fixture_lock.lock_dir()
        assert not path.startswith(tempfile.gettempdir() + os.sep) and not path.startswith("/tmp/iris-devtools")
        assert path.startswith(os.path.expanduser("~/.cache/iris_devtools/fixtures/locks/"))
        assert os.stat(_fixture_lock.lock_dir()).st_mode & 0o777 == 0o700 and os.stat(path).st_mode & 0o777 == 0o600
        assert not [name for name in os.listdir(tempfile.gettempdir()) if name.startswith("iris-devtools-fixture-")]
    assert os.listdir(_fixture_lock.lock_dir()) == []


def test_lock_dir_that_others_may_write_is_made_private():
    directory = _fixture_lock.lock_dir()
    os.chmod(directory, 0o777)
    assert _fixture_lock.lock_dir() == directory and os.stat(directory).st_mode & 0o777 == 0o700


def test_lock_times_out_cleanly(tmp_path):
    with _fixture_lock.instance_lock("k-test", 1):
        with pytest.raises(IrisModuleError) as err:
            with _fixture_lock.instance_lock("k-test", 1):
                pass
    assert "did not finish within" in err.value.msg
    with _fixture_lock.instance_lock("k-test", 1):
        pass
