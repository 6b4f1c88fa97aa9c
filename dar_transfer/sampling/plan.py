"""``dar-transfer plan``: per-epoch subset sizes and cost of a DaR schedule.

Also solves the keep ratio that brings a schedule closest to a target cost, since the
paper's stated settings do not reproduce its reported costs under either reading of
Algorithm 1 (DESIGN.md).
"""
from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass, replace

from .schedule import SEMANTICS, DaRSchedule, plan_subset_sizes, training_cost

IMAGENET_1K_TRAIN = 1_281_167
# Keep ratios are solved on a grid of this step: fine enough that neighbouring costs
# differ by far less than run-to-run noise, coarse enough to write in a config.
KEEP_RATIO_STEP = 1e-4

logger = logging.getLogger('dar_transfer')


@dataclass(frozen=True)
class Solution:
    """A keep ratio found for a target cost, and whether the target was reachable."""

    keep_ratio: float
    cost: float
    reachable: bool
    min_cost: float


def schedule_cost(schedule: DaRSchedule, num_samples: int) -> float:
    return training_cost(plan_subset_sizes(schedule, num_samples), num_samples)


def solve_keep_ratio(schedule: DaRSchedule, num_samples: int, target_cost: float) -> Solution:
    """Keep ratio on a 1e-4 grid whose cost is closest to ``target_cost``.

    The cost never decreases as the keep ratio grows, so a bisection over the grid
    finds the two neighbours around the target. The schedule's own ``keep_ratio`` is
    ignored. ``reachable`` is False when the target lies outside the costs the schedule
    can give (below what even the smallest ratio gives, or below 1 for a schedule that
    never drops); within that range the closest cost may still differ a little, as
    subset sizes are whole numbers.
    """
    if not 0 < target_cost <= 1:
        raise ValueError(f'target cost must be in (0, 1], got {target_cost}')
    steps = round(1 / KEEP_RATIO_STEP)

    def cost_at(k: int) -> float:
        return schedule_cost(replace(schedule, keep_ratio=k / steps), num_samples)

    lo, hi = 1, steps  # invariant: the answer's upper neighbour lies in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        if cost_at(mid) >= target_cost:
            hi = mid
        else:
            lo = mid + 1
    candidates = [k for k in (lo - 1, lo) if k >= 1]
    best = min(candidates, key=lambda k: abs(cost_at(k) - target_cost))
    min_cost = cost_at(1)
    return Solution(keep_ratio=best / steps, cost=cost_at(best),
                    reachable=min_cost <= target_cost, min_cost=min_cost)


def format_plan(sizes: list[int], num_samples: int) -> str:
    """A compact table: one row per run of epochs with the same subset size."""
    rows = []
    start = 1
    for epoch in range(2, len(sizes) + 2):
        if epoch > len(sizes) or sizes[epoch - 1] != sizes[start - 1]:
            span = f'{start}' if start == epoch - 1 else f'{start}-{epoch - 1}'
            size = sizes[start - 1]
            rows.append(f'{span:>9}  {size:>12,}  {100 * size / num_samples:7.1f}%')
            start = epoch
    header = f'{"epochs":>9}  {"subset size":>12}  {"share":>8}'
    return '\n'.join([header, *rows])


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'plan', help='print the per-epoch subset sizes and cost of a DaR schedule',
        description='Print the per-epoch subset sizes and the training cost of a DaR '
                    'schedule, or solve the keep ratio for a target cost.')
    parser.add_argument('--num-samples', type=int, default=IMAGENET_1K_TRAIN,
                        help='data set size N (default: ImageNet-1k train, 1,281,167)')
    parser.add_argument('--epochs', type=int, required=True, help='max_epochs E')
    parser.add_argument('--warmup', type=int, default=0, help='warmup_epochs W (default 0)')
    parser.add_argument('--interval', type=int, default=1, help='interval I (default 1)')
    keep = parser.add_mutually_exclusive_group(required=True)
    keep.add_argument('--keep', type=float, help='keep_ratio p in (0, 1]')
    keep.add_argument('--target-cost', type=float,
                      help='solve the keep ratio whose cost is closest to this, in (0, 1]')
    parser.add_argument('--active', type=int, default=None,
                        help='active_epochs a (default: no limit)')
    parser.add_argument('--refresh', type=int, nargs='*', default=[],
                        help='refresh_epochs R (1-based)')
    parser.add_argument('--semantics', choices=SEMANTICS, default='cyclic')
    parser.add_argument('--json', action='store_true',
                        help='print {"sizes": [...], "cost": ...} (and "keep_ratio" when solved)')
    parser.set_defaults(func=main)
    return parser


# The schedule names its parameters as configs do; the CLI user typed the flags.
FLAG_OF_PARAMETER = {'max_epochs': '--epochs', 'warmup_epochs': '--warmup',
                     'interval': '--interval', 'keep_ratio': '--keep',
                     'active_epochs': '--active', 'refresh_epochs': '--refresh'}


def _schedule_from_args(args: argparse.Namespace) -> DaRSchedule:
    try:
        return DaRSchedule(
            max_epochs=args.epochs, warmup_epochs=args.warmup, interval=args.interval,
            keep_ratio=1.0 if args.keep is None else args.keep, active_epochs=args.active,
            refresh_epochs=args.refresh, semantics=args.semantics)
    except ValueError as error:
        message = str(error)
        parameter = message.split(' ', 1)[0]
        if parameter in FLAG_OF_PARAMETER:
            message = f'{FLAG_OF_PARAMETER[parameter]} ({parameter}){message[len(parameter):]}'
        raise ValueError(message) from error


def main(args: argparse.Namespace) -> int:
    schedule = _schedule_from_args(args)
    if args.num_samples < 1:
        raise ValueError(f'--num-samples must be >= 1, got {args.num_samples}')

    solution = None
    if args.target_cost is not None:
        solution = solve_keep_ratio(schedule, args.num_samples, args.target_cost)
        schedule = replace(schedule, keep_ratio=solution.keep_ratio)
    sizes = plan_subset_sizes(schedule, args.num_samples)
    cost = training_cost(sizes, args.num_samples)

    if args.json:
        result = {'sizes': sizes, 'cost': cost}
        if solution is not None:
            result.update(keep_ratio=solution.keep_ratio, target_cost=args.target_cost,
                          reachable=solution.reachable)
        print(json.dumps(result))
    else:
        print(f'DaR plan ({schedule.semantics}): N={args.num_samples:,}, E={schedule.max_epochs}, '
              f'warm-up {schedule.warmup_epochs}, interval {schedule.interval}, '
              f'keep {schedule.keep_ratio:g}, active {schedule.active_epochs or "unlimited"}, '
              f'refresh {" ".join(map(str, schedule.refresh_epochs)) or "none"}')
        print(format_plan(sizes, args.num_samples))
        if solution is not None:
            print(f'solved keep ratio: {solution.keep_ratio:.4f} for target cost '
                  f'{args.target_cost:.3f}')
        print(f'cost: {cost:.3f} ({100 * cost:.1f}% of full-data training)')
    if solution is not None and not solution.reachable:
        logger.error(
            'target cost %.3f is out of reach with these settings: the cost can range from '
            '%.3f (keep ratio %.4f) to 1.0; the closest is %.3f at keep ratio %.4f. Change '
            'the warm-up, interval, active epochs or refresh epochs to reach it.',
            args.target_cost, solution.min_cost, KEEP_RATIO_STEP, solution.cost,
            solution.keep_ratio)
        return 1
    return 0
