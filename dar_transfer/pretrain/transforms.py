"""Classification transforms that mmcv lacks: the paper's ImageNet crops and packing.

They follow mmcv's ``BaseTransform`` contract (a results dict in, a results dict out),
so they mix with mmcv's ``LoadImageFromFile``, ``RandomFlip`` and ``CenterCrop``.
Like mmcv's random transforms they draw from numpy's RNG, which mmengine seeds per
data-loader worker (and per rank) from the run's seed.
"""
from __future__ import annotations

import math

import mmcv
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.registry import TRANSFORMS

from ..errors import UsageError


def _check_size(name: str, size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise UsageError(f'{name} must be a positive integer, got {size!r}')
    return size


@TRANSFORMS.register_module()
class RandomResizedCrop(BaseTransform):
    """Crop a random area and aspect ratio, then resize to ``size`` x ``size``.

    The Inception-style crop the DaR paper trains ImageNet with: area share in
    ``scale`` (8%-100%), aspect ratio log-uniform in ``ratio`` (3/4-4/3); after 10
    failed tries, a center crop of the closest allowed ratio.

    Args:
        size (int): output side. Defaults to 224.
        scale (tuple[float, float]): range of the crop's area share. Defaults to (0.08, 1.0).
        ratio (tuple[float, float]): range of width/height. Defaults to (3/4, 4/3).
        interpolation (str): mmcv interpolation. Defaults to ``'bilinear'``.
    """

    def __init__(self, size: int = 224, scale: tuple[float, float] = (0.08, 1.0),
                 ratio: tuple[float, float] = (3 / 4, 4 / 3),
                 interpolation: str = 'bilinear') -> None:
        self.size = _check_size('size', size)
        if not 0 < scale[0] <= scale[1] <= 1:
            raise UsageError(f'scale must satisfy 0 < min <= max <= 1, got {scale}')
        if not 0 < ratio[0] <= ratio[1]:
            raise UsageError(f'ratio must satisfy 0 < min <= max, got {ratio}')
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)
        self.interpolation = interpolation

    def _crop_box(self, height: int, width: int) -> tuple[int, int, int, int]:
        area = height * width
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            target = area * np.random.uniform(*self.scale)
            aspect = math.exp(np.random.uniform(*log_ratio))
            w = round(math.sqrt(target * aspect))
            h = round(math.sqrt(target / aspect))
            if 0 < w <= width and 0 < h <= height:
                top = np.random.randint(0, height - h + 1)
                left = np.random.randint(0, width - w + 1)
                return top, left, h, w
        aspect = min(max(width / height, self.ratio[0]), self.ratio[1])
        w, h = (width, round(width / aspect)) if width / height < aspect else \
            (round(height * aspect), height)
        return (height - h) // 2, (width - w) // 2, h, w

    def transform(self, results: dict) -> dict:
        image = results['img']
        top, left, h, w = self._crop_box(*image.shape[:2])
        crop = image[top:top + h, left:left + w]
        results['img'] = mmcv.imresize(crop, (self.size, self.size),
                                       interpolation=self.interpolation)
        results['img_shape'] = results['img'].shape[:2]
        return results


@TRANSFORMS.register_module()
class ResizeShortEdge(BaseTransform):
    """Resize so the shorter side is ``size``, keeping the aspect ratio (eval: 256).

    Args:
        size (int): the shorter side after resizing. Defaults to 256.
        interpolation (str): mmcv interpolation. Defaults to ``'bilinear'``.
    """

    def __init__(self, size: int = 256, interpolation: str = 'bilinear') -> None:
        self.size = _check_size('size', size)
        self.interpolation = interpolation

    def transform(self, results: dict) -> dict:
        height, width = results['img'].shape[:2]
        factor = self.size / min(height, width)
        new_size = (max(1, round(width * factor)), max(1, round(height * factor)))
        results['img'] = mmcv.imresize(results['img'], new_size,
                                       interpolation=self.interpolation)
        results['img_shape'] = results['img'].shape[:2]
        return results


@TRANSFORMS.register_module()
class PackClassificationInputs(BaseTransform):
    """Pack an HWC uint8 image and its label as ``inputs`` (CHW uint8 tensor) and
    ``data_samples`` (``gt_label``, ``sample_idx``): what ``ImageClassifier`` reads after
    mmengine's ``default_collate``. Normalisation happens batched in the data
    preprocessor."""

    def transform(self, results: dict) -> dict:
        image = np.ascontiguousarray(results['img'].transpose(2, 0, 1))
        return {'inputs': torch.from_numpy(image),
                'data_samples': {'gt_label': int(results['gt_label']),
                                 'sample_idx': int(results['sample_idx'])}}
