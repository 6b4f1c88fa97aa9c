"""``dar-transfer data pennfudan|camvid|lspet RAW_DIR --out DIR``: published layouts in,
the layouts that mmdet, mmseg and mmpose read out.

``RAW_DIR`` is the data set's own top folder (``PennFudanPed``, ``CamVid`` or ``lspet``),
as downloaded, holding any subset of its images. Each converter checks what it reads
and names the file that is wrong; ``OUT/conversion.json`` records settings and counts.
"""
from __future__ import annotations

import argparse
import json
import logging

from ..errors import UsageError

logger = logging.getLogger('dar_transfer')

DATASETS = ('pennfudan', 'camvid', 'lspet')


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'data', help='convert Penn-Fudan, CamVid or LSPET into the libraries\' layouts',
        description='Convert a downloaded data set into what the downstream libraries read. '
                    'pennfudan: COCO instances JSON (person; RLE masks; seeded split by image) '
                    'for mmdet. camvid: mmseg img_dir/ann_dir folders for CamVidDataset '
                    '(11 classes, void -> 255). lspet: COCO keypoint JSON with 14 joints '
                    '(seeded split) for mmpose, with dar_transfer/data/lsp_metainfo.py.')
    parser.add_argument('dataset', choices=DATASETS, help='which data set RAW_DIR holds')
    parser.add_argument('raw_dir', metavar='RAW_DIR',
                        help='the data set\'s top folder: PennFudanPed, CamVid or lspet')
    parser.add_argument('--out', required=True, help='output folder (new or empty)')
    parser.add_argument('--val-fraction', type=float,
                        help='share of images for val (pennfudan: default 0.3, lspet: 0.2; '
                             'camvid keeps its own splits)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the split (default: 0)')
    parser.add_argument('--box-margin', type=float,
                        help='lspet: margin around the labelled joints, as a share of the '
                             'longer side of their box, on each side (default: 0.1)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an earlier conversion in --out')
    parser.add_argument('--json', action='store_true', help='print the counts as JSON')
    parser.set_defaults(func=main)
    return parser


def _check_args(args: argparse.Namespace) -> None:
    if args.dataset == 'camvid' and args.val_fraction is not None:
        raise UsageError('--val-fraction does not apply to camvid: it keeps the '
                         'train/val/test folders it is given')
    if args.dataset != 'lspet' and args.box_margin is not None:
        raise UsageError(f'--box-margin applies to lspet only, not {args.dataset}')


def _or_default(value: float | None, default: float) -> float:
    return default if value is None else value


def _convert(args: argparse.Namespace) -> dict:
    # Imported here: each converter pulls in pycocotools, scipy or PIL only when used.
    if args.dataset == 'pennfudan':
        from . import pennfudan
        fraction = _or_default(args.val_fraction, pennfudan.DEFAULT_VAL_FRACTION)
        return pennfudan.convert(args.raw_dir, args.out, val_fraction=fraction,
                                 seed=args.seed, overwrite=args.overwrite)
    if args.dataset == 'camvid':
        from . import camvid
        return camvid.convert(args.raw_dir, args.out, overwrite=args.overwrite)
    from . import lspet
    fraction = _or_default(args.val_fraction, lspet.DEFAULT_VAL_FRACTION)
    margin = _or_default(args.box_margin, lspet.DEFAULT_BOX_MARGIN)
    return lspet.convert(args.raw_dir, args.out, val_fraction=fraction, seed=args.seed,
                         box_margin=margin, overwrite=args.overwrite)


def main(args: argparse.Namespace) -> int:
    _check_args(args)
    counts = _convert(args)
    if args.json:
        print(json.dumps(counts))
    else:
        logger.info('wrote %s (counts in %s/conversion.json)', args.out, args.out)
    return 0
