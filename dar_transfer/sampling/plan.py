"""``dar-transfer plan``: per-epoch subset sizes and cost of a DaR schedule.

Also solves the keep ratio that brings a schedule closest to a target cost, since the
paper's stated settings do not reproduce its reported costs under either reading of
Algorithm 1 (docs/design/schedule.md). ``--policy`` plans the policies beside DaR: RS2
and reweight exactly, InfoBatch only in expectation (its sizes depend on the losses), with
an approximate ``prune_ratio`` for a target cost.
"""
from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass, replace

from ..errors import UsageError
from .policies import (
    DAR_POLICIES,
    DEFAULT_BELOW_MEAN_SHARE,
    INFOBATCH_ANNEAL,
    INFOBATCH_PRUNE_RATIO,
    POLICIES,
    PolicyParams,
    estimate_prune_ratio,
    plan_policy_sizes,
    solve_rs2_keep_ratio,
)
from .schedule import SEMANTICS, DaRSchedule, check_keep_ratio, plan_subset_sizes, training_cost

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
        raise UsageError(f'target cost must be in (0, 1], got {target_cost}')
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
    keep = parser.add_mutually_exclusive_group()
    keep.add_argument('--keep', type=float,
                      help='keep_ratio p in (0, 1] (hardest, random: kept at a drop; rs2: '
                           'the share trained each epoch)')
    keep.add_argument('--target-cost', type=float,
                      help='solve the keep ratio whose cost is closest to this, in (0, 1]; '
                           'infobatch: estimate prune_ratio (approximate)')
    parser.add_argument('--policy', choices=POLICIES, default='hardest',
                        help='hardest and random follow the DaR schedule (same sizes); '
                             'infobatch, rs2 and reweight do not (default hardest)')
    parser.add_argument('--prune-ratio', type=float, default=None,
                        help=f'infobatch: pruning probability of below-mean samples, in '
                             f'[0, 1) (default {INFOBATCH_PRUNE_RATIO})')
    parser.add_argument('--anneal', type=float, default=None,
                        help=f'infobatch: share of the last epochs on all data, in [0, 1) '
                             f'(default {INFOBATCH_ANNEAL})')
    parser.add_argument('--below-mean-share', type=float, default=None,
                        help='infobatch: assumed share of samples below the mean loss, in '
                             f'(0, 1] (default {DEFAULT_BELOW_MEAN_SHARE}; a run\'s '
                             'dar_log.jsonl records the real one)')
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
    except UsageError as error:  # a bug's ValueError keeps its own message and traceback
        raise _naming_the_flag(error, FLAG_OF_PARAMETER) from error


def _naming_the_flag(error: UsageError, flags: dict[str, str]) -> UsageError:
    """``error`` with its leading parameter name shown as the command-line flag."""
    message = str(error)
    parameter = message.split(' ', 1)[0]
    if parameter in flags:
        message = f'{flags[parameter]} ({parameter}){message[len(parameter):]}'
    return UsageError(message)


def main(args: argparse.Namespace) -> int:
    if args.num_samples < 1:
        raise UsageError(f'--num-samples must be >= 1, got {args.num_samples}')
    if args.policy not in DAR_POLICIES:
        return _main_policy(args)
    for flag, value in (('--prune-ratio', args.prune_ratio), ('--anneal', args.anneal),
                        ('--below-mean-share', args.below_mean_share)):
        if value is not None:
            raise UsageError(f'{flag} applies only to --policy infobatch, got {value} with '
                             f'--policy {args.policy}')
    if args.keep is None and args.target_cost is None:
        raise UsageError(f'--policy {args.policy} needs --keep or --target-cost')
    schedule = _schedule_from_args(args)

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


def _reject_dar_flags(args: argparse.Namespace) -> None:
    """Flags of DaR's schedule mean nothing to the other policies: say so."""
    defaults = {'--warmup': (args.warmup, 0), '--interval': (args.interval, 1),
                '--active': (args.active, None), '--refresh': (args.refresh, []),
                '--semantics': (args.semantics, 'cyclic')}
    if args.policy != 'rs2':
        defaults['--keep'] = (args.keep, None)
    if args.policy != 'infobatch':
        defaults.update({'--prune-ratio': (args.prune_ratio, None),
                         '--anneal': (args.anneal, None),
                         '--below-mean-share': (args.below_mean_share, None)})
    for flag, (value, default) in defaults.items():
        if value != default:
            raise UsageError(f'{flag} does not apply to --policy {args.policy}, got {value}')


POLICY_FLAGS = {'prune_ratio': '--prune-ratio', 'anneal': '--anneal',
                'below_mean_share': '--below-mean-share', 'keep_ratio': '--keep'}


def _main_policy(args: argparse.Namespace) -> int:
    """``plan`` for infobatch, rs2 and reweight; errors name the flag."""
    try:
        return _plan_policy(args)
    except UsageError as error:
        raise _naming_the_flag(error, POLICY_FLAGS) from error


def _plan_policy(args: argparse.Namespace) -> int:
    _reject_dar_flags(args)
    if args.epochs < 1:
        raise UsageError(f'--epochs (max_epochs) must be >= 1, got {args.epochs}')
    result: dict = {'policy': args.policy, 'exact': args.policy != 'infobatch'}
    estimate = None
    keep_ratio = 1.0
    if args.policy == 'rs2':
        if args.keep is None and args.target_cost is None:
            raise UsageError('--policy rs2 needs --keep or --target-cost')
        keep_ratio = (check_keep_ratio(args.keep) if args.keep is not None
                      else solve_rs2_keep_ratio(args.num_samples, args.target_cost))
        result['keep_ratio'] = keep_ratio
    if args.policy == 'reweight' and args.target_cost not in (None, 1.0):
        raise UsageError(f'--policy reweight trains all data every epoch (cost 1.0); '
                         f'--target-cost {args.target_cost} cannot be met')
    params = PolicyParams(args.policy)
    share = DEFAULT_BELOW_MEAN_SHARE
    if args.policy == 'infobatch':
        share = DEFAULT_BELOW_MEAN_SHARE if args.below_mean_share is None \
            else args.below_mean_share
        anneal = INFOBATCH_ANNEAL if args.anneal is None else args.anneal
        ratio = args.prune_ratio
        if args.target_cost is not None:
            if ratio is not None:
                raise UsageError('give --prune-ratio or --target-cost, not both')
            estimate = estimate_prune_ratio(args.epochs, anneal, args.target_cost,
                                            below_mean_share=share)
            ratio = estimate.prune_ratio
        params = PolicyParams('infobatch', prune_ratio=ratio, anneal=anneal)
        result.update(prune_ratio=params.prune_ratio, anneal=params.anneal,
                      below_mean_share=share)
    sizes = plan_policy_sizes(params, args.epochs, args.num_samples, keep_ratio=keep_ratio,
                              below_mean_share=share)
    result.update(sizes=sizes, cost=training_cost(sizes, args.num_samples))
    if estimate is not None:
        result.update(target_cost=args.target_cost, reachable=estimate.reachable)
    _print_policy_plan(args, result)
    if estimate is not None and not estimate.reachable:
        logger.error(
            'target cost %.3f is out of reach for InfoBatch with these settings: even '
            'prune_ratio just below 1 is expected to cost %.3f. Lower --anneal or use more '
            'epochs.', args.target_cost, estimate.min_cost)
        return 1
    return 0


def _print_policy_plan(args: argparse.Namespace, result: dict) -> None:
    if args.json:
        print(json.dumps(result))
        return
    policy = result['policy']
    if policy == 'infobatch':
        print(f'InfoBatch plan: N={args.num_samples:,}, E={args.epochs}, prune_ratio '
              f'{result["prune_ratio"]:g}, anneal {result["anneal"]:g}')
        print('InfoBatch cannot be planned exactly: its subsets depend on the training '
              'losses. These sizes are an expectation assuming a below-mean share of '
              f'{result["below_mean_share"]:g}; the real cost is what the run\'s '
              'dar_log.jsonl records (its below_mean_share field measures the share).')
    elif policy == 'rs2':
        print(f'RS2 plan (without replacement): N={args.num_samples:,}, E={args.epochs}, '
              f'keep {result["keep_ratio"]:g} each epoch')
    else:
        print(f'reweight plan: N={args.num_samples:,}, E={args.epochs}, all data every epoch')
    print(format_plan(result['sizes'], args.num_samples))
    if 'target_cost' in result:
        print(f'estimated prune_ratio: {result["prune_ratio"]:.4f} for target cost '
              f'{result["target_cost"]:.3f} (approximate)')
    label = 'expected cost' if policy == 'infobatch' else 'cost'
    print(f'{label}: {result["cost"]:.3f} ({100 * result["cost"]:.1f}% of full-data training)')
