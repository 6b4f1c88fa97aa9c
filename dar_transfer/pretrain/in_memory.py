"""Base for classification sets small enough to hold decoded in memory (CIFAR)."""
from __future__ import annotations

import torch
from mmengine.dataset import BaseDataset


class InMemoryClassification(BaseDataset):
    """Subclasses set ``self.images`` (N x 3 x H x W uint8) in ``load_data_list``.

    Items are packed as the classifier reads them, with no per-image pipeline:
    augmentation runs batched in :class:`BatchAugmentPreprocessor`.
    """

    def __init__(self, **kwargs) -> None:
        self.images: torch.Tensor | None = None
        super().__init__(serialize_data=False, **kwargs)

    def prepare_data(self, idx: int) -> dict:
        info = self.get_data_info(idx)
        return {'inputs': self.images[idx],
                'data_samples': {'gt_label': info['gt_label'], 'sample_idx': info['sample_idx']}}
