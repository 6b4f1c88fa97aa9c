"""A hook that keeps every checkpoint a run writes readable by torch's default loader."""
from __future__ import annotations

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from .message_hub_state import plain_message_hub, restore_message_hub


@HOOKS.register_module()
class WeightsOnlyCheckpointHook(Hook):
    """Stores the message hub as plain values, and rebuilds it on load.

    Unlike a stock mmengine checkpoint, one written with this hook holds no
    ``HistoryBuffer``, numpy object or ``getattr`` reference: ``torch.load`` with
    ``weights_only=True`` and no extra allow-list reads it. ``dar-transfer pretrain`` and
    ``finetune`` add it to every run, and ``DaRHook`` adds it to any runner that lacks
    it; a config without DaR trained by OpenMMLab's own ``tools/train.py`` needs it in
    ``custom_hooks`` to resume under torch >= 2.6.
    """

    priority = 'VERY_LOW'  # after every hook that adds to the checkpoint

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = plain_message_hub(checkpoint['message_hub'])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        restore_message_hub(checkpoint)  # runs before resume hands the hub to mmengine
