"""An image classifier as an mmengine model that opts in to DaR's loss recording."""
from __future__ import annotations

import torch
import torch.nn.functional as F
import torchvision
from mmengine.model import BaseModel
from mmengine.registry import MODELS
from torch import nn

from ..errors import UsageError
from ..sampling.recorder import weighted_sample_losses
from .cifar_models import CIFAR_ARCHS
from .resnet10 import resnet10

# Networks torchvision lacks, by arch name.
EXTRA_ARCHS = {**CIFAR_ARCHS, 'resnet10': resnet10}


def build_classifier(arch: str, num_classes: int, **kwargs) -> nn.Module:
    """A randomly initialised classifier by name: a torchvision model (``'resnet50'``),
    ``'resnet10'`` or a CIFAR ResNet (``'cifar_resnet110'``)."""
    if arch in EXTRA_ARCHS:
        return EXTRA_ARCHS[arch](num_classes=num_classes, **kwargs)
    available = torchvision.models.list_models(module=torchvision.models)
    if arch not in available:
        raise UsageError(f'unknown classifier arch {arch!r}; choose one of '
                         f'{", ".join(sorted([*EXTRA_ARCHS, *available]))}')
    return torchvision.models.get_model(arch, weights=None, num_classes=num_classes, **kwargs)


@MODELS.register_module()
class ImageClassifier(BaseModel):
    """A torchvision (or CIFAR ResNet) classifier trained with per-sample cross-entropy.

    Differs from a plain wrapper in one call: ``loss()`` hands each sample's loss to
    :func:`dar_transfer.weighted_sample_losses` (the training forward pass, augmentation
    included, as the DaR paper scores samples) and returns the batch mean of the
    weighted losses it gets back (the loss weights of ``policy='infobatch'`` and
    ``'reweight'``; 1 otherwise). Without DaR in the run the call returns the losses
    unchanged.

    Batches are ``inputs`` (N, C, H, W) and ``data_samples`` with ``gt_label`` and
    ``sample_idx`` tensors (mmengine's ``default_collate`` of per-sample dicts).

    Args:
        arch (str): torchvision model name or ``'cifar_resnet20|110|164'``.
            Defaults to ``'resnet50'``.
        num_classes (int): Defaults to 1000.
        arch_kwargs (dict, optional): extra arguments for the torchvision builder.
        label_smoothing (float): cross-entropy label smoothing. Defaults to 0.
        data_preprocessor (dict, optional): e.g. ``ImgDataPreprocessor`` with the
            normalisation. Defaults to None.
        init_cfg (dict, optional): mmengine initialisation config. Defaults to None.
    """

    def __init__(self, arch: str = 'resnet50', num_classes: int = 1000, *,
                 arch_kwargs: dict | None = None, label_smoothing: float = 0.0,
                 data_preprocessor: dict | None = None, init_cfg: dict | None = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.arch = arch
        self.net = build_classifier(arch, num_classes, **(arch_kwargs or {}))
        self.label_smoothing = label_smoothing

    def forward(self, inputs: torch.Tensor, data_samples: dict | None = None,
                mode: str = 'tensor'):
        logits = self.net(inputs)
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            return self.loss(logits, data_samples)
        if mode == 'predict':
            return self.predict(logits, data_samples)
        raise ValueError(f'mode must be "tensor", "loss" or "predict", got {mode!r}')

    def loss(self, logits: torch.Tensor, data_samples: dict) -> dict:
        per_sample = F.cross_entropy(logits, data_samples['gt_label'], reduction='none',
                                     label_smoothing=self.label_smoothing)
        per_sample = weighted_sample_losses(data_samples['sample_idx'], per_sample)
        return {'loss': per_sample.mean()}

    def predict(self, logits: torch.Tensor, data_samples: dict | None) -> list[dict]:
        scores = logits.float().softmax(dim=1)
        labels = (data_samples or {}).get('gt_label')
        return [{'pred_score': scores[i], 'pred_label': scores[i].argmax(),
                 'gt_label': None if labels is None else labels[i]}
                for i in range(len(scores))]
