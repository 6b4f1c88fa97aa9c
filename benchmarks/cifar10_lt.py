"""Real-data check: CIFAR-10-LT top-1 by shot group for baseline, DaR, random, reweight.

The DaR paper's Table 8 claim, on the shared CIFAR-10 training archive (there is no
test split here): images 0..V-1 of each class are held out as a balanced validation set,
images V.. of each class form the training pool, and the pool is made long-tailed with
imbalance 100 (class k keeps int(n_max * 0.01^(k/9)) images, n_max = pool size per
class). Reduced CPU protocol (defaults): ResNet-20, 30 epochs, batch 128, SGD lr 0.1
divided by 10 at 15 and 22; DaR with W=2, I=1, a=4, refreshes at the lr drops and the
keep ratio solved for the paper's CIFAR-10 cost of 0.83 on the long-tailed set's size;
the random control at the same sizes; reweight (cost 1.0) when the sampler offers it.
Shot groups of this 10-class set: many > 1500 training images, few < 200 (3/4/3 classes
with the defaults), as configs/pretrain/_base_/datasets/cifar10_lt_bs128.py; a group
without classes (possible with other settings) is reported as n/a.

Each seed runs the variants back to back; every finished run appends a line to --runs;
--report summarises them (mean ± std per variant, deltas against the baseline). Each
run keeps its last checkpoint, and the script prints the `dar-transfer features` command
for the seed-0 checkpoints on the held-out images (a folder of links it writes).

Usage:
  python benchmarks/cifar10_lt.py --seeds 0 1 2             # the full comparison (hours)
  python benchmarks/cifar10_lt.py --report
  python benchmarks/cifar10_lt.py --smoke                    # tiny setting, about a minute
"""
from __future__ import annotations

import argparse
import copy
import json
import statistics
from pathlib import Path

from cifar_archive import ARCHIVE, CACHE, extract
from mmengine.config import Config
from mmengine.runner import Runner

from dar_transfer.pretrain.long_tail import long_tail_counts
from dar_transfer.sampling.dar_log import DaRLog

REPO = Path(__file__).resolve().parents[1]
VARIANTS = ('baseline', 'dar', 'random', 'reweight')
GROUPS = ('overall', 'many', 'medium', 'few')
IMAGES_PER_CLASS = 5000


def heldout_folder(data_root: Path, per_class: int) -> Path:
    """``<cache>/cifar10-lt-heldout-V/test/<class>/`` linking the held-out images, the
    layout ``dar-transfer features --split test`` reads."""
    folder = CACHE / f'cifar10-lt-heldout-{per_class}'
    for class_dir in sorted(p for p in (data_root / 'train').iterdir() if p.is_dir()):
        target = folder / 'test' / class_dir.name
        target.mkdir(parents=True, exist_ok=True)
        for image in sorted(class_dir.iterdir())[:per_class]:
            link = target / image.name
            if not link.exists():
                link.symlink_to(image)
    return folder


def reweight_available() -> bool:
    try:
        from dar_transfer.sampling.policies import POLICIES
    except ImportError:
        return False
    return 'reweight' in POLICIES


def base_config(args: argparse.Namespace, data_root: Path) -> Config:
    pool = dict(type='InMemoryImageFolder', data_root=str(data_root), split='train',
                per_class=(args.val_per_class, args.val_per_class + args.pool_per_class),
                imbalance=args.imbalance)
    heldout = dict(type='InMemoryImageFolder', data_root=str(data_root), split='train',
                   per_class=(0, args.val_per_class))
    loader = dict(num_workers=0, collate_fn=dict(type='default_collate'))
    return Config(dict(
        custom_imports=dict(imports=['dar_transfer'], allow_failed_imports=False),
        default_scope='mmengine',
        model=dict(type='ImageClassifier', arch=args.arch, num_classes=10,
                   data_preprocessor=dict(type='BatchAugmentPreprocessor',
                                          mean=[125.3, 123.0, 113.9], std=[63.0, 62.1, 66.7],
                                          pad=4, flip=True, channels_last=True)),
        train_dataloader=dict(batch_size=128, sampler=dict(type='DefaultSampler', shuffle=True),
                              dataset=pool, **loader),
        val_dataloader=dict(batch_size=500, sampler=dict(type='DefaultSampler', shuffle=False),
                            dataset=heldout, **loader),
        val_evaluator=[dict(type='TopKAccuracy', topk=(1, 5)),
                       dict(type='ShotAccuracy',
                            class_counts=long_tail_counts(args.pool_per_class, args.imbalance,
                                                          10),
                            many_threshold=args.many_threshold,
                            few_threshold=args.few_threshold)],
        train_cfg=dict(by_epoch=True, max_epochs=args.epochs, val_interval=args.epochs),
        val_cfg=dict(),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4,
                                          nesterov=True)),
        param_scheduler=dict(type='MultiStepLR', by_epoch=True, milestones=args.milestones,
                             gamma=0.1),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=args.epochs),
                           logger=dict(type='LoggerHook', interval=50))))


def dar_keep_ratio(args: argparse.Namespace, num_samples: int) -> float:
    from dar_transfer.sampling.plan import solve_keep_ratio
    from dar_transfer.sampling.schedule import DaRSchedule

    schedule = DaRSchedule(max_epochs=args.epochs, warmup_epochs=args.warmup, interval=1,
                           active_epochs=args.active, refresh_epochs=tuple(args.refresh))
    solution = solve_keep_ratio(schedule, num_samples, args.target_cost)
    if not solution.reachable:
        raise ValueError(f'target cost {args.target_cost} is out of reach for {schedule}')
    return solution.keep_ratio


def variant_config(base: Config, args: argparse.Namespace, variant: str, seed: int,
                   keep_ratio: float) -> Config:
    cfg = copy.deepcopy(base)
    cfg.work_dir = str(Path(args.work_dir) / f'{variant}-seed{seed}')
    cfg.experiment_name = f'lt-{variant}-seed{seed}'
    cfg.randomness = dict(seed=seed)
    cfg.model.data_preprocessor.seed = seed
    if variant in ('dar', 'random'):
        cfg.train_dataloader.sampler = dict(
            type='DaRSampler', shuffle=True, warmup_epochs=args.warmup, interval=1,
            keep_ratio=keep_ratio, active_epochs=args.active, refresh_epochs=args.refresh,
            policy='hardest' if variant == 'dar' else 'random')
        cfg.custom_hooks = [dict(type='DaRHook')]
    elif variant == 'reweight':
        cfg.train_dataloader.sampler = dict(type='DaRSampler', shuffle=True, policy='reweight')
        cfg.custom_hooks = [dict(type='DaRHook')]
    return cfg


def run_one(cfg: Config, variant: str, seed: int) -> dict:
    runner = Runner.from_cfg(cfg)
    runner.train()
    logged = runner.message_hub.log_scalars  # a shot group without classes is not logged
    scalars = {key: (logged[f'val/accuracy/{key}'].current()
                     if f'val/accuracy/{key}' in logged else None)
               for key in ('top1', *GROUPS)}
    log = DaRLog.read(Path(cfg.work_dir) / 'dar_log.jsonl')
    return {'variant': variant, 'seed': seed, **scalars,
            'cost': log[-1]['cost_so_far'] if log else 1.0,
            'epochs': cfg.train_cfg.max_epochs,
            'train_images': len(runner.train_dataloader.dataset),
            'checkpoint': _repo_relative(
                Path(cfg.work_dir) / f'epoch_{cfg.train_cfg.max_epochs}.pth')}


def _repo_relative(path: Path) -> str:
    """``path`` relative to the checkout where it is inside it: the runs file is committed,
    and a machine path in it says nothing to a reader elsewhere."""
    path = path.resolve()
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)


def _mean(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r[key] is not None]
    return statistics.mean(values) if values else None


def report(runs_file: Path) -> str:
    """Markdown: mean ± std per variant and group, then delta rows against the baseline."""
    runs = [json.loads(line) for line in runs_file.read_text().splitlines() if line.strip()]
    groups: dict[str, list[dict]] = {}
    for run in runs:
        groups.setdefault(run['variant'], []).append(run)
    rows = ['| variant | n | cost | ' + ' | '.join(GROUPS) + ' |', '|---|---|---|' + '---|' * 4]
    base = groups.get('baseline')
    for variant in [v for v in VARIANTS if v in groups]:
        chosen = groups[variant]
        cells = []
        for group in GROUPS:
            values = [r[group] for r in chosen if r[group] is not None]
            if not values:
                cells.append('n/a')
                continue
            std = f' ± {statistics.stdev(values):.2f}' if len(values) > 1 else ''
            cells.append(f'{statistics.mean(values):.2f}{std}')
        cost = statistics.mean(r['cost'] for r in chosen)
        rows.append(f'| {variant} | {len(chosen)} | {cost:.3f} | ' + ' | '.join(cells) + ' |')
        if base and variant != 'baseline':
            deltas = [_mean(chosen, g) - _mean(base, g)
                      if None not in (_mean(chosen, g), _mean(base, g)) else None
                      for g in GROUPS]
            rows.append(f'| Δ {variant} | | | ' + ' | '.join(
                'n/a' if d is None else f'{d:+.2f}' for d in deltas) + ' |')
    return '\n'.join(rows)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--archive', default=str(ARCHIVE))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--variants', nargs='+', choices=VARIANTS, default=None,
                        help='default: all four (reweight only where the sampler has it)')
    parser.add_argument('--arch', default='cifar_resnet20')
    parser.add_argument('--imbalance', type=float, default=100.0)
    parser.add_argument('--val-per-class', type=int, default=500,
                        help='held-out images per class (the first ones of each class)')
    parser.add_argument('--pool-per-class', type=int, default=None,
                        help='images per class after the held-out ones that form the '
                             'training pool before the long-tail cut (default: all the rest)')
    parser.add_argument('--many-threshold', type=int, default=1500,
                        help='many-shot: more training images than this')
    parser.add_argument('--few-threshold', type=int, default=200,
                        help='few-shot: fewer training images than this')
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument('--milestones', type=int, nargs='*', default=[15, 22])
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--active', type=int, default=4)
    parser.add_argument('--refresh', type=int, nargs='*', default=[15, 22])
    parser.add_argument('--target-cost', type=float, default=0.83)
    parser.add_argument('--work-dir', default=str(REPO / 'work_dirs/bench_cifar10_lt'))
    parser.add_argument('--runs', default=str(REPO / 'benchmarks/results/cifar10_lt_runs.jsonl'))
    parser.add_argument('--report', action='store_true', help='only summarise --runs')
    parser.add_argument('--smoke', action='store_true',
                        help='a tiny setting to check the script: 3 epochs on a 200-image '
                             'pool per class (long-tailed: 200 down to 2), 20 held out per '
                             'class, one seed; writes under /tmp, not benchmarks/results')
    args = parser.parse_args()
    if args.smoke:
        args.seeds, args.epochs, args.milestones = [0], 3, [2]
        args.warmup, args.active, args.refresh = 0, 2, [2]
        args.val_per_class, args.pool_per_class = 20, 200
        args.many_threshold, args.few_threshold = 60, 10
        args.work_dir, args.runs = '/tmp/bench_cifar10_lt_smoke', '/tmp/cifar10_lt_smoke.jsonl'
    if args.pool_per_class is None:
        args.pool_per_class = IMAGES_PER_CLASS - args.val_per_class
    if args.val_per_class + args.pool_per_class > IMAGES_PER_CLASS:
        raise ValueError(f'--val-per-class {args.val_per_class} plus --pool-per-class '
                         f'{args.pool_per_class} exceed the {IMAGES_PER_CLASS} images per class')
    if args.variants is None:
        args.variants = [v for v in VARIANTS if v != 'reweight' or reweight_available()]
    return args


def main() -> None:
    args = parse_args()
    runs_file = Path(args.runs)
    if not args.report:
        data_root = extract(Path(args.archive))
        base = base_config(args, data_root)
        pool = args.pool_per_class
        num_samples = sum(long_tail_counts(pool, args.imbalance, 10))
        keep_ratio = dar_keep_ratio(args, num_samples)
        print(f'training pool: {num_samples} images (imbalance {args.imbalance:g}, '
              f'{pool} down to {pool / args.imbalance:.0f} per class); DaR keep ratio '
              f'{keep_ratio} for cost {args.target_cost}', flush=True)
        runs_file.parent.mkdir(parents=True, exist_ok=True)
        for seed in args.seeds:
            for variant in args.variants:
                result = run_one(variant_config(base, args, variant, seed, keep_ratio),
                                 variant, seed)
                result.update(imbalance=args.imbalance, keep_ratio=keep_ratio)
                print(json.dumps(result), flush=True)
                with runs_file.open('a') as file:
                    file.write(json.dumps(result) + '\n')
        checkpoints = [str(Path(args.work_dir) / f'{v}-seed{args.seeds[0]}' /
                           f'epoch_{args.epochs}.pth') for v in args.variants]
        folder = heldout_folder(data_root, args.val_per_class)
        print('features: dar-transfer features ' + ' '.join(checkpoints) +
              f' --data-root {folder} --split test --out {Path(args.work_dir) / "features"}')
    print(report(runs_file))


if __name__ == '__main__':
    main()
