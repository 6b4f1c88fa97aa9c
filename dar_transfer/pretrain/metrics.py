"""Top-k classification accuracy as an mmengine metric."""
from __future__ import annotations

from collections.abc import Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmengine.registry import METRICS


@METRICS.register_module()
class TopKAccuracy(BaseMetric):
    """Top-1/top-5 (by default) accuracy in percent, over predictions of
    :class:`~dar_transfer.pretrain.ImageClassifier` (``pred_score``, ``gt_label``).

    Args:
        topk (Sequence[int]): the k values. Defaults to (1, 5).
        collect_device (str): device for gathering results. Defaults to 'cpu'.
        prefix (str, optional): metric name prefix. Defaults to ``'accuracy'``.
    """

    default_prefix = 'accuracy'

    def __init__(self, topk: Sequence[int] = (1, 5), collect_device: str = 'cpu',
                 prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not topk or any(isinstance(k, bool) or not isinstance(k, int) or k < 1
                           for k in topk):
            raise ValueError(f'topk must be positive integers, got {topk}')
        self.topk = tuple(topk)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if sample['gt_label'] is None:
                raise ValueError('TopKAccuracy needs gt_label in the validation data')
            k = min(max(self.topk), sample['pred_score'].numel())
            top = sample['pred_score'].topk(k).indices.cpu()
            self.results.append((top, int(sample['gt_label'])))

    def compute_metrics(self, results: list) -> dict:
        top = torch.stack([r[0] for r in results])
        labels = torch.tensor([r[1] for r in results])
        hits = top == labels[:, None]
        return {f'top{k}': 100.0 * hits[:, :k].any(dim=1).float().mean().item()
                for k in self.topk}
