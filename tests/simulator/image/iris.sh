#!/usr/bin/env bash
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Installed as /usr/irissys/bin/iris (also /usr/bin/iris, iris-sim): the simulator's `iris` command.
set -euo pipefail
export PYTHONPATH=/usr/irissys/lib/python${PYTHONPATH:+:$PYTHONPATH}
exec python3 -m iris_sim.cli "$(basename "$0")" "$@"
