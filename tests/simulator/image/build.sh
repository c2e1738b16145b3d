#!/usr/bin/env bash
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Offline, idempotent build of the IRIS *simulator* image (it is NOT IRIS).
#   (a) base image iris-devtools/sim-base:bookworm from a debootstrap rootfs (skipped when present);
#   (b) wheels for the image's Python 3.11 downloaded on the host (cached) - iris-sources.md TOOLCHAIN §5b:
#       inside a debootstrap image PyPI's TLS chain is not trusted, so no network in `docker build`;
#   (c) docker build of image/Dockerfile -> iris-devtools/iris-sim:<VERSION> and :latest.
# Usage: tests/simulator/image/build.sh
# Env: DEBIAN_MIRROR (debootstrap mirror; unset = debootstrap's default), IRIS_SIM_BUILD_DIR (build
#      context; default a fresh /tmp/iris-sim-build.XXXXXX, removed afterwards), IRIS_SIM_WHEEL_CACHE (default ~/.cache/iris-sim/wheels),
#      IRIS_SIM_REBUILD_BASE=1 (rebuild the base image), PYTHON (host python with pip, default python3),
#      IRIS_SIM_TAG (build only iris-devtools/iris-sim:<tag>, not :<VERSION> and :latest - parallel work
#      on simulator changes gives each worker its own image).
# Prints the image tag on the last line of stdout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SIM_DIR=$(dirname "$HERE")
VERSION=$(tr -d '[:space:]' <"$SIM_DIR/VERSION")
BASE_IMAGE=iris-devtools/sim-base:bookworm
IMAGE=iris-devtools/iris-sim
TAG=${IRIS_SIM_TAG:-$VERSION}
# A private context per run (concurrent builds must not share one); removed at the end.
CTX=${IRIS_SIM_BUILD_DIR:-$(mktemp -d /tmp/iris-sim-build.XXXXXX)}
WHEEL_CACHE=${IRIS_SIM_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iris-sim/wheels}
PYTHON=${PYTHON:-python3}
CONSTRAINTS=$(dirname "$SIM_DIR")/constraints.txt

log() { printf '[build.sh] %s\n' "$*" >&2; }
# The version pinned for $1 in tests/constraints.txt, the one pins file (a line "<name>==<version>").
pin() {
  local version
  version=$(sed -n "s/^$1==\([^ ;#]*\).*/\1/p" "$CONSTRAINTS" | head -n 1)
  [ -n "$version" ] || { log "no pin for $1 in $CONSTRAINTS. Fix: add a line '$1==<version>' there"; exit 1; }
  printf '%s\n' "$version"
}
# Pinned wheel versions (the simulator's only third-party dependencies; DESIGN.md); pip only installs the wheels
# inside the image (minbase has no pip).
TREE_SITTER_VERSION=$(pin tree-sitter)
TREE_SITTER_OBJECTSCRIPT_VERSION=$(pin tree-sitter-objectscript)
PIP_VERSION=$(pin pip)
SECONDS=0
ROOTFS=
cleanup() {
  [ -z "$ROOTFS" ] || rm -rf "$ROOTFS"
  [ -n "${IRIS_SIM_BUILD_DIR:-}" ] || rm -rf "$CTX"
}
trap cleanup EXIT

# (a) base image ------------------------------------------------------------------------------
if [ "${IRIS_SIM_REBUILD_BASE:-0}" != 1 ] && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "base $BASE_IMAGE present"
else
  command -v debootstrap >/dev/null || { log "debootstrap is not installed (apt-get install debootstrap)"; exit 1; }
  ROOTFS=$(mktemp -d /tmp/iris-sim-rootfs.XXXXXX)
  log "debootstrap bookworm into $ROOTFS (takes ~40 s)"
  # tini: the real image runs /tini -- /iris-main [inf]; procps: ps/pgrep for health scripts.
  # shellcheck disable=SC2086  # DEBIAN_MIRROR is one optional word
  debootstrap --variant=minbase --include=python3,procps,tini bookworm "$ROOTFS" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"} \
    >"$CTX/debootstrap.log" 2>&1 || { tail -20 "$CTX/debootstrap.log" >&2; exit 1; }
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
  tar -C "$ROOTFS" -c . | docker import -c 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$ROOTFS"
  ROOTFS=
  log "base $BASE_IMAGE imported"
fi

# (b) wheels ----------------------------------------------------------------------------------
mkdir -p "$WHEEL_CACHE"
want=("tree-sitter==$TREE_SITTER_VERSION" "tree-sitter-objectscript==$TREE_SITTER_OBJECTSCRIPT_VERSION" "pip==$PIP_VERSION")
have_all=1
for spec in "${want[@]}"; do
  name=${spec%%==*}; ver=${spec##*==}
  compgen -G "$WHEEL_CACHE/${name//-/_}-${ver}-*.whl" >/dev/null || have_all=0
done
if [ "$have_all" = 0 ]; then
  log "downloading wheels into $WHEEL_CACHE"
  "$PYTHON" -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 --implementation cp \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
    --platform any -d "$WHEEL_CACHE" "${want[@]}"
fi

# (c) build context + docker build ---------------------------------------------------------------
rm -rf "$CTX/wheels" "$CTX/image" "$CTX/iris_sim"
mkdir -p "$CTX/wheels" "$CTX/image"
for spec in "${want[@]}"; do
  name=${spec%%==*}; ver=${spec##*==}
  cp "$WHEEL_CACHE/${name//-/_}-${ver}-"*.whl "$CTX/wheels/"
done
cp "$HERE"/Dockerfile "$HERE"/*.sh "$CTX/image/"
cp "$SIM_DIR/VERSION" "$CTX/VERSION"
printf '%s\n' build.log debootstrap.log >"$CTX/.dockerignore"
# The package without caches/tests.
mkdir -p "$CTX/iris_sim"
(cd "$SIM_DIR/iris_sim" && tar -c --exclude='__pycache__' --exclude='*.pyc' .) | tar -C "$CTX/iris_sim" -x

log "docker build $IMAGE:$TAG"
old_id=$(docker image inspect -f '{{.Id}}' "$IMAGE:$TAG" 2>/dev/null || true)
tags=(-t "$IMAGE:$TAG")
[ -n "${IRIS_SIM_TAG:-}" ] || tags+=(-t "$IMAGE:latest")
if ! docker build -q --force-rm -f "$CTX/image/Dockerfile" \
  --build-arg "TREE_SITTER_VERSION=$TREE_SITTER_VERSION" \
  --build-arg "TREE_SITTER_OBJECTSCRIPT_VERSION=$TREE_SITTER_OBJECTSCRIPT_VERSION" \
  --build-arg "SIM_VERSION=$VERSION" \
  "${tags[@]}" "$CTX" >"$CTX/build.log" 2>&1; then
  cat "$CTX/build.log" >&2
  exit 1
fi
new_id=$(docker image inspect -f '{{.Id}}' "$IMAGE:$TAG")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  # The previous build is now untagged: remove it unless a container still uses it.
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi
# Untagged leftovers of earlier (or concurrent) builds of this image only, found by its label.
docker image prune -f --filter "label=org.opencontainers.image.title=IRIS simulator (not IRIS)" >/dev/null 2>&1 || true
log "built in ${SECONDS}s"
echo "$IMAGE:$TAG"
