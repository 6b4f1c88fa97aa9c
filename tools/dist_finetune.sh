#!/usr/bin/env bash
# Distributed fine-tuning of a downstream config:
#   tools/dist_finetune.sh CONFIG GPUS [dar-transfer finetune options...]
exec bash "$(dirname "$0")/dist_launch.sh" finetune "$@"
