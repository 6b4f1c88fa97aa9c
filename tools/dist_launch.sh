#!/usr/bin/env bash
# torchrun wrapper shared by dist_pretrain.sh and dist_finetune.sh:
#   tools/dist_launch.sh VERB CONFIG GPUS [options for dar-transfer VERB]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# On a machine without GPUs the processes use gloo on the CPU.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 VERB CONFIG GPUS [options for dar-transfer VERB]" >&2
  exit 2
fi
VERB=$1
CONFIG=$2
GPUS=$3
shift 3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PYTHON=${PYTHON:-$(dirname "$0")/../.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python

exec "$PYTHON" -m torch.distributed.run --nnodes="$NNODES" --node_rank="$NODE_RANK" \
  --master_addr="$MASTER_ADDR" --master_port="$PORT" --nproc_per_node="$GPUS" \
  -m dar_transfer.cli "$VERB" "$CONFIG" --launcher pytorch "$@"
