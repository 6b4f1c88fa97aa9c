"""Penn-Fudan pedestrians -> COCO instances JSON (one category, person) for mmdet.

Reads the published layout (``PennFudanPed/{PNGImages,PedMasks,Annotation}``) and writes::

    OUT/images/<name>.png                      the images, copied
    OUT/annotations/instances_train.json       COCO instances, seeded split by image
    OUT/annotations/instances_val.json
    OUT/conversion.json                        settings and counts

The masks are the source of truth: mask value k > 0 is pedestrian k. Each pedestrian
becomes one annotation whose segmentation is its mask as compressed RLE (exact, so
``area`` is its pixel count) and whose box is the mask's tight box; both are computed by
pycocotools. The PASCAL text files are only cross-checked: their object count must equal
the mask's instance count. mmdet reads the files with
``CocoDataset(metainfo=dict(classes=('person',)), data_prefix=dict(img='images/'))``;
its ``LoadAnnotations`` decodes the RLE with its default ``poly2mask=True``.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
from mmengine.utils import track_iter_progress
from pycocotools import mask as mask_utils

from ..errors import UsageError
from .conversion import (
    check_out_dir,
    copy_files,
    decoded_image,
    list_files,
    prepare_out_dir,
    require_dir,
    split_by_image,
    write_json,
    write_record,
)

logger = logging.getLogger('dar_transfer')

CATEGORIES = [{'id': 1, 'name': 'person', 'supercategory': 'person'}]
DEFAULT_VAL_FRACTION = 0.3  # 130 images -> 91 train / 39 val
_OBJECT_COUNT = re.compile(r'Objects with ground truth\s*:\s*(\d+)')


def mask_path(masks_dir: Path, image: Path) -> Path:
    return masks_dir / f'{image.stem}_mask.png'


def read_instance_mask(path: Path, size: tuple[int, int]) -> np.ndarray:
    """The instance-id mask at ``path`` as a 2-D integer array of the image's ``size``
    (width, height); an error naming the file if it is not one, or holds no instance."""
    with decoded_image(path, 'an instance-id mask PNG') as mask:
        if mask.mode not in ('L', 'P', 'I', 'I;16'):
            raise UsageError(f'{path}: mask mode {mask.mode!r}, expected a single-channel '
                             'instance-id image (0 = background, k = pedestrian k)')
        if mask.size != size:
            raise UsageError(f'{path}: mask size {mask.size} differs from its image '
                             f'size {size}')
        ids = np.asarray(mask, dtype=np.int64)
    if not (ids > 0).any():
        raise UsageError(f'{path}: the mask holds no instance (every pixel is 0); each '
                         'Penn-Fudan image shows at least one pedestrian')
    return ids


def instance_annotations(ids: np.ndarray) -> list[dict]:
    """One COCO annotation (without ids) per non-zero value of ``ids``, in value order."""
    annotations = []
    for value in np.unique(ids[ids > 0]):
        rle = mask_utils.encode(np.asfortranarray((ids == value).astype(np.uint8)))
        box = mask_utils.toBbox(rle).tolist()
        annotations.append({'category_id': 1, 'iscrowd': 0, 'bbox': box,
                            'area': float(mask_utils.area(rle)),
                            'segmentation': {'size': [int(s) for s in rle['size']],
                                             'counts': rle['counts'].decode('ascii')}})
    return annotations


def text_object_count(path: Path) -> int:
    """The ``Objects with ground truth : N`` count of a PASCAL-v1 text file."""
    match = _OBJECT_COUNT.search(path.read_text(errors='replace'))
    if match is None:
        raise UsageError(f'{path}: no "Objects with ground truth : N" line; not a '
                         'PASCAL-v1 annotation file')
    return int(match.group(1))


def read_image(image: Path, masks_dir: Path, text_dir: Path | None) -> tuple[dict, list[dict]]:
    """The COCO image record (without id) and annotations of one image."""
    with decoded_image(image, 'a Penn-Fudan PNG image') as picture:
        width, height = picture.size
    mask_file = mask_path(masks_dir, image)
    if not mask_file.is_file():
        raise FileNotFoundError(f'{mask_file}: no such file (the instance mask of {image})')
    annotations = instance_annotations(read_instance_mask(mask_file, (width, height)))
    if text_dir is not None:
        text_file = text_dir / f'{image.stem}.txt'
        if not text_file.is_file():
            raise FileNotFoundError(f'{text_file}: no such file (the PASCAL box file of '
                                    f'{image}; remove {text_dir} to skip the cross-check)')
        if text_object_count(text_file) != len(annotations):
            raise UsageError(f'{text_file} lists {text_object_count(text_file)} '
                             f'pedestrians but {mask_file} holds {len(annotations)}')
    return {'file_name': image.name, 'width': width, 'height': height}, annotations


def coco_file(records: list[dict], annotations: list[dict]) -> dict:
    return {'info': {'description': 'Penn-Fudan pedestrians, converted by dar-transfer data'},
            'images': records, 'annotations': annotations, 'categories': CATEGORIES}


def convert(raw_dir: str | Path, out: str | Path, *, val_fraction: float = DEFAULT_VAL_FRACTION,
            seed: int = 0, overwrite: bool = False) -> dict:
    """Convert ``raw_dir`` (the ``PennFudanPed`` folder, any subset of its images) into
    ``out``; returns the counts written.

    Args:
        raw_dir: the published top folder, holding ``PNGImages`` and ``PedMasks``
            (``Annotation`` is optional and only cross-checked).
        out: the output folder: new, empty, or an earlier conversion (with ``overwrite``).
        val_fraction: share of images for val. Defaults to 0.3.
        seed: seed of the split. Defaults to 0.
        overwrite: replace an earlier conversion in ``out``. Defaults to False.
    """
    raw_dir, out = Path(raw_dir), Path(out)
    check_out_dir(out, overwrite=overwrite)
    require_dir(raw_dir, 'the PennFudanPed folder')
    images = list_files(raw_dir / 'PNGImages', '.png', 'the Penn-Fudan images')
    masks_dir = require_dir(raw_dir / 'PedMasks', 'the instance masks, <image>_mask.png')
    text_dir = raw_dir / 'Annotation' if (raw_dir / 'Annotation').is_dir() else None
    train_names, val_names = split_by_image([p.name for p in images],
                                            val_fraction=val_fraction, seed=seed)
    # Everything is read and checked before ``out`` is touched, so bad input loses nothing.
    # Ids follow the sorted names, so an image keeps its id whatever the split.
    split_of = {**{n: 'train' for n in train_names}, **{n: 'val' for n in val_names}}
    files = {'train': ([], []), 'val': ([], [])}
    annotation_id = 1
    for image_id, image in enumerate(track_iter_progress(images), start=1):
        record, annotations = read_image(image, masks_dir, text_dir)
        records, split_annotations = files[split_of[image.name]]
        records.append({'id': image_id, **record})
        for annotation in annotations:
            split_annotations.append({'id': annotation_id, 'image_id': image_id, **annotation})
            annotation_id += 1

    prepare_out_dir(out, overwrite=overwrite, managed=('images', 'annotations'))
    copy_files(images, out / 'images')
    counts = {}
    for split, (records, annotations) in files.items():
        write_json(out / 'annotations' / f'instances_{split}.json',
                   coco_file(records, annotations))
        counts[split] = {'images': len(records), 'instances': len(annotations)}
    write_record(out, dataset='pennfudan', raw_dir=raw_dir, counts=counts,
                 settings={'val_fraction': val_fraction, 'seed': seed,
                           'cross_checked_text_files': text_dir is not None})
    logger.info('Penn-Fudan: %s', counts)
    return counts
