# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The modelled IRIS classes and routines.  Importing this package registers all of them."""

from iris_sim.models import (  # noqa: F401
    backup, databases, files, ipm, resultset, security, sqlprocs, sqlstatement, streams, sysobj, sysperf, tasks,
    unittest,
)

__all__ = ["backup", "databases", "files", "ipm", "resultset", "security", "sqlprocs", "sqlstatement", "streams", "sysobj",
           "sysperf", "tasks", "unittest"]
