"""Models for the policy tests: they apply the policies' loss weights and remember them."""
from __future__ import annotations

import torch
from helpers import TinyConvClassifier, hardness
from mmengine.model import BaseModel
from mmengine.registry import MODELS
from torch import nn

from dar_transfer import weighted_sample_losses


def index_loss(indices: torch.Tensor, num_samples: int) -> torch.Tensor:
    """A fixed, strictly positive per-sample loss: ``hardness + 1`` (1..N)."""
    return hardness(indices, num_samples) + 1


@MODELS.register_module(force=True)
class WeightedIndexLossModel(BaseModel):
    """Loss ``index_loss(sample_idx)``, weighted through the message hub.

    ``applied`` collects, per training batch, the sample indices and the weight each
    sample's loss was multiplied by (weighted loss over unweighted), so a test sees
    exactly what reached the loss.
    """

    def __init__(self, num_samples: int) -> None:
        super().__init__()
        self.num_samples = num_samples
        self.weight = nn.Parameter(torch.zeros(1))
        self.applied: list[tuple[list[int], list[float]]] = []

    def forward(self, inputs, data_samples=None, mode='tensor'):
        indices = data_samples['sample_idx']
        raw = index_loss(indices, self.num_samples) + 0 * self.weight
        weighted = weighted_sample_losses(indices, raw)
        if mode == 'loss':
            self.applied.append((indices.tolist(), (weighted / raw).detach().tolist()))
            return {'loss': weighted.mean()}
        return weighted


@MODELS.register_module(force=True)
class WeightedTinyConvClassifier(TinyConvClassifier):
    """TinyConvClassifier with real, changing losses, weighted through the message hub."""

    def report_losses(self, sample_idx, per_sample):
        return weighted_sample_losses(sample_idx, per_sample)


def weights_by_epoch(applied: list, batches_per_epoch: list[int]) -> list[dict[int, float]]:
    """Split ``WeightedIndexLossModel.applied`` into per-epoch {sample: weight} maps."""
    epochs, start = [], 0
    for count in batches_per_epoch:
        seen: dict[int, float] = {}
        for indices, weights in applied[start:start + count]:
            seen.update(zip(indices, weights, strict=True))
        epochs.append(seen)
        start += count
    return epochs
