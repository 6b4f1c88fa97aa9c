"""CamVid (SegNet's 11-class preparation) -> mmseg's folder layout for ``CamVidDataset``.

Reads the published layout (``CamVid/{train,trainannot,val,valannot,test,testannot}``;
whichever of the three splits are present) and writes::

    OUT/img_dir/<split>/<name>.png     the images, copied
    OUT/ann_dir/<split>/<name>.png     class indices 0-10, void (11) rewritten as 255
    OUT/conversion.json                settings, counts and pixels per class

Void becomes mmseg's ignore index (255) here, in the label files, rather than by a
``label_map`` at load time: mmseg's ``label_map`` only renames classes of the dataset's
own METAINFO, and ``reduce_zero_label`` serves a void at 0, not at 11. The list files
(``train.txt``...) are not read: their paths start with SegNet's ``/SegNet/CamVid/``, and
the folders say the same.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from mmengine.utils import track_iter_progress
from PIL import Image

from ..errors import UsageError
from .camvid_classes import CLASSES, IGNORE_INDEX, VOID
from .conversion import (
    check_out_dir,
    copy_files,
    decoded_image,
    prepare_out_dir,
    require_dir,
    write_record,
)

logger = logging.getLogger('dar_transfer')

SPLITS = ('train', 'val', 'test')


def present_splits(raw_dir: Path) -> list[str]:
    """The splits whose image folder exists; an error naming the folders if none does."""
    require_dir(raw_dir, 'the CamVid folder')
    splits = [s for s in SPLITS if (raw_dir / s).is_dir()]
    if not splits:
        raise FileNotFoundError(f'{raw_dir}: none of the split folders '
                                f'{", ".join(SPLITS)} exists (SegNet layout: '
                                '<split>/ with the images, <split>annot/ with the labels)')
    return splits


def read_label(path: Path, size: tuple[int, int]) -> np.ndarray:
    """The class-index label at ``path``, void rewritten to the ignore index; an error
    naming the file for a wrong mode, size or class value."""
    with decoded_image(path, 'a CamVid label PNG') as label:
        if label.mode not in ('L', 'P'):
            raise UsageError(f'{path}: label mode {label.mode!r}, expected 8-bit class '
                             f'indices 0-{VOID} (SegNet\'s CamVid labels, not colour images)')
        if label.size != size:
            raise UsageError(f'{path}: label size {label.size} differs from its image '
                             f'size {size}')
        indices = np.asarray(label, dtype=np.uint8)
    unknown = np.setdiff1d(np.unique(indices), np.arange(VOID + 1))
    if unknown.size:
        raise UsageError(f'{path}: class values {unknown.tolist()} outside 0-{VOID} '
                         f'({len(CLASSES)} classes and void = {VOID})')
    return np.where(indices == VOID, IGNORE_INDEX, indices).astype(np.uint8)


def read_split(raw_dir: Path, split: str) -> tuple[list[Path], list[np.ndarray]]:
    """The images of one split and their converted labels."""
    images = sorted((raw_dir / split).glob('*.png'))
    if not images:
        raise UsageError(f'{raw_dir / split}: no *.png images')
    label_dir = require_dir(raw_dir / f'{split}annot', f'the {split} labels')
    labels = []
    for image in track_iter_progress(images):
        label_file = label_dir / image.name
        if not label_file.is_file():
            raise FileNotFoundError(f'{label_file}: no such file (the label of {image})')
        with decoded_image(image, f'a CamVid {split} image') as picture:
            size = picture.size
        labels.append(read_label(label_file, size))
    return images, labels


def pixel_counts(labels: list[np.ndarray]) -> list[int]:
    """Pixels per class 0-10, then void (the ignore index)."""
    counts = np.zeros(len(CLASSES) + 1, dtype=np.int64)
    for label in labels:
        counts += np.bincount(np.where(label == IGNORE_INDEX, VOID, label).ravel(),
                              minlength=len(CLASSES) + 1)
    return counts.tolist()


def convert(raw_dir: str | Path, out: str | Path, *, overwrite: bool = False) -> dict:
    """Convert ``raw_dir`` (the ``CamVid`` folder, any of its splits, any subset of
    their images) into ``out``; returns the counts written.

    Args:
        raw_dir: the published top folder, with ``<split>/`` and ``<split>annot/``.
        out: the output folder: new, empty, or an earlier conversion (with ``overwrite``).
        overwrite: replace an earlier conversion in ``out``. Defaults to False.
    """
    raw_dir, out = Path(raw_dir), Path(out)
    check_out_dir(out, overwrite=overwrite)
    # Everything is read and checked before ``out`` is touched, so bad input loses nothing.
    converted = {split: read_split(raw_dir, split) for split in present_splits(raw_dir)}
    prepare_out_dir(out, overwrite=overwrite, managed=('img_dir', 'ann_dir'))
    counts = {}
    for split, (images, labels) in converted.items():
        copy_files(images, out / 'img_dir' / split)
        (out / 'ann_dir' / split).mkdir(parents=True)
        for image, label in zip(images, labels, strict=True):
            Image.fromarray(label).save(out / 'ann_dir' / split / image.name)
        counts[split] = {'images': len(images),
                         'pixels_per_class': dict(zip((*CLASSES, 'void'),
                                                      pixel_counts(labels), strict=True))}
    write_record(out, dataset='camvid', raw_dir=raw_dir, counts=counts,
                 settings={'void': VOID, 'ignore_index': IGNORE_INDEX})
    logger.info('CamVid: %s', {s: c['images'] for s, c in counts.items()})
    return counts
