#!/usr/bin/env bash
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Installed as /iris-main: the simulator's emulation of the image entrypoint (iris-sources.md §5.2, S25).
set -euo pipefail
export PYTHONPATH=/usr/irissys/lib/python${PYTHONPATH:+:$PYTHONPATH}
exec python3 -m iris_sim.main "$@"
