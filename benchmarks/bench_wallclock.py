"""Are the samples DaR saves time saved? Baseline vs DaR wall time against the plan.

The same training run (CIFAR ResNet-20, channels-last, batched augmentation, synthetic
32x32 data held in memory) with DefaultSampler and with DaRSampler + DaRHook at a
planned cost of 0.75, alternated baseline, DaR, baseline, DaR, ... in one process.
The figure is the median of the paired wall-time ratios DaR/baseline, to be compared
with the planned cost (goal: within 0.02 above it). Per-epoch fixed costs that do not
shrink with the subset (loader start, hooks, logging) are what would push it above.

Usage: python benchmarks/bench_wallclock.py [--repeats 3]
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import uuid
from datetime import date
from pathlib import Path

import torch
from mmengine.runner import Runner
from timing import TrainWallClock

import dar_transfer  # noqa: F401  (registers the sampler, hook, model and data set)
from dar_transfer.sampling.plan import solve_keep_ratio
from dar_transfer.sampling.schedule import DaRSchedule

REPO = Path(__file__).resolve().parents[1]
DAR = {'warmup_epochs': 1, 'interval': 1, 'active_epochs': 3, 'refresh_epochs': [4, 6]}


def train_seconds(work_dir: str, *, num_samples: int, epochs: int,
                  keep_ratio: float | None) -> float:
    sampler = ({'type': 'DefaultSampler', 'shuffle': True, 'seed': 0} if keep_ratio is None
               else {'type': 'DaRSampler', 'seed': 0, 'keep_ratio': keep_ratio, **DAR})
    hooks = [] if keep_ratio is None else [{'type': 'DaRHook'}]
    runner = Runner(
        model={'type': 'ImageClassifier', 'arch': 'cifar_resnet20', 'num_classes': 10,
               'data_preprocessor': {'type': 'BatchAugmentPreprocessor',
                                     'mean': [0, 0, 0], 'std': [1, 1, 1],
                                     'channels_last': True}},
        work_dir=work_dir,
        train_dataloader={'dataset': {'type': 'SyntheticImageDataset',
                                      'num_samples': num_samples, 'num_classes': 10,
                                      'image_size': 32},
                          'sampler': sampler, 'batch_size': 128, 'num_workers': 0,
                          'collate_fn': {'type': 'default_collate'}},
        train_cfg={'by_epoch': True, 'max_epochs': epochs},
        optim_wrapper={'optimizer': {'type': 'SGD', 'lr': 0.1, 'momentum': 0.9}},
        custom_hooks=[*hooks, {'type': 'TrainWallClock'}],
        default_hooks={'checkpoint': None, 'logger': {'type': 'LoggerHook', 'interval': 1000}},
        randomness={'seed': 0}, experiment_name=f'wallclock-{uuid.uuid4().hex[:8]}',
        log_level='WARNING')
    runner.train()
    return next(h for h in runner.hooks if isinstance(h, TrainWallClock)).seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--num-samples', type=int, default=4096)
    parser.add_argument('--epochs', type=int, default=8)
    parser.add_argument('--target-cost', type=float, default=0.75)
    parser.add_argument('--out', default=str(REPO / 'benchmarks/results/wallclock.json'))
    args = parser.parse_args()
    schedule = DaRSchedule(max_epochs=args.epochs, **DAR)
    solution = solve_keep_ratio(schedule, args.num_samples, args.target_cost)
    print(f'planned cost {solution.cost:.4f} at keep ratio {solution.keep_ratio}')
    times: dict[str, list[float]] = {'baseline': [], 'dar': []}
    with tempfile.TemporaryDirectory() as tmp:
        train_seconds(tmp, num_samples=512, epochs=1, keep_ratio=None)  # warm-up
        for _ in range(args.repeats):
            times['baseline'].append(train_seconds(tmp, num_samples=args.num_samples,
                                                   epochs=args.epochs, keep_ratio=None))
            times['dar'].append(train_seconds(tmp, num_samples=args.num_samples,
                                              epochs=args.epochs,
                                              keep_ratio=solution.keep_ratio))
            print(f'baseline {times["baseline"][-1]:.1f} s, DaR {times["dar"][-1]:.1f} s',
                  flush=True)
    ratios = [d / b for d, b in zip(times['dar'], times['baseline'], strict=True)]
    ratio = statistics.median(ratios)
    print(f'wall-time ratio DaR/baseline: median {ratio:.4f} (pairs: '
          f'{", ".join(f"{r:.3f}" for r in ratios)}); planned cost {solution.cost:.4f}; '
          f'excess {ratio - solution.cost:+.4f} (goal <= +0.02)')
    Path(args.out).write_text(json.dumps({
        'date': date.today().isoformat(), 'machine': platform.machine(),
        'threads': torch.get_num_threads(), 'num_samples': args.num_samples,
        'epochs': args.epochs, 'dar': {**DAR, 'keep_ratio': solution.keep_ratio},
        'planned_cost': solution.cost, 'seconds': times, 'paired_ratios': ratios,
        'median_ratio': ratio}, indent=2))


if __name__ == '__main__':
    main()
