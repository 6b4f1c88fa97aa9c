"""Estimate a fine-tuned model's batch-norm statistics again, from chosen batches.

Batch norm tests with running statistics, an exponential average (momentum 0.1) of the
last training batches. When those batches differ from the test inputs (128-pixel crops
against whole images, four crops a batch), the statistics can be wrong for the test
while the weights are right: a train/test gap with a normal training loss. Estimating
them again with the weights fixed (a cumulative average, as "precise BN" does) over
batches of a chosen kind separates the two causes: if the test recovers, the weights were
fine and the statistics were not.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


@dataclass(frozen=True)
class StatsShift:
    """How far the new statistics moved from the old ones, over the batch-norm layers."""

    layers: int  # estimated again: those the forward passed through
    batches: int
    # layers the forward never reached (mmseg's auxiliary head outside training): they
    # keep their statistics and are left out of the figures below
    unused_layers: int
    # |new mean - old mean| / sqrt(old var), averaged over channels: the mean's move in
    # units of the old spread. Median and largest over the layers.
    mean_shift_median: float
    mean_shift_max: float
    # new var / old var, averaged over channels; median and largest over the layers.
    var_ratio_median: float
    var_ratio_max: float


def batch_norm_layers(model: nn.Module) -> list[_BatchNorm]:
    """The model's batch-norm layers that keep running statistics."""
    return [m for m in model.modules()
            if isinstance(m, _BatchNorm) and m.track_running_stats]


def reestimate_batch_norm(model: nn.Module, batches: Iterable, forward: Callable,
                          max_batches: int) -> StatsShift:
    """Replace every batch-norm layer's running statistics with their cumulative average
    over up to ``max_batches`` of ``batches``, each passed to ``forward(model, batch)``
    without gradients; the weights are not touched. Layers the forward does not reach keep
    their statistics, and so does every layer if the forward raises. The model is left in
    eval mode."""
    layers = batch_norm_layers(model)
    if not layers:
        raise ValueError('the model has no batch-norm layer with running statistics')
    if max_batches < 1:
        raise ValueError(f'max_batches must be at least 1, not {max_batches}')
    old = [(m.running_mean.clone(), m.running_var.clone(), m.momentum,
            m.num_batches_tracked.clone()) for m in layers]
    for m in layers:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over every batch, not an EMA
    model.train()
    seen, failed = 0, True
    try:
        with torch.no_grad():
            for batch in batches:
                if seen == max_batches:
                    break
                forward(model, batch)
                seen += 1
        failed = False
    finally:
        # a forward that raised leaves every layer as it was, not half estimated
        reached = [not failed and bool(m.num_batches_tracked > 0) for m in layers]
        for m, (mean, var, momentum, tracked), hit in zip(layers, old, reached, strict=True):
            m.momentum = momentum
            if not hit:  # never reached (or no batch at all): as it was
                m.running_mean.copy_(mean)
                m.running_var.copy_(var)
                m.num_batches_tracked.copy_(tracked)
        model.eval()
    if seen == 0:
        raise ValueError('no batch to estimate the statistics from (an empty data set?)')
    used = [(m, mean, var) for m, (mean, var, _, _), hit in zip(layers, old, reached, strict=True)
            if hit]
    if not used:
        raise ValueError('the forward reached no batch-norm layer: nothing was estimated')
    shifts, ratios = [], []
    for m, mean, var in used:
        shifts.append(((m.running_mean - mean).abs() / var.clamp_min(1e-12).sqrt()).mean())
        ratios.append((m.running_var / var.clamp_min(1e-12)).mean())
    shifts, ratios = torch.stack(shifts), torch.stack(ratios)
    return StatsShift(layers=len(used), batches=seen, unused_layers=len(layers) - len(used),
                      mean_shift_median=float(shifts.median()), mean_shift_max=float(shifts.max()),
                      var_ratio_median=float(ratios.median()), var_ratio_max=float(ratios.max()))
