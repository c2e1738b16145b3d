# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

Facts about IRIS and its containers that more than one concern needs, in one place (each cited).
A constant that only one file uses stays in that file.
"""

from __future__ import annotations

# iris-sources.md §5.1, S25: the instance owner in IRIS containers is irisowner, UID/GID 51773.
IRISOWNER = "irisowner"
IRISOWNER_UID = 51773
IRISOWNER_GID = 51773

# iris-sources.md S25, S29: the superserver listens on 1972, the private web server on 52773.
SUPERSERVER_PORT = 1972
WEB_PORT = 52773

# iris-sources.md S2, S13: the Task Manager's classes and ^SystemPerformance live in the %SYS namespace.
SYS_NAMESPACE = "%SYS"
DEFAULT_NAMESPACE = "USER"
DEFAULT_INSTANCE = "IRIS"
DEFAULT_TIMEOUT = 60

# The global where the collection keeps its own records on an instance (fixtures, locks).
RECORD_GLOBAL = "^IrisDevTools"

# Docker labels the collection puts on what it creates.
MANAGED_LABEL = "iris_devtools.iris.managed"
