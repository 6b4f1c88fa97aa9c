"""Tiny classification sets in ImageNet's and CIFAR's on-disk layouts.

Each class is a striped texture with its own orientation, frequency and colour, plus
noise, so a small network learns it within a few epochs and accuracy means something.
"""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
from PIL import Image

from ..utils.provenance import mark_generated


def class_image(label: int, num_classes: int, size: int, rng: np.random.Generator
                ) -> np.ndarray:
    """An HxWx3 uint8 image of class ``label``: oriented stripes, class colour, noise."""
    angle = np.pi * label / num_classes + rng.normal(0, 0.05)
    frequency = 2 + (label % 3)
    y, x = np.mgrid[0:size, 0:size] / size
    phase = rng.uniform(0, 2 * np.pi)
    stripes = np.sin(2 * np.pi * frequency * (x * np.cos(angle) + y * np.sin(angle)) + phase)
    hue = np.array([np.cos(label), np.sin(label * 1.7), np.cos(label * 2.3)])
    image = 128 + 60 * stripes[..., None] * (0.6 + 0.4 * hue) + rng.normal(0, 20, (size, size, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def wnid(label: int) -> str:
    """A WordNet-id-shaped class folder name (``n0000000k``), as ImageNet uses."""
    return f'n{label:08d}'


def write_image_folder(root: str | Path, *, num_classes: int = 4, per_class: dict | None = None,
                       size: int = 32, seed: int = 0) -> Path:
    """``root/<split>/<wnid>/<wnid>_<i>.JPEG`` for each split in ``per_class``."""
    root = Path(root)
    per_class = per_class or {'train': 8, 'val': 4}
    rng = np.random.default_rng(seed)
    for split, count in per_class.items():
        for label in range(num_classes):
            folder = root / split / wnid(label)
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(count):
                Image.fromarray(class_image(label, num_classes, size, rng)).save(
                    folder / f'{wnid(label)}_{i}.JPEG', quality=90)
    mark_generated(root, generator='write_image_folder')
    return root


def write_image_list_layout(root: str | Path, **kwargs) -> Path:
    """OpenMMLab's ImageNet layout: the ImageFolder images plus ``meta/<split>.txt``."""
    root = write_image_folder(root, **kwargs)
    (root / 'meta').mkdir(exist_ok=True)
    for split_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name != 'meta'):
        classes = sorted(p.name for p in split_dir.iterdir())
        lines = [f'{cls}/{image.name} {label}'
                 for label, cls in enumerate(classes)
                 for image in sorted((split_dir / cls).iterdir())]
        (root / 'meta' / f'{split_dir.name}.txt').write_text('\n'.join(lines) + '\n')
    return root


def write_cifar_batches(root: str | Path, *, variant: str = 'cifar10', train_per_class: int = 6,
                        test_per_class: int = 3, seed: int = 0) -> Path:
    """torchvision's python-pickle layout with 10 (or 100) classes of 32x32 images."""
    root = Path(root)
    num_classes = 10 if variant == 'cifar10' else 100
    rng = np.random.default_rng(seed)

    def batch(per_class: int, label_key: bytes) -> dict:
        labels = [label for label in range(num_classes) for _ in range(per_class)]
        data = np.stack([class_image(label, num_classes, 32, rng).transpose(2, 0, 1).reshape(-1)
                         for label in labels])
        return {b'data': data, label_key: labels}

    if variant == 'cifar10':
        folder = root / 'cifar-10-batches-py'
        folder.mkdir(parents=True, exist_ok=True)
        files = {f'data_batch_{i}': batch(train_per_class, b'labels') for i in range(1, 6)}
        files['test_batch'] = batch(test_per_class, b'labels')
        files['batches.meta'] = {b'label_names': [f'class{i}'.encode() for i in range(10)]}
    else:
        folder = root / 'cifar-100-python'
        folder.mkdir(parents=True, exist_ok=True)
        files = {'train': batch(train_per_class, b'fine_labels'),
                 'test': batch(test_per_class, b'fine_labels'),
                 'meta': {b'fine_label_names': [f'class{i}'.encode() for i in range(100)]}}
    for name, content in files.items():
        with (folder / name).open('wb') as file:
            pickle.dump(content, file)
    mark_generated(root, generator='write_cifar_batches')
    return root
