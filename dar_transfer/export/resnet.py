"""Recognise a torchvision ResNet from its keys and take its backbone weights."""
from __future__ import annotations

import re

import torch

from ..errors import UsageError

# (block type, blocks per stage) -> depth, as torchvision and OpenMMLab define them.
RESNET_DEPTHS = {
    ('basic', (2, 2, 2, 2)): 18, ('basic', (3, 4, 6, 3)): 34,
    ('bottleneck', (3, 4, 6, 3)): 50, ('bottleneck', (3, 4, 23, 3)): 101,
    ('bottleneck', (3, 8, 36, 3)): 152,
}
SUPPORTED = 'ResNet-18, ResNet-34, ResNet-50, ResNet-101, ResNet-152 (torchvision layout)'
FINAL_CHANNELS = {18: 512, 34: 512, 50: 2048, 101: 2048, 152: 2048}


def infer_resnet_depth(state_dict: dict[str, torch.Tensor]) -> int:
    """The ResNet depth the keys describe; a ValueError lists what is supported."""
    blocks = [0, 0, 0, 0]
    for key in state_dict:
        match = re.match(r'layer([1-4])\.(\d+)\.', key)
        if match:
            stage = int(match.group(1)) - 1
            blocks[stage] = max(blocks[stage], int(match.group(2)) + 1)
    block = 'bottleneck' if any(k.endswith('.conv3.weight') for k in state_dict) else 'basic'
    depth = RESNET_DEPTHS.get((block, tuple(blocks)))
    if (block, tuple(blocks)) == ('basic', (1, 1, 1, 1)):
        raise UsageError('this checkpoint is a ResNet-10 (the long-tail recipe): mmdet, mmseg '
                         'and mmpose build no ResNet-10 backbone, so it has no downstream '
                         f'configs; export supports {SUPPORTED}')
    if 'conv1.weight' not in state_dict or depth is None:
        sample = ', '.join(sorted(state_dict)[:3])
        raise UsageError(f'not a torchvision ResNet (keys start {sample}; stages {blocks}, '
                         f'{block} blocks); export supports {SUPPORTED}')
    return depth


def backbone_weights(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Everything but the classifier (``fc.*``), as contiguous CPU tensors."""
    return {k: v.detach().cpu().contiguous() for k, v in state_dict.items()
            if not k.startswith('fc.')}
