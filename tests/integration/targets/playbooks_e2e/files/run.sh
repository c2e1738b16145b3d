#!/usr/bin/env bash
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run.sh WORKDIR NAME PLAYBOOK [ansible-playbook args...]
# Runs one playbook of the collection the way a user does (ansible-playbook, -vvv, --diff, the secrets in an
# extra-vars file, never on the command line) and samples the host's process list every 0.2 s while it runs.
# Output: WORKDIR/out-NAME.txt (everything ansible-playbook printed), WORKDIR/ps-NAME.txt (the samples).
# Modules get TMPDIR=WORKDIR/tmp, so the test sees every temporary file they leave. Exit status: ansible-playbook's.
set -u
work=$1 name=$2
shift 2
mkdir -p "$work/tmp"
: >"$work/ps-$name.txt"
(
  while :; do
    ps -eo args >>"$work/ps-$name.txt"
    sleep 0.2
  done
) &
sampler=$!
TMPDIR="$work/tmp" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 \
  ansible-playbook -i "$work/inventory" -e "@$work/secrets.yml" -vvv --diff "$@" >"$work/out-$name.txt" 2>&1
rc=$?
kill "$sampler" 2>/dev/null
wait "$sampler" 2>/dev/null
exit "$rc"
