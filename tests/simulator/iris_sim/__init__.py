# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IRIS simulator: an executable, cited model of the IRIS surface the collection uses.

It is NOT IRIS.  See ``tests/simulator/DESIGN.md`` for the contracts.
"""
