"""Classification data listed in an annotation file: OpenMMLab's ImageNet layout.

``meta/train.txt`` holds one ``relative/path label`` line per image, paths relative
to ``data_prefix`` (e.g. ``train/``) under ``data_root``. ImageNet-LT's published
splits (``ImageNet_LT_{train,val,test}.txt``, paths like ``train/n01440764/x.JPEG``
relative to the ImageNet root) are read the same way with ``data_prefix=''``.
"""
from __future__ import annotations

import os
from pathlib import Path

from mmengine.dataset import BaseDataset
from mmengine.registry import DATASETS

from ..errors import UsageError


def read_image_list(ann_file: Path) -> list[tuple[str, int]]:
    """(relative path, label) pairs; errors name the file and line."""
    if not ann_file.is_file():
        raise FileNotFoundError(f'annotation file {ann_file} does not exist; check data_root '
                                'and ann_file in the dataset config')
    pairs = []
    for number, line in enumerate(ann_file.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.rsplit(maxsplit=1)
        if len(parts) != 2 or not parts[1].lstrip('-').isdigit() or int(parts[1]) < 0:
            raise UsageError(f'{ann_file}:{number}: expected "relative/path label" with a '
                             f'non-negative integer label, got {line!r}')
        pairs.append((parts[0], int(parts[1])))
    if not pairs:
        raise UsageError(f'annotation file {ann_file} lists no images')
    return pairs


def check_listed_files(paths: list[str], ann_file: Path, data_root: Path,
                       prefix: Path) -> None:
    """Raise FileNotFoundError naming the first listed images that do not exist."""
    missing = [path for path in paths if not os.path.isfile(path)]
    if missing:
        first = ', '.join(missing[:3])
        raise FileNotFoundError(
            f'{ann_file} lists {len(missing)} of {len(paths)} images that do not exist, '
            f'first: {first}. Listed paths are read relative to {prefix} (data_root '
            f'{data_root}, data_prefix {str(prefix.relative_to(data_root)) or "empty"}); '
            'check data_root and data_prefix, or that the images are unpacked')


@DATASETS.register_module()
class ImageListDataset(BaseDataset):
    """Images and labels from an annotation file (``meta/train.txt``, ``meta/val.txt``).

    Args:
        data_root (str): the data set's root folder.
        ann_file (str): the list, relative to ``data_root``.
        data_prefix (str): the folder the listed paths are relative to, itself relative
            to ``data_root``. Defaults to ``''``.
        num_classes (int, optional): labels must lie in ``0..num_classes-1``.
        check_files (bool): check that every listed image exists when the data set is
            built, so a list that does not match the images on disk fails at once with
            the first missing paths, not in a data-loader worker hours later. Costs one
            ``stat`` per image (seconds for ImageNet on a local disk). Defaults to True.
        pipeline (list[dict]): transforms, ending with ``PackClassificationInputs``.
    """

    def __init__(self, data_root: str, ann_file: str, *, data_prefix: str = '',
                 num_classes: int | None = None, check_files: bool = True,
                 **kwargs) -> None:
        self.image_prefix = data_prefix
        self.num_classes = num_classes
        self.check_files = check_files
        super().__init__(data_root=data_root, ann_file=ann_file, **kwargs)

    def load_data_list(self) -> list[dict]:
        pairs = read_image_list(Path(self.ann_file))
        labels = {label for _, label in pairs}
        if self.num_classes is not None and max(labels) >= self.num_classes:
            raise UsageError(f'{self.ann_file} has label {max(labels)} but num_classes is '
                             f'{self.num_classes}')
        self._metainfo['classes'] = tuple(str(i) for i in range(
            self.num_classes or max(labels) + 1))
        prefix = Path(self.data_root) / self.image_prefix
        paths = [str(prefix / path) for path, _ in pairs]
        if self.check_files:
            check_listed_files(paths, Path(self.ann_file), Path(self.data_root), prefix)
        return [{'img_path': path, 'gt_label': label}
                for path, (_, label) in zip(paths, pairs, strict=True)]
