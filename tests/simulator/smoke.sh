#!/usr/bin/env bash
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Smoke test of the IRIS simulator image (it is NOT IRIS): build, start with durable %SYS and a
# password file, run an `iris session`, check qlist, metrics and load control, stop with SIGTERM,
# re-create the container on the same durable %SYS and check that the state survived; then the two
# start failures users hit most (durable folder, expired licence).  Removes everything it creates.
# Usage: tests/simulator/smoke.sh            (needs a running dockerd; builds via image/build.sh)
# Env:   IRIS_SIM_IMAGE=<tag> skips the build and tests that image.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SECONDS=0
PREFIX="iris-sim-smoke-$$"
C="$PREFIX-main"
WORK=$(mktemp -d /tmp/iris-sim-smoke.XXXXXX)
chmod 0777 "$WORK"   # the container user (UID 51773) writes here
failures=0

log() { printf '[smoke %3ds] %s\n' "$SECONDS" "$*"; }
fail() { printf '[smoke %3ds] FAIL: %s\n' "$SECONDS" "$*" >&2; failures=$((failures + 1)); }

cleanup() {
  local c
  for c in $(docker ps -aq --filter "name=^$PREFIX-" 2>/dev/null); do
    docker rm -f "$c" >/dev/null 2>&1 || true
  done
  if [ -n "${IMAGE:-}" ] && [ -d "$WORK" ]; then
    # Files written by UID 51773: remove them from inside a container (no root needed on the host).
    docker run --rm --user 0 --entrypoint /bin/rm -v "$WORK:/w" "$IMAGE" -rf /w/iris /w/extra >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -n "${IRIS_SIM_IMAGE:-}" ]; then
  IMAGE=$IRIS_SIM_IMAGE
else
  log "building the image"
  IMAGE=$("$HERE/image/build.sh" | tail -1)
fi
log "image $IMAGE"

wait_logons() {  # <container> <how many "Enabling logons" lines> <timeout s>
  local c=$1 want=$2 deadline=$((SECONDS + $3)) n
  while [ "$SECONDS" -lt "$deadline" ]; do
    n=$(docker logs "$c" 2>&1 | grep -c 'Enabling logons' || true)
    [ "$n" -ge "$want" ] && return 0
    [ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ] || { docker logs "$c" >&2; return 1; }
    sleep 0.3
  done
  docker logs "$c" >&2
  return 1
}

run_main() {  # <container name>: the standard container on the durable directory
  docker run -d --name "$1" -p 127.0.0.1::52773 -p 127.0.0.1::1972 \
    -v "$WORK:/durable" -e ISC_DATA_DIRECTORY=/durable/iris "$IMAGE" "${@:2}" >/dev/null
}

# Read the whole output first: `cmd | grep -q` can fail under pipefail when grep exits early (SIGPIPE).
logs_have() {  # <container> <fixed text>
  local text
  text=$(docker logs "$1" 2>&1)
  grep -qF -- "$2" <<<"$text"
}

metrics() {
  local port
  port=$(docker port "$C" 52773 | head -1 | sed 's/.*://')
  curl -fsS "http://127.0.0.1:$port/api/monitor/metrics"
}

# 1. start with durable %SYS and a password file on the mounted directory ---------------------------
printf 'Smoke-Pass-1\n' >"$WORK/password.txt"
chmod 0666 "$WORK/password.txt"
run_main "$C" --password-file /durable/password.txt
wait_logons "$C" 1 60 || { fail "instance did not enable logons"; exit 1; }
log "logons enabled"

# 2. iris session with a program on stdin ----------------------------------------------------------
out=$(docker exec -i "$C" iris session IRIS -U %SYS <<'EOF'
write "ZV:",$ZVERSION,!
set ^smoke("k")="v1"
write "GLO:",^smoke("k"),!
set task=##class(%SYS.Task).%OpenId(1) write "TASK:",$isobject(task),!
set sc=##class(Security.Users).Get("CSPSystem",.p) write "CHG:",sc,":",p("ChangePassword"),!
halt
EOF
) || fail "iris session exited non-zero"
printf '%s\n' "$out" | sed 's/^/    | /'
grep -q 'ZV:.*IRIS' <<<"$out" || fail "session: \$ZV not printed"
grep -q 'GLO:v1' <<<"$out" || fail "session: global set/get"
grep -q 'TASK:1' <<<"$out" || fail "session: %SYS.Task %OpenId(1)"
grep -q 'CHG:1:1' <<<"$out" || fail "session: CSPSystem must still have to change its password after --password-file (ADOCK-AUTH)"
one=$(docker exec "$C" iris session IRIS -U USER '##class(%SYSTEM.Process).Terminate(,3)' 2>&1; echo "rc=$?")
grep -q 'rc=3' <<<"$one" || fail "single-command form: exit code of Terminate(,3) (got: $one)"

# 2b. Task Manager: RunNow runs within a few seconds (IRIS polls every 60 s, S1; the simulator ~1 s) -----
out=$(docker exec -i "$C" iris session IRIS -U %SYS <<'EOF'
set d=##class(%SYS.Task.RunLegacyTask).%New() set d.ExecuteCode="set ^smoke(""task"")=$h"
set t=##class(%SYS.Task).%New() set t.Name="smoke" set t.NameSpace="%SYS" set t.TimePeriod=5 set t.RunAsUser="_SYSTEM"
set sc=t.AssignSettings(d) set sc=t.%Save() write "SAVE:",sc,! set sc=##class(%SYS.Task).RunNow(t.%Id()) write "RUN:",sc,!
EOF
)
grep -q 'RUN:1' <<<"$out" || fail "task: create/RunNow: $out"
deadline=$((SECONDS + 5))
until grep -q 'RAN:1' <<<"$(docker exec -i "$C" iris session IRIS -U %SYS <<<'write "RAN:",$data(^smoke("task")),!')"; do
  [ "$SECONDS" -lt "$deadline" ] || { fail "task did not run within 5 s of RunNow"; break; }
  sleep 0.5
done

# 3. qlist -------------------------------------------------------------------------------------
ql=$(docker exec "$C" iris qlist IRIS)
log "qlist: $ql"
IFS='^' read -r -a f <<<"$ql"
[ "${#f[@]}" -eq 13 ] || fail "qlist has ${#f[@]} fields, want 13"
[[ ${f[3]} == running* ]] || fail "qlist field 4: ${f[3]}"
[ "${f[8]}" = ok ] || fail "qlist field 9: ${f[8]}"
[ "${f[12]}" = /durable/iris/ ] || fail "qlist field 13 (data dir): ${f[12]}"

# 4. metrics and load control ------------------------------------------------------------------------
m=$(metrics)
grep -q '^iris_cpu_usage 5$' <<<"$m" || fail "metrics: default cpu"
grep -q '^iris_db_size_mb{id="USER",dir="/durable/iris/mgr/user/"}' <<<"$m" || fail "metrics: iris_db_size_mb for USER"
docker exec "$C" iris-sim load --cpu 95 --memory 40
m=$(metrics)
grep -q '^iris_cpu_usage 95$' <<<"$m" || fail "metrics: cpu after iris-sim load"
grep -q '^iris_phys_mem_percent_used 40$' <<<"$m" || fail "metrics: memory after iris-sim load"
docker exec "$C" iris-sim load --reset
grep -q '^iris_cpu_usage 5$' <<<"$(metrics)" || fail "metrics: cpu after --reset"

# 5. password file consumed -----------------------------------------------------------------------
[ ! -e "$WORK/password.txt" ] || fail "password file was not deleted"
logs_have "$C" 'Password file /durable/password.txt deleted' || fail "password file deletion not logged"

# 6. in-container stop/start without ending PID 1 -------------------------------------------------------
docker exec "$C" iris stop IRIS quietly || fail "iris stop"
[[ $(docker exec "$C" iris qlist IRIS | cut -d^ -f4) == down* ]] || fail "qlist after iris stop"
docker exec "$C" iris start IRIS || fail "iris start"
[[ $(docker exec "$C" iris qlist IRIS | cut -d^ -f4) == running* ]] || fail "qlist after iris start"

# 7. SIGTERM: clean shutdown -------------------------------------------------------------------------
docker stop -t 30 "$C" >/dev/null
[ "$(docker inspect -f '{{.State.ExitCode}}' "$C")" = 0 ] || fail "exit code after docker stop"
logs_have "$C" 'Shutdown complete' || fail "no 'Shutdown complete' in the log"
log "clean stop ok"

# 8. re-create on the same durable %SYS: the global is still there, the health check passes ------------
docker rm "$C" >/dev/null
run_main "$C"
wait_logons "$C" 1 60 || fail "second start"
out=$(docker exec -i "$C" iris session IRIS -U %SYS <<<'write "GLO:",$get(^smoke("k")),!')
grep -q 'GLO:v1' <<<"$out" || fail "global lost across re-creation on durable %SYS: $out"
logs_have "$C" 'abnormal' && fail "clean stop was reported as abnormal"
deadline=$((SECONDS + 30))
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$C")" = healthy ]; do
  [ "$SECONDS" -lt "$deadline" ] || { fail "container not healthy"; break; }
  sleep 0.5
done
docker stop -t 30 "$C" >/dev/null
log "durable %SYS ok"

# 9. start failures -----------------------------------------------------------------------------
expect_exit() {  # <name> <log text> <docker run args...>
  local name="$PREFIX-$1" text=$2 rc
  shift 2
  docker run --name "$name" "$@" >/dev/null 2>&1 || true
  rc=$(docker inspect -f '{{.State.ExitCode}}' "$name")
  [ "$rc" != 0 ] || fail "$name: exit code 0"
  logs_have "$name" "$text" || fail "$name: no '$text' in the log"
}
expect_exit durable "Durable folder: /nonexistent/iris does not exists, or cannot be created" \
  -e ISC_DATA_DIRECTORY=/nonexistent/iris "$IMAGE"
mkdir -p "$WORK/extra"
printf 'EXPIRED community key\n' >"$WORK/extra/iris.key"
expect_exit license "Invalid Community Edition license, may have exceeded core limit" \
  -v "$WORK/extra:/extra:ro" "$IMAGE" --key /extra/iris.key

if [ "$failures" -ne 0 ]; then
  log "$failures check(s) failed"
  exit 1
fi
log "all checks passed in ${SECONDS}s"
