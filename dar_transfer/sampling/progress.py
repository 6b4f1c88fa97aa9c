"""Keep iteration counts honest when the subset shrinks.

mmengine's ``EpochBasedTrainLoop`` fixes ``max_iters`` (and so the ETA) from the first
epoch's loader length, and schedulers converted to iterations use that length too.
Under DaR later epochs are shorter; these helpers compute the planned counts.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from ..errors import UsageError


def shard_size(subset_size: int, world_size: int, round_up: bool) -> int:
    """Samples each rank trains in an epoch over ``subset_size`` samples."""
    if round_up:
        return math.ceil(subset_size / world_size)
    # Too small a subset for every rank to get one sample: pad rather than hang.
    return max(1, subset_size // world_size)


def iterations_per_epoch(sizes: Sequence[int], *, world_size: int, round_up: bool,
                         batch_size: int, drop_last: bool) -> list[int]:
    """Planned loader length of each epoch, given the planned subset sizes."""
    counts = []
    for size in sizes:
        shard = shard_size(size, world_size, round_up)
        counts.append(shard // batch_size if drop_last else math.ceil(shard / batch_size))
    return counts


def iterations_before_first_change(iterations: Sequence[int]) -> int:
    """Iterations trained before any epoch's length differs from the first's."""
    total = 0
    for count in iterations:
        if count != iterations[0]:
            break
        total += count
    return total


def check_iteration_schedulers(schedulers: Iterable, safe_iters: int) -> None:
    """Reject iteration-based parameter schedulers that reach into shrunken epochs.

    A scheduler with ``by_epoch=False`` (including one converted from epochs with
    ``convert_to_iter_based=True``) counts iterations computed from the full data set;
    once DaR shrinks the subset its milestones would land in later epochs than meant.
    A short warm-up that ends before the first drop is fine.
    """
    for scheduler in schedulers:
        if getattr(scheduler, 'by_epoch', True):
            continue
        end = getattr(scheduler, 'end', math.inf)
        if end > safe_iters:
            raise UsageError(
                f'{type(scheduler).__name__} runs by iteration up to iteration {end}, past '
                f'iteration {safe_iters} where DaR first shortens an epoch, so its schedule '
                'would drift against epochs. With DaR, give param_scheduler entries '
                'by_epoch=True (and no convert_to_iter_based); iteration-based warm-ups must '
                f'end by iteration {safe_iters}.')
