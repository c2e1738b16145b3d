#!/usr/bin/env bash
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Installed as /irisHealth.sh, the image HEALTHCHECK. Like the real one (iris-sources.md §5.3, S32) it
# passes only when `iris qlist` field 4 starts with "running" and field 9 (System Monitor state) is "ok";
# so it fails after an unclean shutdown (state alert) although the instance runs (iris-sources.md §0.12).
set -euo pipefail
line=$(iris qlist "${ISC_PACKAGE_INSTANCENAME:-IRIS}") || exit 1
IFS='^' read -r -a f <<<"$line"
status=${f[3]:-}
state=${f[8]:-}
if [[ $status == running* && $state == ok ]]; then
  exit 0
fi
echo "unhealthy: status='$status' state='$state'"
exit 1
