"""Real-data check: CIFAR-10 top-1 of baseline, DaR and the other policies at equal cost.

Uses the shared CIFAR-10 training archive (train split only: 5,000 held-out images for
validation) under the reduced protocol of benchmarks/configs/cifar10_r20_reduced.py.
Each seed runs the three variants back to back, so machine noise hits them alike.
Every finished run appends a line to --runs; --report turns the lines into a table
(mean and std of top-1, cost, wall time) and an accuracy-vs-cost plot.

With --scan-costs, --policies picks which policies run at each target cost below 1.0
(DaR and the random control by default; also infobatch and rs2) and at 1.0 (the
baseline, and reweight if asked for). RS2's keep ratio is exact for a target; InfoBatch's
prune_ratio is estimated (`dar-transfer plan --policy infobatch --target-cost`), so its
real cost is the one its log records, and the table shows that.

Usage:
  python benchmarks/cifar_accuracy_at_cost.py --seeds 0 1 2
  python benchmarks/cifar_accuracy_at_cost.py --scan-costs 1.0 0.83 0.6 \
      --policies dar random infobatch rs2 reweight
  python benchmarks/cifar_accuracy_at_cost.py --report
"""
from __future__ import annotations

import argparse
import copy
import json
import statistics
from pathlib import Path

from cifar_archive import ARCHIVE, extract
from mmengine.config import Config, DictAction
from mmengine.runner import Runner
from timing import TrainWallClock

from dar_transfer.sampling.dar_log import DaRLog
from dar_transfer.sampling.policies import DEFAULT_BELOW_MEAN_SHARE

REPO = Path(__file__).resolve().parents[1]
VARIANTS = ('baseline', 'dar', 'random', 'infobatch', 'rs2', 'reweight')
# Variants whose sampler is a policy beside DaR's schedule; 'dar' is policy 'hardest'.
OTHER_POLICIES = ('infobatch', 'rs2', 'reweight')
INFOBATCH_ANNEAL = 0.125


def variant_config(base: Config, variant: str, seed: int, data_root: Path,
                   work_dir: Path, pause_log: str | None = None) -> Config:
    cfg = copy.deepcopy(base)
    cfg.work_dir = str(work_dir)
    cfg.randomness = dict(seed=seed)
    cfg.model.data_preprocessor.seed = seed
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.dataset.data_root = str(data_root)
    if variant in OTHER_POLICIES:
        cfg.train_dataloader.sampler = dict(type='DaRSampler', shuffle=True, policy=variant,
                                            **cfg.get('policy_params', {}))
        cfg.custom_hooks = [dict(type='DaRHook')]
    elif variant != 'baseline':
        cfg.train_dataloader.sampler = dict(type='DaRSampler', shuffle=True, **cfg.dar,
                                            policy='hardest' if variant == 'dar' else 'random')
        cfg.custom_hooks = [dict(type='DaRHook')]
    cfg.custom_hooks = [*cfg.get('custom_hooks', []),
                        dict(type='TrainWallClock', pause_log=pause_log)]
    cfg.experiment_name = f'{variant}-seed{seed}'
    return cfg


def warm_up(base: Config, data_root: Path, work_dir: Path) -> None:
    """One short unrecorded run, so one-time start-up costs hit no measured run."""
    cfg = variant_config(base, 'baseline', 0, data_root, work_dir)
    cfg.train_cfg.max_epochs = cfg.train_cfg.val_interval = 1
    cfg.train_dataloader.dataset.per_class = (500, 600)
    cfg.val_dataloader.dataset.per_class = (0, 10)
    cfg.experiment_name = 'warm-up'
    Runner.from_cfg(cfg).train()


def scan_keep_ratio(base: Config, target_cost: float) -> tuple[float, float]:
    """Keep ratio (and its planned cost) that brings the config's DaR schedule to
    ``target_cost`` on its training-set size."""
    from dar_transfer.sampling.plan import solve_keep_ratio
    from dar_transfer.sampling.schedule import DaRSchedule

    start, stop = base.train_dataloader.dataset.per_class
    num_samples = 10 * (stop - start)  # class-balanced CIFAR-10 slice
    settings = {k: v for k, v in base.dar.items() if k != 'keep_ratio'}
    schedule = DaRSchedule(max_epochs=base.train_cfg.max_epochs, keep_ratio=1.0, **settings)
    solution = solve_keep_ratio(schedule, num_samples, target_cost)
    if not solution.reachable:
        raise ValueError(f'target cost {target_cost} is out of reach for {settings}')
    return solution.keep_ratio, solution.cost


def policy_params(base: Config, policy: str, target_cost: float | None,
                  below_mean_share: float = DEFAULT_BELOW_MEAN_SHARE) -> dict:
    """Sampler parameters of a policy beside DaR for ``target_cost`` (None: the cost the
    config's DaR schedule plans). ``below_mean_share`` calibrates InfoBatch's estimate."""
    from dar_transfer.sampling.plan import schedule_cost
    from dar_transfer.sampling.policies import estimate_prune_ratio, solve_rs2_keep_ratio
    from dar_transfer.sampling.schedule import DaRSchedule

    start, stop = base.train_dataloader.dataset.per_class
    num_samples = 10 * (stop - start)  # class-balanced CIFAR-10 slice
    epochs = base.train_cfg.max_epochs
    if target_cost is None:
        target_cost = schedule_cost(DaRSchedule(max_epochs=epochs, **base.dar), num_samples)
    if policy == 'reweight':
        if target_cost != 1.0:
            raise ValueError(f'reweight costs 1.0, it cannot run at target cost {target_cost}')
        return {}
    if policy == 'rs2':
        return {'keep_ratio': solve_rs2_keep_ratio(num_samples, target_cost)}
    estimate = estimate_prune_ratio(epochs, INFOBATCH_ANNEAL, target_cost,
                                    below_mean_share=below_mean_share)
    if not estimate.reachable:
        raise ValueError(f'target cost {target_cost} is out of reach for InfoBatch over '
                         f'{epochs} epochs (anneal {INFOBATCH_ANNEAL})')
    return {'prune_ratio': estimate.prune_ratio, 'anneal': INFOBATCH_ANNEAL}


def scan_plan(seeds: list[int], costs: list[float], policies: list[str]) -> list[tuple]:
    """(seed, variant, target cost) runs: the baseline (and reweight) at cost 1.0, the
    other chosen policies at every cost below it."""
    plan = []
    for seed in seeds:
        for cost in costs:
            if cost == 1.0:
                chosen = ['baseline', *(['reweight'] if 'reweight' in policies else [])]
            else:
                chosen = [p for p in policies if p != 'reweight']
            plan += [(seed, variant, cost) for variant in chosen]
    return plan


def run_one(cfg: Config, variant: str, seed: int) -> dict:
    runner = Runner.from_cfg(cfg)
    runner.train()
    top1 = runner.message_hub.get_scalar('val/accuracy/top1').current()
    top5 = runner.message_hub.get_scalar('val/accuracy/top5').current()
    log = DaRLog.read(Path(cfg.work_dir) / 'dar_log.jsonl')
    cost = log[-1]['cost_so_far'] if log else 1.0
    clock = next(h for h in runner.hooks if isinstance(h, TrainWallClock))
    return {'variant': variant, 'seed': seed, 'top1': top1, 'top5': top5, 'cost': cost,
            'train_seconds': clock.seconds, 'paused_seconds': clock.paused,
            'epochs': cfg.train_cfg.max_epochs,
            'train_images': len(runner.train_dataloader.dataset)}


def report(runs_file: Path, plot: Path) -> str:
    """Markdown table of mean ± std top-1, cost and wall time per (variant, target cost,
    InfoBatch prune_ratio): runs of one target with different ratios are not pooled."""
    runs = [json.loads(line) for line in runs_file.read_text().splitlines() if line.strip()]
    rows = ['| variant | target cost | n | top-1 (%) mean ± std | cost | train wall time (s) '
            '| time ratio |', '|---|---|---|---|---|---|---|']
    groups: dict[tuple[str, float | None, float | None], list[dict]] = {}
    for run in runs:
        ratio = (run.get('policy_params') or {}).get('prune_ratio')
        groups.setdefault((run['variant'], run.get('target_cost'), ratio), []).append(run)
    baseline = [run for run in runs
                if run['variant'] == 'baseline' and run.get('target_cost') in (None, 1.0)]
    base_time = statistics.mean(r['train_seconds'] for r in baseline) if baseline else None
    order = sorted(groups, key=lambda k: (-(k[1] or 1.0), VARIANTS.index(k[0]), k[2] or 0))
    for variant, target, prune_ratio in order:
        chosen = groups[(variant, target, prune_ratio)]
        top1 = [r['top1'] for r in chosen]
        std = f'{statistics.stdev(top1):.2f}' if len(top1) > 1 else 'n/a'
        mean_time = statistics.mean(r['train_seconds'] for r in chosen)
        time_ratio = f'{mean_time / base_time:.3f}' if base_time else 'n/a'
        cost = statistics.mean(r['cost'] for r in chosen)
        name = variant if prune_ratio is None else f'{variant} (prune_ratio {prune_ratio})'
        rows.append(f'| {name} | {target if target is not None else "-"} | {len(chosen)} | '
                    f'{statistics.mean(top1):.2f} ± {std} | {cost:.3f} | {mean_time:.0f} | '
                    f'{time_ratio} |')
    _plot(runs, plot)
    return '\n'.join(rows)


def _plot(runs: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for variant, marker in zip(VARIANTS, 'osD^vP', strict=True):
        chosen = [r for r in runs if r['variant'] == variant]
        if not chosen:
            continue
        ax.scatter([r['cost'] for r in chosen], [r['top1'] for r in chosen], marker=marker,
                   label=variant, alpha=0.8)
    ax.set_xlabel('training cost (share of full-data epochs)')
    ax.set_ylabel('held-out top-1 (%)')
    ax.set_title('CIFAR-10 ResNet-20, reduced protocol')
    ax.legend(loc='lower right')
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=str(REPO / 'benchmarks/configs/cifar10_r20_reduced.py'))
    parser.add_argument('--archive', default=str(ARCHIVE))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--variants', nargs='+', choices=VARIANTS,
                        default=['baseline', 'dar', 'random'])
    parser.add_argument('--work-dir', default=str(REPO / 'work_dirs/bench_cifar10'))
    parser.add_argument('--runs', default=str(REPO / 'benchmarks/results/cifar10_runs.jsonl'))
    parser.add_argument('--plot',
                        default=str(REPO / 'benchmarks/results/cifar10_accuracy_vs_cost.png'))
    parser.add_argument('--report', action='store_true', help='only summarise --runs')
    parser.add_argument('--scan-costs', type=float, nargs='+', default=None,
                        help='instead: DaR and the random control at each of these target '
                             'costs (keep ratio solved per cost)')
    parser.add_argument('--policies', nargs='+', default=['dar', 'random'],
                        choices=['dar', 'random', *OTHER_POLICIES],
                        help='with --scan-costs: the policies run at each target cost '
                             '(reweight only at 1.0); default dar random')
    parser.add_argument('--below-mean-share', type=float, default=DEFAULT_BELOW_MEAN_SHARE,
                        help="InfoBatch: the share of samples below the mean loss that its "
                             "prune_ratio estimate assumes (a run's dar_log.jsonl measures "
                             "it); default %(default)s, the planner's")
    parser.add_argument('--pause-log', default=None,
                        help='file of "unix_start unix_end" pauses to leave out of wall times')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='key=value overrides, e.g. train_cfg.max_epochs=2')
    args = parser.parse_args()
    runs_file = Path(args.runs)
    if not args.report:
        data_root = extract(Path(args.archive))
        base = Config.fromfile(args.config)
        base.merge_from_dict(args.cfg_options)
        runs_file.parent.mkdir(parents=True, exist_ok=True)
        warm_up(base, data_root, Path(args.work_dir) / 'warm-up')
        plan = [(seed, variant, None) for seed in args.seeds for variant in args.variants]
        if args.scan_costs:
            plan = scan_plan(args.seeds, args.scan_costs, args.policies)
        for seed, variant, target in plan:
            scanned = copy.deepcopy(base)
            name = f'{variant}-seed{seed}'
            if variant in OTHER_POLICIES:
                scanned.policy_params = policy_params(base, variant, target,
                                                       args.below_mean_share)
            elif target is not None and target < 1.0:
                scanned.dar.keep_ratio, _ = scan_keep_ratio(base, target)
            if target is not None and target < 1.0:
                name += f'-cost{target}'
            work_dir = Path(args.work_dir) / name
            cfg = variant_config(scanned, variant, seed, data_root, work_dir, args.pause_log)
            result = run_one(cfg, variant, seed)
            result.update(target_cost=target, keep_ratio=scanned.dar.keep_ratio)
            if variant in OTHER_POLICIES:  # DaR's keep ratio means nothing to them
                result.update(keep_ratio=None, policy_params=scanned.policy_params)
            print(json.dumps(result), flush=True)
            with runs_file.open('a') as file:
                file.write(json.dumps(result) + '\n')
    print(report(runs_file, Path(args.plot)))


if __name__ == '__main__':
    main()
