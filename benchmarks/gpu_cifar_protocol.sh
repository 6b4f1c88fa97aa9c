#!/usr/bin/env bash
# The CIFAR-10 comparison (baseline, DaR, random control; 3 seeds) on one NVIDIA GPU:
# all 45,000 training images of the shared archive (5,000 held out), 30 epochs,
# mixed precision, channels-last, and the augmentation running batched on the GPU
# (BatchAugmentPreprocessor), so data loading is one tensor index per batch.
#   benchmarks/gpu_cifar_protocol.sh [extra args for cifar_accuracy_at_cost.py]
# Every policy, e.g. at the issue's costs:
#   benchmarks/gpu_cifar_protocol.sh --scan-costs 1.0 0.83 0.6 \
#       --policies dar random infobatch rs2 reweight
# (ImageClassifier applies InfoBatch's and reweight's loss weights, also under AMP.)
# Not yet run on a GPU: no figures are claimed for it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
exec "$PYTHON" benchmarks/cifar_accuracy_at_cost.py --seeds 0 1 2 \
  --work-dir work_dirs/bench_cifar10_gpu \
  --runs benchmarks/results/cifar10_gpu_runs.jsonl \
  --plot benchmarks/results/cifar10_gpu_accuracy_vs_cost.png \
  --cfg-options 'train_dataloader.dataset.per_class=(500,5000)' \
  optim_wrapper.type=AmpOptimWrapper optim_wrapper.loss_scale=dynamic \
  train_dataloader.batch_size=256 optim_wrapper.optimizer.lr=0.2 "$@"
