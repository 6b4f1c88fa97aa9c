"""ImageFolder classification data (``root/<split>/<class>/<image>``) decoded into memory.

For CIFAR-sized sets the whole split fits in memory as uint8 (50,000 x 32 x 32 x 3 is
150 MB), so each image is decoded once and augmentation runs on whole batches in the
data preprocessor (:class:`BatchAugmentPreprocessor`), on the GPU when there is one.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.registry import DATASETS
from PIL import Image

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')


def list_image_folder(split_dir: Path, classes: list[str] | None = None
                      ) -> tuple[list[str], list[tuple[Path, int]]]:
    """Classes (sorted folder names) and (path, label) pairs, sorted within a class."""
    if not split_dir.is_dir():
        raise FileNotFoundError(f'image folder {split_dir} does not exist; check data_root '
                                'and split in the dataset config')
    found = sorted(p.name for p in split_dir.iterdir() if p.is_dir())
    if not found:
        raise FileNotFoundError(f'{split_dir} has no class folders; expected '
                                f'{split_dir}/<class>/<image>')
    if classes is not None and found != list(classes):
        missing, extra = sorted(set(classes) - set(found)), sorted(set(found) - set(classes))
        raise ValueError(f'class folders of {split_dir} differ from the expected classes: '
                         f'missing {missing[:5]}, unexpected {extra[:5]}')
    samples = []
    for label, name in enumerate(found):
        files = sorted(p for p in (split_dir / name).iterdir()
                       if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise FileNotFoundError(f'class folder {split_dir / name} holds no images')
        samples += [(path, label) for path in files]
    return found, samples


@DATASETS.register_module()
class InMemoryImageFolder(BaseDataset):
    """An ImageFolder split decoded once into a uint8 tensor.

    Args:
        data_root (str): the folder that holds the split folders.
        split (str): sub-folder, e.g. ``'train'``. Defaults to ``'train'``.
        per_class (tuple[int, int], optional): keep images ``[start, stop)`` of each
            class (in file-name order), for class-balanced subsets and held-out
            validation slices. Defaults to None (all).
        classes (list[str], optional): expected class names; a mismatch is an error.
    """

    def __init__(self, data_root: str, split: str = 'train', *,
                 per_class: tuple[int, int] | None = None, classes: list[str] | None = None,
                 **kwargs) -> None:
        self.split = split
        self.per_class = per_class
        self.expected_classes = classes
        self.images: torch.Tensor | None = None
        super().__init__(data_root=data_root, ann_file='', serialize_data=False, **kwargs)

    def load_data_list(self) -> list[dict]:
        classes, samples = list_image_folder(Path(self.data_root) / self.split,
                                             self.expected_classes)
        if self.per_class is not None:
            start, stop = self.per_class
            position = {label: 0 for label in range(len(classes))}
            chosen = []
            for path, label in samples:
                if start <= position[label] < stop:
                    chosen.append((path, label))
                position[label] += 1
            samples = chosen
        self._metainfo['classes'] = tuple(classes)
        arrays = [np.asarray(Image.open(path).convert('RGB')) for path, _ in samples]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise ValueError(f'InMemoryImageFolder needs images of one size, found {shapes}')
        self.images = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()
        return [{'gt_label': label, 'img_path': str(path)} for path, label in samples]

    def prepare_data(self, idx: int) -> dict:
        info = self.get_data_info(idx)
        return {'inputs': self.images[idx],
                'data_samples': {'gt_label': info['gt_label'], 'sample_idx': info['sample_idx']}}
