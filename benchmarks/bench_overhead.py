"""DaR's bookkeeping overhead and its resampling cost at ImageNet scale.

1. The same small training run (mmengine Runner, ResNet-18 on synthetic 32x32 images)
   with mmengine's DefaultSampler and with DaRSampler(keep_ratio=1.0) + DaRHook, so
   both train on every sample and only the bookkeeping differs (loss recording each
   iteration, scoring and selection after each epoch). Runs alternate A, B, A, B, ...
   in one process; the figure is the median of the paired ratios B/A (goal <= 1.01).
2. Scoring and selecting over N = 1,281,167 samples (ImageNet-1k), the work done once
   per drop: the reduction of the loss buffers and the hardest-first selection
   (goal < 0.2 s on 2 cores), and the memory DaR holds per sample.

Usage: python benchmarks/bench_overhead.py [--repeats 5] [--out benchmarks/results/overhead.json]
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import torch
from mmengine.logging import MMLogger
from mmengine.runner import Runner
from timing import TrainWallClock

import dar_transfer  # noqa: F401  (registers DaRSampler, DaRHook, the model and data set)
from dar_transfer.sampling.recorder import SampleLossRecorder
from dar_transfer.sampling.schedule import kept_size
from dar_transfer.sampling.selection import select_hardest

IMAGENET_1K_TRAIN = 1_281_167


def train_seconds(work_dir: str, *, dar: bool, num_samples: int, epochs: int) -> float:
    sampler = ({'type': 'DaRSampler', 'keep_ratio': 1.0, 'interval': 1, 'seed': 0} if dar
               else {'type': 'DefaultSampler', 'shuffle': True, 'seed': 0})
    hooks = [{'type': 'DaRHook'}] if dar else []
    runner = Runner(
        model={'type': 'ImageClassifier', 'arch': 'resnet18', 'num_classes': 10},
        work_dir=work_dir,
        train_dataloader={'dataset': {'type': 'SyntheticImageDataset', 'num_samples': num_samples,
                                      'num_classes': 10, 'image_size': 32},
                          'sampler': sampler, 'batch_size': 64, 'num_workers': 0,
                          'collate_fn': {'type': 'default_collate'}},
        train_cfg={'by_epoch': True, 'max_epochs': epochs},
        optim_wrapper={'optimizer': {'type': 'SGD', 'lr': 0.05, 'momentum': 0.9}},
        custom_hooks=[*hooks, {'type': 'TrainWallClock'}],
        default_hooks={'checkpoint': None, 'logger': {'type': 'LoggerHook', 'interval': 1000}},
        randomness={'seed': 0}, experiment_name=f'bench-{uuid.uuid4().hex[:8]}',
        log_level='WARNING')
    runner.train()
    return next(h for h in runner.hooks if isinstance(h, TrainWallClock)).seconds


def bookkeeping_overhead(repeats: int, num_samples: int, epochs: int) -> dict:
    times = {'default': [], 'dar': []}
    with tempfile.TemporaryDirectory() as tmp:
        train_seconds(tmp, dar=False, num_samples=num_samples, epochs=1)  # warm-up
        for _ in range(repeats):
            for name in ('default', 'dar'):
                times[name].append(train_seconds(tmp, dar=name == 'dar',
                                                 num_samples=num_samples, epochs=epochs))
    median = {name: statistics.median(values) for name, values in times.items()}
    # Each DaR run is compared with the DefaultSampler run just before it, so slow
    # drifts of the machine cancel; the median of those ratios is the figure.
    paired = [d / b for d, b in zip(times['dar'], times['default'], strict=True)]
    return {'num_samples': num_samples, 'epochs': epochs, 'batch_size': 64,
            'model': 'resnet18, 32x32 synthetic', 'seconds': times,
            'median_seconds': median, 'paired_ratios': paired,
            'ratio': statistics.median(paired)}


def recording_cost(num_samples: int, batch_size: int, calls: int = 2000) -> dict:
    """Seconds per record_sample_losses call: DaR's only per-iteration work, timed alone
    (wall-time ratios of whole runs carry a few percent of machine noise)."""
    recorder = SampleLossRecorder(num_samples)
    indices, losses = torch.arange(batch_size), torch.rand(batch_size)
    for _ in range(100):
        recorder.add(indices, losses)
    start = time.perf_counter()
    for _ in range(calls):
        recorder.add(indices, losses)
    return {'batch_size': batch_size, 'seconds_per_call': (time.perf_counter() - start) / calls}


def resampling_cost(num_samples: int, repeats: int) -> dict:
    generator = torch.Generator().manual_seed(0)
    recorder = SampleLossRecorder(num_samples)
    indices = torch.arange(num_samples)
    recorder.add(indices, torch.rand(num_samples, generator=generator))
    subset = indices
    keep = kept_size(num_samples, 0.9)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        scores, _ = recorder.reduced_scores()
        kept = select_hardest(subset, scores, keep)
        seconds.append(time.perf_counter() - start)
    assert len(kept) == keep
    state_bytes = (recorder.sums.element_size() + recorder.counts.element_size()
                   + subset.element_size())
    return {'num_samples': num_samples, 'keep': keep, 'seconds': seconds,
            'median_seconds': statistics.median(seconds), 'bytes_per_sample': state_bytes,
            'total_megabytes': state_bytes * num_samples / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--num-samples', type=int, default=2048)
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--out', default='benchmarks/results/overhead.json')
    args = parser.parse_args()
    MMLogger.get_instance('mmengine', log_level='WARNING')

    resampling = resampling_cost(IMAGENET_1K_TRAIN, args.repeats)
    print(f'resampling at N={IMAGENET_1K_TRAIN:,}: median {resampling["median_seconds"]:.3f} s '
          f'(goal < 0.2 s); state {resampling["bytes_per_sample"]} B/sample, '
          f'{resampling["total_megabytes"]:.1f} MiB')
    recording = recording_cost(args.num_samples, batch_size=64)
    print(f'recording per-sample losses: {1e6 * recording["seconds_per_call"]:.1f} us per '
          'iteration of 64 samples')
    overhead = bookkeeping_overhead(args.repeats, args.num_samples, args.epochs)
    iterations = args.epochs * -(-args.num_samples // 64)
    share = recording['seconds_per_call'] * iterations / overhead['median_seconds']['default']
    overhead['recording_share_of_train_time'] = share
    print(f'recording over {iterations} iterations: {100 * share:.3f}% of the training time')
    spread = ', '.join(f'{r:.3f}' for r in overhead['paired_ratios'])
    print(f'bookkeeping: DefaultSampler {overhead["median_seconds"]["default"]:.2f} s, '
          f'DaRSampler(keep_ratio=1)+DaRHook {overhead["median_seconds"]["dar"]:.2f} s '
          f'(medians); paired ratios {spread}; median ratio {overhead["ratio"]:.4f} '
          '(goal <= 1.01)')
    result = {'date': date.today().isoformat(), 'machine': platform.processor() or
              platform.machine(), 'cpus': torch.get_num_threads(),
              'torch': torch.__version__, 'resampling': resampling, 'recording': recording,
              'overhead': overhead}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
