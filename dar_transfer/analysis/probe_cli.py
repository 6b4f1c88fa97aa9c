"""``dar-transfer probe``: kNN and linear probes of classifier checkpoints on an ImageFolder.

The root holds ``train/<class>/<image>`` and ``val/<class>/<image>``; a root with only
``train/`` (the CIFAR-10 JPEG pack) is split with ``--val-fraction``. Features come from
the same extraction as ``dar-transfer features``; each probe prints top-1 with a 95%
bootstrap interval. ``--beside`` writes each result next to its checkpoint, as
``<stem>.probe-<method>-<data>.json``, where ``dar-transfer report`` finds it.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
import torch

from ..errors import UsageError
from ..utils.checkpoint_loading import (
    add_trust_argument,
    check_trust_is_used,
    resolve_checkpoint,
    trusted_files,
)
from .cli import checkpoint_names
from .features import SplitImages, extract_features, load_classifier, read_split
from .probe import METHODS, holdout_split, per_class_subset, probe

logger = logging.getLogger('dar_transfer')
PROBE_SUFFIX = '.probe-{method}-{data}.json'


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'probe', help='kNN / linear probe top-1 of classifier checkpoints on frozen features',
        description='Fit a weighted kNN (cosine, k=20, T=0.07, as DINO) or an L2 logistic '
                    'regression on the frozen penultimate features of the train split and '
                    'report top-1 on the val split, with a 95%% bootstrap interval.')
    parser.add_argument('checkpoints', nargs='+', metavar='CKPT',
                        help='dar-transfer pretrain checkpoints (or their work_dirs) or '
                             'torchvision state dicts')
    add_trust_argument(parser)
    parser.add_argument('--data', required=True,
                        help='ImageFolder root with train/ and val/ (or train/ only, with '
                             '--val-fraction)')
    parser.add_argument('--method', nargs='+', choices=METHODS, default=['knn'],
                        help='probe(s) to run (default: knn)')
    parser.add_argument('--arch', help='architecture of plain state dicts (e.g. resnet18); '
                                       'pretrain checkpoints carry theirs')
    parser.add_argument('--val-fraction', type=float,
                        help='hold out this share of each class of train/ as the val split '
                             '(seeded) instead of reading val/')
    parser.add_argument('--max-per-class', type=int,
                        help='use at most this many images per class of each split (seeded)')
    parser.add_argument('--image-size', type=int, help='resize the shorter side to '
                        'size/0.875 and center-crop size x size (default: images as they are)')
    parser.add_argument('--k', type=int, default=20, help='kNN neighbours (default: 20)')
    parser.add_argument('--temperature', type=float, default=0.07,
                        help='kNN vote temperature (default: 0.07)')
    parser.add_argument('--c', type=float, default=1.0,
                        help='inverse L2 strength of the linear probe (default: 1.0)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the splits, subsets and bootstrap (default: 0)')
    parser.add_argument('--name', help='name of the data in results (default: the root '
                                       "folder's name)")
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--beside', action='store_true',
                        help='write each result next to its checkpoint for the report')
    parser.add_argument('--out', help='also write the results (as --json prints them) to this '
                                      'file, last, once every probe has finished')
    parser.add_argument('--json', action='store_true', help='print the results as JSON')
    parser.set_defaults(func=main)
    return parser


def _check_args(args: argparse.Namespace) -> None:
    for name in ('batch_size', 'k'):
        if getattr(args, name) < 1:
            raise UsageError(f'--{name.replace("_", "-")} must be >= 1, got '
                             f'{getattr(args, name)}')
    if args.image_size is not None and args.image_size < 1:
        raise UsageError(f'--image-size must be >= 1, got {args.image_size}')
    if not Path(args.data, 'train').is_dir() and not any(
            Path(args.data, folder).is_dir() for folder in ('cifar-10-batches-py',
                                                            'cifar-100-python')):
        raise FileNotFoundError(f'{args.data} has no train/ folder; probe needs an '
                                'ImageFolder root with train/<class>/<image>')
    if args.val_fraction is None and not Path(args.data, 'val').is_dir():
        raise UsageError(f'{args.data} has no val/ folder; pass --val-fraction (e.g. 0.2) '
                         'to hold out a seeded share of train/ instead')


def _take(split: SplitImages, index: np.ndarray) -> SplitImages:
    return SplitImages(split.labels[index], split.classes,
                       paths=None if split.paths is None else [split.paths[i] for i in index],
                       images=None if split.images is None else split.images[index])


def read_probe_splits(args: argparse.Namespace) -> tuple[SplitImages, SplitImages]:
    """(train, val) of the probe, subsampled per class when asked."""
    if args.val_fraction is not None:
        whole = read_split(args.data, 'train')
        train_index, val_index = holdout_split(whole.labels, args.val_fraction, args.seed)
        train, val = _take(whole, train_index), _take(whole, val_index)
    else:
        train, val = read_split(args.data, 'train'), read_split(args.data, 'val')
        if train.classes != val.classes:
            raise UsageError(f'{args.data}: train/ and val/ have different class folders '
                             f'({len(train.classes)} and {len(val.classes)} classes)')
    return (_take(train, per_class_subset(train.labels, args.max_per_class, args.seed)),
            _take(val, per_class_subset(val.labels, args.max_per_class, args.seed + 1)))


def main(args: argparse.Namespace) -> int:
    _check_args(args)
    args.checkpoints = [resolve_checkpoint(path) for path in args.checkpoints]
    trusted = trusted_files(args)
    check_trust_is_used(trusted, args.checkpoints)
    models = [load_classifier(path, args.arch, trusted=Path(path).resolve() in trusted)
              for path in args.checkpoints]
    train, val = read_probe_splits(args)
    data_name = args.name or Path(args.data).resolve().name
    logger.info('probe on %s: %d train, %d val images, %d classes', data_name, len(train),
                len(val), len(train.classes))
    results = {}
    for name, path, model in zip(checkpoint_names(args.checkpoints), args.checkpoints, models,
                                 strict=True):
        start = time.perf_counter()
        train_features, val_features = (
            extract_features(model, split, batch_size=args.batch_size,
                             image_size=args.image_size) for split in (train, val))
        extracted = time.perf_counter() - start
        scores = {}
        for method in args.method:
            fitted = time.perf_counter()
            score = probe(method, train_features, train.labels, val_features, val.labels,
                          k=args.k, temperature=args.temperature, c=args.c, seed=args.seed)
            scores[method] = {**score.as_dict(),
                              'probe_seconds': round(time.perf_counter() - fitted, 2)}
            logger.info('%s %s: top-1 %.2f [%.2f, %.2f]', name, method, score.top1,
                        score.low, score.high)
        results[name] = {'path': str(path), 'arch': model.arch, 'kind': model.kind,
                         'feature_dim': int(train_features.shape[1]),
                         'extract_seconds': round(extracted, 1), 'probes': scores}
        if args.beside:
            write_beside(Path(path), data_name, results[name], args)
    report = {'data': str(args.data), 'data_name': data_name, 'seed': args.seed,
              'val_fraction': args.val_fraction, 'max_per_class': args.max_per_class,
              'image_size': args.image_size, 'num_train': len(train), 'num_val': len(val),
              'threads': torch.get_num_threads(), 'checkpoints': results}
    if args.out:  # written last: a campaign counts the probe done when this file exists
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=2) + '\n')
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f'{"checkpoint":30s} {"method":>6s} {"top-1":>6s}  95% bootstrap CI')
        for name, r in results.items():
            for method, s in r['probes'].items():
                print(f'{name:30s} {method:>6s} {s["top1"]:6.2f}  '
                      f'[{s["ci95"][0]:.2f}, {s["ci95"][1]:.2f}]')
    return 0


def write_beside(checkpoint: Path, data_name: str, result: dict,
                 args: argparse.Namespace) -> None:
    """One file per (checkpoint, method, data), read by the report."""
    for method, score in result['probes'].items():
        out = checkpoint.with_name(checkpoint.stem + PROBE_SUFFIX.format(
            method=method, data=data_name))
        out.write_text(json.dumps({
            'checkpoint': str(checkpoint.resolve()), 'data': str(args.data),
            'data_name': data_name, 'seed': args.seed, 'max_per_class': args.max_per_class,
            'val_fraction': args.val_fraction, **score}, indent=2) + '\n')
        logger.info('wrote %s', out)
