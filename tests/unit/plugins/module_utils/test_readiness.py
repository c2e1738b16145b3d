# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Readiness of an iris_container container from its log (_readiness): fatal lines, logons, this start only."""

from __future__ import annotations

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _readiness as rd


# -- log recognition -----------------------------------------------------------------------------

@pytest.mark.parametrize("line, kind", [
    ("11/26/26-10:00:00:000 (1) 2 [Generic.Event] Invalid Community Edition license, may have exceeded core limit", "expired_license"),
    ("Error: required capabilities are missing: CAP_SETUID", "capabilities"),
    ("[ERROR] Linux capability check failed: missing CAP_SETGID", "capabilities"),
    ("Durable folder /durable/iris does not exist, or cannot be created", "durable_ownership"),
    ("ERROR #5001: Cannot create target /durable/iris", "durable_ownership"),
    ("<LICENSE LIMIT EXCEEDED>", "license_limit"),
])
def test_fatal_log_lines(line, kind):
    logons, fatal = rd.scan_log(["starting", line])
    assert fatal is not None and fatal[0] == kind
    assert fatal[3] == line


def test_logons_line():
    assert rd.scan_log(["x", "11/26/26-10:00:00:000 (7) 0 [Utility.Event] Enabling logons"]) == (True, None)
    assert rd.scan_log(["Private webserver started on 52773"]) == (False, None)


def test_split_log_keeps_only_this_start():
    raw = (b"1970-01-01T00:00:09.000000000Z Enabling logons\n"
           b"1970-01-01T00:00:10.100000000Z Starting\n"
           b"1970-01-01T00:00:10.200000000Z Enabling logons\n")
    assert rd.split_log(raw, 10.0) == ["Starting", "Enabling logons"]
    assert rd.scan_log(rd.split_log(raw, 10.15))[0] is True
    assert rd.scan_log(rd.split_log(raw[:80], 10.0))[0] is False


def test_community_licence_failure_names_both_causes():
    """audit F12: an expired licence or more than 20 cores; the fix names cpuset_cpus."""
    logons, fatal = rd.scan_log(["Invalid Community Edition license, may have exceeded core limit"])
    name, message, hint, dummy = fatal
    assert name == "expired_license"
    assert "expired" in message and "more than 20 CPU cores" in message
    assert "not a CPU problem" not in message
    assert "cpuset_cpus" in hint and "0-19" in hint and "newer image tag" in hint
