"""CIFAR-10/100 in torchvision's python-pickle layout, decoded into memory.

``data_root/cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta}`` or
``data_root/cifar-100-python/{train, test, meta}``, as torchvision's download writes
them (and as the original archives unpack).
"""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch
from mmengine.registry import DATASETS

from ..errors import UsageError
from .image_folder import take_per_class
from .in_memory import InMemoryClassification
from .long_tail import take_long_tail, validate_long_tail_args

LAYOUTS = {
    'cifar10': ('cifar-10-batches-py', {'train': [f'data_batch_{i}' for i in range(1, 6)],
                                        'test': ['test_batch']},
                'batches.meta', b'labels', b'label_names'),
    'cifar100': ('cifar-100-python', {'train': ['train'], 'test': ['test']},
                 'meta', b'fine_labels', b'fine_label_names'),
}


def _unpickle(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f'{path} not found; data_root must hold the folder that '
                                "torchvision's CIFAR download unpacks")
    with path.open('rb') as file:
        return pickle.load(file, encoding='bytes')


@DATASETS.register_module()
class CIFARDataset(InMemoryClassification):
    """A CIFAR split from the python-pickle batches.

    Args:
        data_root (str): the folder holding ``cifar-10-batches-py`` or ``cifar-100-python``.
        variant (str): ``'cifar10'`` or ``'cifar100'``. Defaults to ``'cifar10'``.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        per_class (tuple[int, int], optional): keep images ``[start, stop)`` of each
            class, e.g. to hold out a validation slice of train. Defaults to None.
        imbalance (float, optional): keep a long-tailed subset (CIFAR-10-LT with 100),
            class k keeping ``n_max * (1/imbalance)^(k/(C-1))`` images, after
            ``per_class``. Defaults to None (all).
        n_max (int, optional): images of class 0 under ``imbalance``. Defaults to None
            (the smallest class size: 5000 for a full CIFAR train split).
    """

    def __init__(self, data_root: str, *, variant: str = 'cifar10', split: str = 'train',
                 per_class: tuple[int, int] | None = None, imbalance: float | None = None,
                 n_max: int | None = None, **kwargs) -> None:
        if variant not in LAYOUTS:
            raise UsageError(f'variant must be one of {tuple(LAYOUTS)}, got {variant!r}')
        if split not in ('train', 'test'):
            raise UsageError(f"split must be 'train' or 'test', got {split!r}")
        self.variant = variant
        self.split = split
        self.per_class = per_class
        self.imbalance, self.n_max = validate_long_tail_args(imbalance, n_max)
        super().__init__(data_root=data_root, ann_file='', **kwargs)

    def load_data_list(self) -> list[dict]:
        folder, files, meta_file, label_key, names_key = LAYOUTS[self.variant]
        root = Path(self.data_root) / folder
        batches = [_unpickle(root / name) for name in files[self.split]]
        images = np.concatenate([b[b'data'] for b in batches]).reshape(-1, 3, 32, 32)
        labels = [int(label) for b in batches for label in b[label_key]]
        names = [n.decode() for n in _unpickle(root / meta_file)[names_key]]
        self._metainfo['classes'] = tuple(names)
        order = list(range(len(labels)))
        if self.per_class is not None:
            order = [i for i, _ in take_per_class([(i, labels[i]) for i in order],
                                                  *self.per_class)]
        if self.imbalance is not None:
            order = [i for i, _ in take_long_tail([(i, labels[i]) for i in order],
                                                  self.imbalance, self.n_max)]
        self.images = torch.from_numpy(np.ascontiguousarray(images[order]))
        return [{'gt_label': labels[i]} for i in order]
