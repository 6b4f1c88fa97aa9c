"""An in-memory synthetic classification set for tests and benchmarks.

Each image is seeded noise shifted by its class, so a model can learn it; nothing is
read from disk. It yields what the real data sets' pipelines yield: ``inputs`` and
``data_samples`` with ``gt_label`` and ``sample_idx``.
"""
from __future__ import annotations

import torch
from mmengine.dataset import BaseDataset
from mmengine.registry import DATASETS


@DATASETS.register_module()
class SyntheticImageDataset(BaseDataset):
    """N generated images of ``num_classes`` classes, deterministic per index.

    Args:
        num_samples (int): N. Defaults to 48.
        num_classes (int): Defaults to 4.
        image_size (int): side of the square images. Defaults to 16.
        seed (int): varies the images without changing labels. Defaults to 0.
    """

    METAINFO = {'classes': None}

    def __init__(self, num_samples: int = 48, num_classes: int = 4, image_size: int = 16,
                 seed: int = 0, **kwargs) -> None:
        self.num_samples = num_samples
        self.num_classes = num_classes
        self.image_size = image_size
        self.seed = seed
        super().__init__(ann_file='', serialize_data=False, **kwargs)

    def load_data_list(self) -> list[dict]:
        return [{'gt_label': i % self.num_classes} for i in range(self.num_samples)]

    def prepare_data(self, idx: int) -> dict:
        info = self.get_data_info(idx)
        generator = torch.Generator().manual_seed(self.seed * self.num_samples + idx)
        size = self.image_size
        image = torch.randn(3, size, size, generator=generator) + info['gt_label']
        return {'inputs': image,
                'data_samples': {'gt_label': info['gt_label'], 'sample_idx': info['sample_idx']}}
