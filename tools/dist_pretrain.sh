#!/usr/bin/env bash
# Distributed pretraining, like OpenMMLab's tools/dist_train.sh:
#   tools/dist_pretrain.sh CONFIG GPUS [dar-transfer pretrain options...]
exec bash "$(dirname "$0")/dist_launch.sh" pretrain "$@"
