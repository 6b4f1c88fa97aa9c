"""LSP Extended -> COCO person-keypoint JSON with LSP's 14 joints, for mmpose.

Reads the published layout (``lspet/images/imNNNNN.jpg`` and ``lspet/joints.mat``, the
matrix ``joints`` of 14 x 3 x N: x, y, flag per joint, image imNNNNN in column NNNNN-1)
and writes::

    OUT/images/imNNNNN.jpg                the images, copied
    OUT/annotations/lspet_train.json      COCO keypoints, one person per image,
    OUT/annotations/lspet_val.json        seeded split by image
    OUT/conversion.json                   settings and counts

mmpose reads them with its ``CocoDataset`` and ``metainfo=dict(from_file=METAINFO_FILE)``
(``lsp_metainfo.py``: names, flip pairs, skeleton, weights, sigmas and their sources).

The flag, checked on the 2,000-image pack (im00001, im00003, im00005 and im00010 drawn with
their joints, and all columns counted): flag 1 marks a labelled joint, and 24,637 of
those 24,639 lie inside their image (two sit about 1 px above the top edge). Flag 0 marks
an occluded joint without a position: all 3,361 of them sit at a placeholder with x <= 0
or y <= 0 (such as (0, -26.1) or (-53.3, 0)), one shared placeholder per image. im00003's
far arm (right wrist, elbow, shoulder), hidden behind the body, is one such case. So
flag 1 becomes COCO visibility 2 (labelled, visible) and flag 0 becomes 0 with position
(0, 0) (not labelled): COCO's 1 (labelled but occluded) would claim a position that the
data set does not have. The box of a person is the tight box of its labelled joints,
grown by ``box_margin`` of its longer side on each side and clipped to the image; its
area (COCO's OKS scale) is the box area, since LSPET has no segmentation.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
from mmengine.utils import track_iter_progress

from ..errors import UsageError
from .conversion import (
    check_fraction,
    check_out_dir,
    copy_files,
    decoded_image,
    list_files,
    prepare_out_dir,
    require_dir,
    require_file,
    split_by_image,
    write_json,
    write_record,
)
from .lsp_metainfo import dataset_info

logger = logging.getLogger('dar_transfer')

METAINFO_FILE = str(Path(__file__).with_name('lsp_metainfo.py'))
KEYPOINT_NAMES = [dataset_info['keypoint_info'][i]['name'] for i in range(14)]
# COCO's skeleton is 1-based pairs of keypoint indices.
SKELETON = [[KEYPOINT_NAMES.index(a) + 1, KEYPOINT_NAMES.index(b) + 1]
            for a, b in (link['link'] for link in dataset_info['skeleton_info'].values())]
CATEGORIES = [{'id': 1, 'name': 'person', 'supercategory': 'person',
               'keypoints': KEYPOINT_NAMES, 'skeleton': SKELETON}]
DEFAULT_VAL_FRACTION = 0.2  # 2,000 images -> 1,600 train / 400 val
DEFAULT_BOX_MARGIN = 0.1
_IMAGE_NAME = re.compile(r'im(\d+)\.jpg')


def read_joints(path: Path) -> np.ndarray:
    """``joints`` of ``joints.mat`` as an array of N x 14 x 3 (x, y, flag); an error
    naming the file for a missing matrix, a wrong shape or flags other than 0 and 1."""
    from scipy.io import loadmat  # scipy is heavy; only this converter needs it

    require_file(path, 'the LSPET joint matrix')
    try:
        joints = loadmat(path).get('joints')
    except (ValueError, TypeError, OSError) as error:
        raise UsageError(f'{path}: not a readable MATLAB file ({error})') from error
    if joints is None:
        raise UsageError(f'{path}: holds no matrix named "joints"')
    if joints.ndim != 3 or joints.shape[:2] != (14, 3):
        raise UsageError(f'{path}: "joints" has shape {joints.shape}, expected 14 x 3 x N '
                         '(LSP Extended: 14 joints of x, y, flag for N images)')
    flags = np.unique(joints[:, 2, :])
    if not np.isin(flags, (0, 1)).all():
        raise UsageError(f'{path}: joint flags {flags.tolist()}, expected only 0 (not '
                         'labelled) and 1 (labelled)')
    return np.transpose(joints, (2, 0, 1))


def image_column(image: Path) -> int:
    """The ``joints.mat`` column of ``imNNNNN.jpg`` (NNNNN - 1)."""
    match = _IMAGE_NAME.fullmatch(image.name)
    if match is None or int(match.group(1)) < 1:
        raise UsageError(f'{image}: not named imNNNNN.jpg (N >= 1), so it has no column '
                         'in joints.mat')
    return int(match.group(1)) - 1


def person_annotation(joints: np.ndarray, size: tuple[int, int], *,
                      box_margin: float) -> dict | None:
    """The COCO annotation (without ids) of one image's 14 x 3 joints; None when fewer
    than two joints are labelled (no box can be derived)."""
    labelled = joints[:, 2] == 1
    if labelled.sum() < 2:
        return None
    keypoints = [round(float(v), 2) for x, y, flag in joints
                 for v in ((x, y, 2) if flag == 1 else (0, 0, 0))]
    (x0, y0), (x1, y1) = joints[labelled, :2].min(axis=0), joints[labelled, :2].max(axis=0)
    pad = box_margin * max(x1 - x0, y1 - y0)
    width, height = size
    x0, y0 = max(x0 - pad, 0.0), max(y0 - pad, 0.0)
    x1, y1 = min(x1 + pad, float(width)), min(y1 + pad, float(height))
    box = [round(float(v), 2) for v in (x0, y0, x1 - x0, y1 - y0)]
    return {'category_id': 1, 'iscrowd': 0, 'bbox': box, 'area': round(box[2] * box[3], 2),
            'num_keypoints': int(labelled.sum()), 'keypoints': keypoints}


def check_columns(images: list[Path], num_columns: int, mat_file: Path) -> None:
    """Every image needs its column: the count must cover the highest image number."""
    last = max(images, key=image_column)
    if image_column(last) >= num_columns:
        raise UsageError(f'{mat_file} holds joints for {num_columns} images, but {last} '
                         f'needs column {image_column(last) + 1}: the matrix and the '
                         'images come from different downloads')


def convert(raw_dir: str | Path, out: str | Path, *, val_fraction: float = DEFAULT_VAL_FRACTION,
            seed: int = 0, box_margin: float = DEFAULT_BOX_MARGIN,
            overwrite: bool = False) -> dict:
    """Convert ``raw_dir`` (the ``lspet`` folder, any subset of its images) into ``out``;
    returns the counts written.

    Args:
        raw_dir: the published top folder, with ``images/`` and ``joints.mat``.
        out: the output folder: new, empty, or an earlier conversion (with ``overwrite``).
        val_fraction: share of images for val. Defaults to 0.2.
        seed: seed of the split. Defaults to 0.
        box_margin: margin around the labelled joints, as a share of the longer side of
            their box, on each side. Defaults to 0.1.
        overwrite: replace an earlier conversion in ``out``. Defaults to False.
    """
    raw_dir, out = Path(raw_dir), Path(out)
    if box_margin < 0:
        raise UsageError(f'--box-margin must be >= 0, got {box_margin}')
    check_out_dir(out, overwrite=overwrite)
    require_dir(raw_dir, 'the lspet folder')
    images = list_files(raw_dir / 'images', '.jpg', 'the LSPET images, imNNNNN.jpg')
    check_fraction(val_fraction, len(images))
    mat_file = raw_dir / 'joints.mat'
    joints = read_joints(mat_file)
    check_columns(images, len(joints), mat_file)
    if len(joints) != len(images):
        logger.info('%s has %d columns and %s holds %d images: converting those images',
                    mat_file, len(joints), raw_dir / 'images', len(images))

    # Everything is read and checked before ``out`` is touched, so bad input loses nothing.
    records, annotations, skipped = {}, {}, []
    for image in track_iter_progress(images):
        with decoded_image(image, 'an LSPET JPEG image') as picture:
            size = picture.size
        annotation = person_annotation(joints[image_column(image)], size,
                                       box_margin=box_margin)
        if annotation is None:
            skipped.append(image.name)
            continue
        image_id = image_column(image) + 1  # the image's own number
        records[image.name] = {'id': image_id, 'file_name': image.name,
                               'width': size[0], 'height': size[1]}
        annotations[image.name] = {'id': image_id, 'image_id': image_id, **annotation}
    if skipped:
        logger.warning('%d images have fewer than 2 labelled joints and are left out: %s',
                       len(skipped), ', '.join(skipped[:10]))
    train, val = split_by_image(list(records), val_fraction=val_fraction, seed=seed)

    prepare_out_dir(out, overwrite=overwrite, managed=('images', 'annotations'))
    copy_files([p for p in images if p.name in records], out / 'images')
    counts = {}
    for split, names in (('train', train), ('val', val)):
        write_json(out / 'annotations' / f'lspet_{split}.json',
                   {'info': {'description': 'LSP Extended, converted by dar-transfer data'},
                    'images': [records[n] for n in names],
                    'annotations': [annotations[n] for n in names],
                    'categories': CATEGORIES})
        counts[split] = {'images': len(names),
                         'labelled_joints': sum(annotations[n]['num_keypoints'] for n in names)}
    counts['skipped_fewer_than_2_joints'] = skipped
    write_record(out, dataset='lspet', raw_dir=raw_dir, counts=counts,
                 settings={'val_fraction': val_fraction, 'seed': seed,
                           'box_margin': box_margin, 'num_keypoints': 14,
                           'metainfo': 'dar_transfer/data/lsp_metainfo.py'})
    logger.info('LSPET: %s', {s: counts[s]['images'] for s in ('train', 'val')})
    return counts
