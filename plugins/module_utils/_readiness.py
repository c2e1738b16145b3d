# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

Readiness of an ``iris_devtools.iris.iris_container`` container, read from its log: ``Enabling logons`` since this
start, then a real session (iris-sources.md §0 item 11, iris-sources.md LESSONS §0.4: an open port is not
readiness), and the log lines that mean the start has failed (FATAL_LOG_PATTERNS).

"Invalid Community Edition license, may have exceeded core limit" in the log has two causes (audit F12): the
image's time-limited Community licence has expired (iris-sources.md NEEDS §2.1), or the container sees more than
20 CPU cores, the Community limit.
"""

from __future__ import annotations

import re

from ansible_collections.iris_devtools.iris.plugins.module_utils._container_config import parse_docker_time

POLL_INTERVAL = 0.1
NAMESPACE_GRACE = 5.0  # seconds a <NAMESPACE> error may persist after "Enabling logons" before it is final
LOG_TAIL = 25

LOGONS_ENABLED = "Enabling logons"

# Log lines that mean the start has failed, recognised while waiting (iris-sources.md NEEDS §2.1,
# §2.2, §2.8; iris-sources.md §5.2 --check-caps).  (name, pattern, message, hint)
FATAL_LOG_PATTERNS = (
    # Two causes give this line (audit F12): the image's time-limited Community licence has expired
    # (iris-sources.md NEEDS §2.1), or the host has more than 20 CPU cores, the Community limit (public
    # READMEs: "On a host with more than 20 CPU cores, IRIS Community stops at start-up with 'Invalid
    # Community Edition license, may have exceeded core limit' ... --cpuset-cpus=0-19").
    ("expired_license",
     re.compile(r"Invalid Community Edition license", re.I),
     "IRIS refused the image's Community Edition licence (it logged 'Invalid Community Edition license, may have "
     "exceeded core limit'): either the licence has expired, or the container sees more than 20 CPU cores, "
     "the Community Edition limit.",
     "on a host with more than 20 CPU cores, limit the container with cpuset_cpus (for example 0-19); otherwise use "
     "a newer image tag (Community images carry a time-limited licence), or pass a valid key file with license_key"),
    ("license_limit",
     re.compile(r"LICENSE LIMIT EXCEEDED", re.I),
     "IRIS ran out of licence units while starting.",
     "use a licence key with more units (license_key) or fewer concurrent sessions"),
    ("capabilities",
     re.compile(r"capabilit(y|ies)\b.{0,80}\b(missing|not (set|present|granted|permitted|available)|fail)"
                r"|(missing|required) (linux )?capabilit", re.I),
     "iris-main's Linux capability check failed, so IRIS did not start.",
     "run the container with the capabilities the image needs (the Docker defaults include SETUID/SETGID), "
     "or skip the check with command_args ['--check-caps', 'false']"),
    ("cpf_merge_failed",
     re.compile(r"merge file.{0,200}\bfailed\b", re.I),
     "IRIS could not apply the CPF merge file (cpf_merge).",
     "fix the action or parameter IRIS names in the message (see log_lines); check the section names and "
     "[Actions] lines against the CPF reference"),
    ("durable_ownership",
     re.compile(r"Durable folder.{0,200}(does not exist|cannot be created|not writable)"
                r"|Cannot create target|ISC_DATA_DIRECTORY.{0,120}(permission|denied|not writable)", re.I),
     "IRIS cannot write its durable %SYS directory (ISC_DATA_DIRECTORY).",
     "make the host directory given as durable_dir owned by UID 51773 (irisowner): "
     "'sudo chown -R 51773:51773 <durable_dir>', or let the module create a new directory"),
)


def scan_log(lines):
    """Return ``(logons_enabled, fatal)`` for log lines; ``fatal`` is None or (name, msg, hint, line)."""
    logons = False
    for line in lines:
        if LOGONS_ENABLED in line:
            logons = True
        for name, pattern, message, hint in FATAL_LOG_PATTERNS:
            if pattern.search(line):
                return logons, (name, message, hint, line)
    return logons, None


def split_log(raw, started):
    """Split ``docker logs --timestamps`` output; keep lines of the current start (time >= started)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else (raw or "")
    kept = []
    for line in text.splitlines():
        stamp, sep, rest = line.partition(" ")
        when = parse_docker_time(stamp) if sep else None
        if when is None:
            kept.append(line)
        elif started is None or when >= started - 0.0005:
            kept.append(rest)
    return kept

