"""mmpretrain classification heads whose loss records each sample's loss for DaR.

Each head is the mmpretrain head of the same name without the ``DaR`` prefix, with one
change: :meth:`DaRLossMixin._get_loss`. Parameters, state-dict keys, predictions and the
returned loss value are those of the stock head, so a config switches with one line::

    model = dict(head=dict(type='DaRLinearClsHead'))
"""
from __future__ import annotations

import inspect

import torch
from mmpretrain.evaluation.metrics import Accuracy
from mmpretrain.models.heads import (
    ClsHead,
    LinearClsHead,
    StackedLinearClsHead,
    VisionTransformerClsHead,
)
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..errors import UsageError, UsageTypeError
from ..sampling.recorder import weighted_sample_losses


def sample_indices(data_samples: list[DataSample], device: torch.device) -> torch.Tensor:
    """The data set index of each sample (``sample_idx``, which ``PackInputs`` keeps).

    Raises:
        ValueError: a data sample has no ``sample_idx`` in its metainfo.
    """
    indices = []
    for position, sample in enumerate(data_samples):
        if 'sample_idx' not in sample.metainfo:
            raise UsageError(
                f'data_samples[{position}] has no sample_idx in its metainfo (keys: '
                f'{sorted(sample.metainfo)}); DaR scores samples by their data set index: '
                "keep 'sample_idx' in PackInputs' meta_keys (its default)")
        indices.append(int(sample.metainfo['sample_idx']))
    return torch.tensor(indices, dtype=torch.long, device=device)


def targets(data_samples: list[DataSample]) -> torch.Tensor:
    """Soft scores when a batch augment made them (mixup, cutmix), else hard labels.

    The same choice as mmpretrain's ``ClsHead._get_loss``.
    """
    if 'gt_score' in data_samples[0]:
        return torch.stack([sample.gt_score for sample in data_samples])
    return torch.cat([sample.gt_label for sample in data_samples])


def check_loss_module(loss_module: torch.nn.Module) -> None:
    """The loss must compute unreduced losses (``reduction_override='none'``).

    Raises:
        TypeError: its ``forward`` takes no ``reduction_override``.
    """
    if 'reduction_override' not in inspect.signature(loss_module.forward).parameters:
        raise UsageTypeError(
            f'loss={type(loss_module).__name__}: a DaR head needs a loss whose forward '
            'takes reduction_override (to get one loss per sample); mmpretrain\'s '
            'CrossEntropyLoss, LabelSmoothLoss, FocalLoss, AsymmetricLoss and SeesawLoss do')


class DaRLossMixin:
    """Replaces ``ClsHead._get_loss``: per-sample losses, recorded and weighted, then mean.

    The loss module runs once, with ``reduction_override='none'``, on the logits of the
    one forward pass; elements of a sample (``use_sigmoid``: one per class) are summed,
    so the batch mean equals what mmpretrain returns (its sum divided by
    ``avg_factor``, the batch size), ``loss_weight`` included. These per-sample losses
    go to :func:`dar_transfer.weighted_sample_losses` with each sample's ``sample_idx``:
    it records them for :class:`~dar_transfer.sampling.DaRHook` and returns them times
    the weights of ``policy='infobatch'`` or ``'reweight'`` (1 otherwise, and unchanged
    without DaR in the run or outside training). The recorded losses include
    ``loss_weight``, a constant factor that changes no selection.

    Batch augments (mixup, cutmix) are supported, not refused: their soft-label
    cross-entropy is defined per sample, and row i of the batch keeps sample i's
    metainfo, so its loss is recorded under sample i. That loss also reflects the
    partner image mixed into row i; partners are redrawn every batch, so over the
    epochs since S last changed the partner's share is the same in expectation for
    every sample and adds noise, not a bias, to the ranking. The DaR paper likewise
    scores samples by their loss under the training augmentation.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        check_loss_module(self.loss_module)

    def _get_loss(self, cls_score: torch.Tensor, data_samples: list[DataSample],
                  **kwargs) -> dict:
        target = targets(data_samples)
        elementwise = self.loss_module(cls_score, target, reduction_override='none', **kwargs)
        per_sample = elementwise.reshape(cls_score.size(0), -1).sum(dim=1)
        per_sample = weighted_sample_losses(
            sample_indices(data_samples, cls_score.device), per_sample)
        losses = {'loss': per_sample.mean()}
        if self.cal_acc:
            if target.ndim != 1:
                raise UsageError('cal_acc=True needs hard labels, but a batch augment '
                                 '(mixup, cutmix) gave soft scores; set cal_acc=False')
            topk = (self.topk,) if isinstance(self.topk, int) else tuple(self.topk)
            accuracy = Accuracy.calculate(cls_score, target, topk=topk)
            losses.update({f'accuracy_top-{k}': a for k, a in zip(topk, accuracy, strict=True)})
        return losses


@MODELS.register_module()
class DaRClsHead(DaRLossMixin, ClsHead):
    """mmpretrain's ``ClsHead`` (the logits are the features) recording per-sample losses.

    Args: as ``ClsHead``: ``loss`` (Defaults to ``CrossEntropyLoss``), ``topk``
    (Defaults to ``(1,)``), ``cal_acc`` (Defaults to False), ``init_cfg``.
    """


@MODELS.register_module()
class DaRLinearClsHead(DaRLossMixin, LinearClsHead):
    """mmpretrain's ``LinearClsHead`` recording per-sample losses (see DaRLossMixin).

    Args: as ``LinearClsHead``: ``num_classes``, ``in_channels``, and ``ClsHead``'s.
    """


@MODELS.register_module()
class DaRStackedLinearClsHead(DaRLossMixin, StackedLinearClsHead):
    """mmpretrain's ``StackedLinearClsHead`` recording per-sample losses.

    Args: as ``StackedLinearClsHead``: ``num_classes``, ``in_channels``,
    ``mid_channels``, ``dropout_rate``, ``norm_cfg``, ``act_cfg``, and ``ClsHead``'s.
    """


@MODELS.register_module()
class DaRVisionTransformerClsHead(DaRLossMixin, VisionTransformerClsHead):
    """mmpretrain's ``VisionTransformerClsHead`` recording per-sample losses.

    Args: as ``VisionTransformerClsHead``: ``num_classes``, ``in_channels``,
    ``hidden_dim``, ``act_cfg``, and ``ClsHead``'s.
    """
