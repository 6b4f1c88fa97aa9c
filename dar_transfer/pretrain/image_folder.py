"""ImageFolder classification data: ``data_root/<split>/<class>/<image>``.

Two readers of the same layout: :class:`ImageFolderDataset` loads each image through
the pipeline (ImageNet-sized data), :class:`InMemoryImageFolder` decodes a CIFAR-sized
split once into memory (50,000 x 32 x 32 x 3 is 150 MB) and leaves augmentation to
the batched data preprocessor (:class:`BatchAugmentPreprocessor`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.registry import DATASETS
from PIL import Image

from ..errors import UsageError
from .folder_listing import list_image_folder
from .in_memory import InMemoryClassification
from .long_tail import take_long_tail, validate_long_tail_args


def take_per_class(samples: list[tuple[Path, int]], start: int, stop: int
                   ) -> list[tuple[Path, int]]:
    """Images ``[start, stop)`` of each class, for class-balanced subsets and holdouts."""
    position: dict[int, int] = {}
    chosen = []
    for path, label in samples:
        if start <= position.get(label, 0) < stop:
            chosen.append((path, label))
        position[label] = position.get(label, 0) + 1
    return chosen


def split_samples(dataset) -> list[tuple[Path, int]]:
    """The (path, label) pairs of an ImageFolder data set's split, per-class slice and
    long-tail profile applied; records the class names in its metainfo."""
    classes, samples = list_image_folder(Path(dataset.data_root) / dataset.split,
                                         dataset.expected_classes)
    if dataset.per_class is not None:
        samples = take_per_class(samples, *dataset.per_class)
    if dataset.imbalance is not None:
        samples = take_long_tail(samples, dataset.imbalance, dataset.n_max)
    dataset._metainfo['classes'] = tuple(classes)
    return samples


@DATASETS.register_module()
class ImageFolderDataset(BaseDataset):
    """An ImageFolder split read image by image through the pipeline.

    Args:
        data_root (str): the folder that holds the split folders.
        split (str): sub-folder, e.g. ``'train'`` or ``'val'``. Defaults to ``'train'``.
        classes (list[str], optional): expected class names (a val split must match
            train's); a mismatch is an error. Defaults to None (any).
        per_class (tuple[int, int], optional): keep images ``[start, stop)`` of each
            class. Defaults to None (all).
        imbalance (float, optional): keep an exponentially imbalanced (long-tailed)
            subset, class k keeping ``n_max * (1/imbalance)^(k/(C-1))`` images (see
            :mod:`~dar_transfer.pretrain.long_tail`), after ``per_class``. Defaults to
            None (all).
        n_max (int, optional): images of class 0 under ``imbalance``. Defaults to None
            (the smallest class size).
        pipeline (list[dict]): transforms, ending with ``PackClassificationInputs``.
    """

    def __init__(self, data_root: str, split: str = 'train', *,
                 classes: list[str] | None = None, per_class: tuple[int, int] | None = None,
                 imbalance: float | None = None, n_max: int | None = None,
                 **kwargs) -> None:
        self.split = split
        self.expected_classes = classes
        self.per_class = per_class
        self.imbalance, self.n_max = validate_long_tail_args(imbalance, n_max)
        super().__init__(data_root=data_root, ann_file='', **kwargs)

    def load_data_list(self) -> list[dict]:
        samples = split_samples(self)
        return [{'img_path': str(path), 'gt_label': label} for path, label in samples]


@DATASETS.register_module()
class InMemoryImageFolder(InMemoryClassification):
    """An ImageFolder split decoded once into a uint8 tensor.

    Args:
        data_root (str): the folder that holds the split folders.
        split (str): sub-folder, e.g. ``'train'``. Defaults to ``'train'``.
        per_class (tuple[int, int], optional): keep images ``[start, stop)`` of each
            class (in file-name order), for class-balanced subsets and held-out
            validation slices. Defaults to None (all).
        classes (list[str], optional): expected class names; a mismatch is an error.
        imbalance (float, optional): keep a long-tailed subset, as in
            :class:`ImageFolderDataset`. Defaults to None (all).
        n_max (int, optional): images of class 0 under ``imbalance``. Defaults to None
            (the smallest class size).
    """

    def __init__(self, data_root: str, split: str = 'train', *,
                 per_class: tuple[int, int] | None = None, classes: list[str] | None = None,
                 imbalance: float | None = None, n_max: int | None = None,
                 **kwargs) -> None:
        self.split = split
        self.per_class = per_class
        self.expected_classes = classes
        self.imbalance, self.n_max = validate_long_tail_args(imbalance, n_max)
        super().__init__(data_root=data_root, ann_file='', **kwargs)

    def load_data_list(self) -> list[dict]:
        samples = split_samples(self)
        arrays = [np.asarray(Image.open(path).convert('RGB')) for path, _ in samples]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise UsageError(f'InMemoryImageFolder needs images of one size, found {shapes}')
        self.images = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()
        return [{'gt_label': label, 'img_path': str(path)} for path, label in samples]
