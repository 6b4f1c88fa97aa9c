#!/usr/bin/env bash
# Idempotent set-up of .venv with the dependency stack dar-transfer is tested on.
#
# The one slow step, building mmcv 2.1.0 with its ops (14 to 20 min on 2 cores), runs
# once per (mmcv, torch, python, flavour) combination: the wheel is cached outside the
# repo in $DAR_CACHE (default ~/.cache/dar-transfer) and reused by later runs and by CI.
# The flavour is "cpu", or CUDA ops for the visible GPU (scripts/mmcv_flavour.py), so a
# CPU-only wheel is never picked up on a GPU machine.
# A stamp in .venv records the hash of this script and the constraints file, so a
# second `make setup` with nothing changed returns in a second.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PYTHON=${PYTHON:-python3.11}
VENV=${VENV:-$root/.venv}
CACHE=${DAR_CACHE:-$HOME/.cache/dar-transfer}
CONSTRAINTS=$root/requirements/constraints.txt
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMCV_VERSION=2.1.0

log() { printf '[setup] %s\n' "$*"; }

stamp_value=$(cat "$0" scripts/mmcv_flavour.py "$CONSTRAINTS" pyproject.toml | sha256sum | cut -c1-16)
stamp_file=$VENV/.dar-setup-stamp
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_value" ]; then
  log "environment up to date ($VENV)"
  exit 0
fi

if ! command -v "$PYTHON" >/dev/null; then
  echo "setup: $PYTHON not found; dar-transfer needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

[ -x "$VENV/bin/python" ] || { log "creating $VENV"; "$PYTHON" -m venv "$VENV"; }
# This machine's pip config names a find-links folder that may be absent; its warning
# on every package is noise.
pip() {
  "$VENV/bin/python" -m pip --disable-pip-version-check "$@" 2>&1 \
    | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
}
pipc() { pip install -c "$CONSTRAINTS" "$@"; }

log "build tools"
pipc -q pip setuptools wheel ninja cython numpy packaging

log "torch $TORCH_VERSION + torchvision $TORCHVISION_VERSION (large, first time only)"
pipc -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"

pyver=$("$VENV/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
flavour_vars=$("$VENV/bin/python" scripts/mmcv_flavour.py) || exit 1
eval "$flavour_vars"
wheel_dir=$CACHE/wheels/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$pyver-$FLAVOUR
if ! ls "$wheel_dir"/mmcv-*.whl >/dev/null 2>&1; then
  log "building mmcv $MMCV_VERSION with $FLAVOUR ops (14 to 20 minutes on 2 cores, once; cached in $wheel_dir)"
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  pip download -q --no-deps --no-binary :all: "mmcv==$MMCV_VERSION" -d "$build"
  tar -xzf "$build"/mmcv-$MMCV_VERSION.tar.gz -C "$build"
  # torch >= 2.10 headers need C++20; mmcv's setup.py hard-codes -std=c++17.
  sed -i 's/-std=c++17/-std=c++20/g' "$build/mmcv-$MMCV_VERSION/setup.py"
  pipc -q addict yapf opencv-python pyyaml
  mkdir -p "$build/out" "$CACHE"
  build_log=$CACHE/mmcv-build.log
  log "  compiler output: $build_log"
  if [ "$FORCE_CUDA" = 1 ]; then export FORCE_CUDA TORCH_CUDA_ARCH_LIST; fi
  (cd "$build/mmcv-$MMCV_VERSION" && MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
      "$VENV/bin/python" -m pip wheel -v --no-deps --no-build-isolation . -w "$build/out") \
      >"$build_log" 2>&1 &
  build_pid=$!
  started=$SECONDS
  # ninja numbers its steps "[done/total]"; say where it is every 15 s, so the long
  # build never looks hung.
  while kill -0 "$build_pid" 2>/dev/null; do
    sleep 15
    step=$(grep -ao '\[[0-9]*/[0-9]*\]' "$build_log" | tail -n 1 | tr -d '[]' || true)
    elapsed=$((SECONDS - started))
    log "  mmcv build: ${step:-0/?} sources compiled ($((elapsed / 60)) min $((elapsed % 60)) s)"
  done
  if ! wait "$build_pid"; then
    tail -n 40 "$build_log" >&2
    echo "setup: the mmcv build failed; its full output is in $build_log" >&2
    exit 1
  fi
  mkdir -p "$wheel_dir"
  mv "$build"/out/mmcv-*.whl "$wheel_dir"/
fi
log "mmcv from $wheel_dir"
pipc -q "$wheel_dir"/mmcv-*.whl

log "OpenMMLab libraries"
# chumpy's setup.py imports pip; xtcocotools' wheel is built against numpy 1.
pipc -q --no-build-isolation chumpy
pipc -q --no-build-isolation --no-binary xtcocotools xtcocotools
pipc -q mmengine mmdet mmsegmentation mmpose ftfy regex

log "dar-transfer (editable, with dev extras)"
pipc -q -e ".[dev,mmpretrain]"

"$VENV/bin/python" - <<'PY'
import mmcv, mmdet, mmengine, mmpose, mmseg, torch
from mmcv.ops import nms  # noqa: F401  (proves the compiled ops load)
print(f"[setup] torch {torch.__version__}, mmengine {mmengine.__version__}, mmcv {mmcv.__version__}, "
      f"mmdet {mmdet.__version__}, mmseg {mmseg.__version__}, mmpose {mmpose.__version__}")
PY
echo "$stamp_value" > "$stamp_file"
log "done"
