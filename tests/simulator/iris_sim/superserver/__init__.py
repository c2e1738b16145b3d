# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's superserver (port 1972): the wire protocol the real intersystems-irispython client speaks.

``wire`` framing + $LIST codec, ``server`` listener + session (HS/CN/DC), ``sqlmsg`` DB-API messages,
``native`` Native API messages.  Facts: iris-sources.md WIRE (confirmed against the client 5.4.1 only).
"""

from iris_sim.superserver.server import Superserver, start_from_env  # noqa: F401
