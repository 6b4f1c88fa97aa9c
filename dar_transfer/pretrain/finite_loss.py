"""Stop a run whose training loss is no longer finite, with a message that says why."""
from __future__ import annotations

import math

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from ..errors import UsageError


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise ``FloatingPointError`` when the training loss becomes NaN or infinite.

    mmengine keeps training on a NaN loss, wasting the rest of the run and writing
    useless checkpoints over good ones. Unlike mmdet's ``CheckInvalidLossHook`` (an
    ``assert``), this names the epoch and iteration and the usual fixes. Checkpoints
    already written are untouched, so ``--resume`` restarts from the last good one.

    Args:
        interval (int): check every ``interval`` iterations; each check reads the loss
            from the device, a synchronisation on GPUs. Defaults to 50.
    """

    priority = 'VERY_HIGH'

    def __init__(self, interval: int = 50) -> None:
        if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
            raise UsageError(f'FiniteLossHook interval must be a positive integer, '
                             f'got {interval!r}')
        self.interval = interval

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not outputs or 'loss' not in outputs or not self.every_n_train_iters(runner,
                                                                                 self.interval):
            return
        loss = outputs['loss']
        loss = float(loss.detach() if hasattr(loss, 'detach') else loss)
        if not math.isfinite(loss):
            raise FloatingPointError(
                f'the training loss is {loss} at epoch {runner.epoch + 1}, iteration '
                f'{runner.iter + 1}: training diverged. Lower optim_wrapper.optimizer.lr or set '
                'optim_wrapper.clip_grad, then resume from the last checkpoint (--resume)')
