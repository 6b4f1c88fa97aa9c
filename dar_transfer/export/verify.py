"""Build each generated config's backbone with the real library and load the weights.

The libraries only warn about missing or unexpected keys at initialisation; a silent
mismatch would fine-tune from random weights. Export fails instead.
"""
from __future__ import annotations

import importlib

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from ..errors import UsageError
from .downstream import DownstreamTask


def build_backbone(task: DownstreamTask, config_path: str) -> torch.nn.Module:
    cfg = Config.fromfile(config_path)
    registry = importlib.import_module(f'{task.scope}.registry').MODELS
    importlib.import_module(f'{task.scope}.utils').register_all_modules(
        init_default_scope=False)
    with DefaultScope.overwrite_default_scope(task.scope):
        return registry.build(cfg.model.backbone)


def verify_backbone(task: DownstreamTask, config_path: str,
                    weights: dict[str, torch.Tensor]) -> None:
    """Raise ValueError naming every missing, unexpected or mis-shaped key."""
    expected = build_backbone(task, config_path).state_dict()
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    mismatched = sorted(f'{k} {tuple(weights[k].shape)} vs {tuple(expected[k].shape)}'
                        for k in set(expected) & set(weights)
                        if weights[k].shape != expected[k].shape)
    if missing or unexpected or mismatched:
        problems = [f'{len(missing)} missing (e.g. {missing[:3]})' if missing else '',
                    f'{len(unexpected)} unexpected (e.g. {unexpected[:3]})' if unexpected else '',
                    f'{len(mismatched)} of another shape (e.g. {mismatched[:2]})'
                    if mismatched else '']
        raise UsageError(f'the exported weights do not fit the {task.scope} backbone of '
                         f'{config_path}: ' + '; '.join(p for p in problems if p))
