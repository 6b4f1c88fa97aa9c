#!/usr/bin/env bash
# make gpu-check: every stage once on one GPU (see scripts/gpu_check.py). Exits 0 with a
# message on a machine without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" scripts/gpu_check.py "$@"
