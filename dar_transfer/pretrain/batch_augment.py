"""Batch augmentation in the data preprocessor: pad-and-crop, flip, normalise.

Doing the CIFAR augmentation (pad 4, random 32x32 crop, horizontal flip) on whole
batches where the model lives keeps data loading out of the way: on 2 CPU cores the
per-image transforms would cost about as much as the training step of a ResNet-20.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseDataPreprocessor
from mmengine.registry import MODELS

from ..errors import UsageError
from ..sampling.selection import seeded_generator

AUGMENT_STREAM = 2


@MODELS.register_module()
class BatchAugmentPreprocessor(BaseDataPreprocessor):
    """Normalises uint8 batches; in training also pads, crops and flips them.

    Differs from mmengine's ``ImgDataPreprocessor`` in doing the random augmentation
    itself, batched, with a local generator seeded from ``(seed, call count)``.

    Args:
        mean (Sequence[float]): per-channel mean on the 0-255 scale.
        std (Sequence[float]): per-channel std on the 0-255 scale.
        pad (int): zero padding before the random crop; 0 disables. Defaults to 4.
        flip (bool): random horizontal flip. Defaults to True.
        channels_last (bool): return channels-last tensors (faster convolutions on
            CPUs and tensor cores). Defaults to False.
        seed (int): seed of the augmentation stream. Defaults to 0.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], *, pad: int = 4,
                 flip: bool = True, channels_last: bool = False, seed: int = 0) -> None:
        super().__init__()
        if len(mean) != 3 or len(std) != 3:
            raise UsageError(f'mean and std need 3 values, got {mean} and {std}')
        self.register_buffer('mean', torch.tensor(mean).view(1, 3, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(std).view(1, 3, 1, 1), persistent=False)
        self.pad = pad
        self.flip = flip
        self.channels_last = channels_last
        self.seed = seed
        self.calls = 0

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        images = data['inputs'].float()
        if training:
            images = self._augment(images)
        images = (images - self.mean) / self.std
        if self.channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        return {'inputs': images, 'data_samples': data['data_samples']}

    def _augment(self, images: torch.Tensor) -> torch.Tensor:
        generator = seeded_generator(self.seed, self.calls, AUGMENT_STREAM)
        self.calls += 1
        batch, _, height, width = images.shape
        if self.pad:
            offsets = torch.randint(0, 2 * self.pad + 1, (2, batch), generator=generator)
            offsets = offsets.to(images.device)
            padded = F.pad(images, [self.pad] * 4)
            rows = (offsets[0, :, None] + torch.arange(height, device=images.device))
            cols = (offsets[1, :, None] + torch.arange(width, device=images.device))
            index = torch.arange(batch, device=images.device)[:, None, None]
            images = padded.permute(0, 2, 3, 1)[index, rows[:, :, None], cols[:, None, :]]
            images = images.permute(0, 3, 1, 2)
        if self.flip:
            flips = (torch.rand(batch, generator=generator) < 0.5).to(images.device)
            images = torch.where(flips[:, None, None, None], images.flip(3), images)
        return images
