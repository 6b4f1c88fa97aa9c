"""Classification metrics for mmengine: top-k accuracy, and long-tail accuracy by shot group."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from mmengine.evaluator import BaseMetric
from mmengine.registry import DATASETS, METRICS

from ..errors import UsageError
from .image_list import read_image_list
from .long_tail import class_sizes


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
            raise UsageError(f'topk must be positive integers, got {topk}')
        self.topk = tuple(topk)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if sample['gt_label'] is None:
                raise UsageError('TopKAccuracy needs gt_label in the validation data')
            k = min(max(self.topk), sample['pred_score'].numel())
            top = sample['pred_score'].topk(k).indices.cpu()
            self.results.append((top, int(sample['gt_label'])))

    def compute_metrics(self, results: list) -> dict:
        top = torch.stack([r[0] for r in results])
        labels = torch.tensor([r[1] for r in results])
        hits = top == labels[:, None]
        return {f'top{k}': 100.0 * hits[:, :k].any(dim=1).float().mean().item()
                for k in self.topk}


SHOT_GROUPS = ('many', 'medium', 'few')


def shot_groups(train_counts: Sequence[int], *, many_threshold: int = 100,
                few_threshold: int = 20) -> list[str]:
    """Each class's shot group from its training images: ``'many'`` above
    ``many_threshold``, ``'few'`` below ``few_threshold``, else ``'medium'`` (the
    ImageNet-LT convention of Liu et al., 2019: many > 100, few < 20)."""
    return ['many' if n > many_threshold else 'few' if n < few_threshold else 'medium'
            for n in train_counts]


def shot_accuracy(preds: Sequence[int], labels: Sequence[int], train_counts: Sequence[int],
                  *, many_threshold: int = 100, few_threshold: int = 20) -> dict[str, float]:
    """Top-1 accuracy in percent: per shot group and overall.

    As OLTR's evaluation code computes it: a group's accuracy is the mean of its
    classes' accuracies (classes present in ``labels``), ``overall`` is the share of
    all samples predicted right. A class beyond ``train_counts`` had no training
    images and counts as few-shot. A group without classes in ``labels`` is left out.
    """
    groups = shot_groups(train_counts, many_threshold=many_threshold,
                         few_threshold=few_threshold)
    preds_t, labels_t = torch.as_tensor(preds), torch.as_tensor(labels)
    per_group: dict[str, list[float]] = {group: [] for group in SHOT_GROUPS}
    for label in labels_t.unique().tolist():
        hits = preds_t[labels_t == label] == label
        group = groups[label] if label < len(groups) else 'few'
        per_group[group].append(hits.float().mean().item())
    result = {group: 100.0 * sum(accs) / len(accs) for group, accs in per_group.items() if accs}
    result['overall'] = 100.0 * (preds_t == labels_t).float().mean().item()
    return result


@METRICS.register_module()
class ShotAccuracy(BaseMetric):
    """Long-tail top-1 by shot group: ``accuracy/many``, ``/medium``, ``/few``, ``/overall``.

    Differs from :class:`TopKAccuracy` in splitting the classes by how many training
    images they had (the long-tail papers' many/medium/few-shot table, e.g. the DaR
    paper's Table 8 on ImageNet-LT). The training class sizes come from exactly one of
    ``class_counts``, ``train_ann_file`` or ``train_dataset``, read once, on the first
    evaluation.

    Args:
        class_counts (Sequence[int], optional): training images of class 0, 1, ...
        train_ann_file (str, optional): a ``relative/path label`` list of the training
            split (``ImageNet_LT_train.txt``); its labels are counted.
        train_dataset (dict, optional): the training data set's config (e.g. the
            ``train_dataloader.dataset`` of a long-tailed CIFAR); it is built and its
            ``gt_label`` values counted.
        many_threshold (int): many-shot classes have more training images than this.
            Defaults to 100.
        few_threshold (int): few-shot classes have fewer training images than this.
            Defaults to 20.
        collect_device (str): device for gathering results. Defaults to 'cpu'.
        prefix (str, optional): metric name prefix. Defaults to ``'accuracy'``.
    """

    default_prefix = 'accuracy'

    def __init__(self, *, class_counts: Sequence[int] | None = None,
                 train_ann_file: str | None = None, train_dataset: dict | None = None,
                 many_threshold: int = 100, few_threshold: int = 20,
                 collect_device: str = 'cpu', prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        sources = {'class_counts': class_counts, 'train_ann_file': train_ann_file,
                   'train_dataset': train_dataset}
        given = [name for name, value in sources.items() if value is not None]
        if len(given) != 1:
            raise UsageError('ShotAccuracy needs exactly one of class_counts, train_ann_file '
                             'or train_dataset for the training class sizes, got '
                             f'{given or "none"}')
        if class_counts is not None and (not class_counts or any(
                isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in class_counts)):
            raise UsageError(f'class_counts must be non-negative integers, got {class_counts}')
        for name, value in (('many_threshold', many_threshold), ('few_threshold', few_threshold)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise UsageError(f'{name} must be a non-negative integer, got {value!r}')
        if few_threshold > many_threshold + 1:
            raise UsageError(f'few_threshold ({few_threshold}) must not exceed '
                             f'many_threshold + 1 ({many_threshold + 1}): groups would overlap')
        self.class_counts = None if class_counts is None else list(class_counts)
        self.train_ann_file = train_ann_file
        self.train_dataset = train_dataset
        self.many_threshold = many_threshold
        self.few_threshold = few_threshold

    def training_counts(self) -> list[int]:
        """The training images per class, read from the configured source once."""
        if self.class_counts is None:
            if self.train_ann_file is not None:
                labels = [label for _, label in read_image_list(Path(self.train_ann_file))]
            else:
                dataset = DATASETS.build(self.train_dataset)
                labels = [int(dataset.get_data_info(i)['gt_label'])
                          for i in range(len(dataset))]
            self.class_counts = class_sizes(labels)
        return self.class_counts

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if sample['gt_label'] is None:
                raise UsageError('ShotAccuracy needs gt_label in the validation data')
            self.results.append((int(sample['pred_score'].argmax()), int(sample['gt_label'])))

    def compute_metrics(self, results: list) -> dict:
        preds, labels = zip(*results, strict=True)
        return shot_accuracy(preds, labels, self.training_counts(),
                             many_threshold=self.many_threshold,
                             few_threshold=self.few_threshold)
