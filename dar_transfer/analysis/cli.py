"""``dar-transfer features``: feature geometry of classifier checkpoints on one split.

For each checkpoint: penultimate features of every image of the split, the silhouette
score, the between/within-class scatter ratio and the nearest-class-mean top-1 (all
on all features), and a t-SNE panel (on at most ``--tsne-points`` of them); the panels
go side by side into one PNG, the numbers into ``features.json``.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import torch

from ..errors import UsageError
from ..utils.checkpoint_loading import add_trust_argument, check_trust_is_used, trusted_files
from .features import extract_features, load_classifier, read_split
from .geometry import draw_tsne, geometry, tsne_embedding, tsne_subset

logger = logging.getLogger('dar_transfer')


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'features', help='t-SNE and class-separation numbers of penultimate features',
        description='Extract penultimate features of each checkpoint on a split (batched, no '
                    'augmentation, eval mode), draw their t-SNE side by side in one PNG and '
                    'compute silhouette, between/within scatter ratio and nearest-class-mean '
                    'top-1 on all features.')
    parser.add_argument('checkpoints', nargs='+', metavar='CKPT',
                        help='dar-transfer pretrain checkpoints or torchvision state dicts')
    add_trust_argument(parser)
    parser.add_argument('--data-root', required=True,
                        help='folder with SPLIT/<class>/<image>, or the CIFAR pickles')
    parser.add_argument('--split', default='test', help='split to read (default: test)')
    parser.add_argument('--out', required=True, help='folder for tsne.png and features.json')
    parser.add_argument('--arch', help='architecture of plain state dicts (e.g. resnet18, '
                                       'cifar_resnet110); pretrain checkpoints carry theirs')
    parser.add_argument('--image-size', type=int, help='resize the shorter side to '
                        'size/0.875 and center-crop size x size (default: images as they '
                        'are, which must share one size)')
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--tsne-points', type=int, default=2000,
                        help='points per t-SNE panel (a seeded subsample; the numbers use all)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the t-SNE subsample')
    parser.add_argument('--threads', type=int, help='CPU threads for feature extraction '
                        "(default: torch's). On a machine shared with other jobs 1 can be "
                        'faster: measured 2-3x for a ResNet-110 beside one busy process')
    parser.add_argument('--json', action='store_true', help='print the numbers as JSON')
    parser.set_defaults(func=main)
    return parser


def _check_args(args: argparse.Namespace) -> None:
    if args.threads is not None and args.threads < 1:
        raise UsageError(f'--threads must be >= 1, got {args.threads}')
    for name in ('batch_size', 'tsne_points'):
        value = getattr(args, name)
        if value < 1:
            raise UsageError(f'--{name.replace("_", "-")} must be >= 1, got {value}')
    if args.image_size is not None and args.image_size < 1:
        raise UsageError(f'--image-size must be >= 1, got {args.image_size}')


def checkpoint_names(paths: list[str]) -> list[str]:
    """File stems, with the parent folder added where stems repeat (``run_a/epoch_300``,
    ``run_b/epoch_300``) and a count where even those repeat (the same file twice)."""
    stems = [Path(p).stem for p in paths]
    names = [f'{Path(p).parent.name}/{s}' if stems.count(s) > 1 else s
             for p, s in zip(paths, stems, strict=True)]
    return [f'{n} ({names[:i].count(n) + 1})' if names.count(n) > 1 else n
            for i, n in enumerate(names)]


def main(args: argparse.Namespace) -> int:
    _check_args(args)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    trusted = trusted_files(args)
    check_trust_is_used(trusted, args.checkpoints)
    models = [load_classifier(path, args.arch, trusted=Path(path).resolve() in trusted)
              for path in args.checkpoints]
    split = read_split(args.data_root, args.split)
    logger.info('features: %d images, %d classes in %s/%s', len(split), len(split.classes),
                args.data_root, args.split)
    chosen = tsne_subset(len(split), args.tsne_points, args.seed)
    results, panels = {}, []
    for name, path, model in zip(checkpoint_names(args.checkpoints), args.checkpoints, models,
                                 strict=True):
        start = time.perf_counter()
        features = extract_features(model, split, batch_size=args.batch_size,
                                    image_size=args.image_size)
        extracted = time.perf_counter()
        numbers = geometry(features, split.labels)
        measured = time.perf_counter()
        panels.append((name, tsne_embedding(features[chosen], args.seed),
                       split.labels[chosen], numbers))
        logger.info('%s (%s, %s): %d-d features %.1f s, numbers %.1f s, t-SNE of %d points '
                    '%.1f s', name, model.kind, model.arch, features.shape[1],
                    extracted - start, measured - extracted, len(chosen),
                    time.perf_counter() - measured)
        results[name] = {'path': str(path), 'arch': model.arch, 'kind': model.kind,
                         'feature_dim': int(features.shape[1]), **numbers.as_dict()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    figure = out / 'tsne.png'
    draw_tsne(panels, split.classes, figure)
    (out / 'features.json').write_text(json.dumps({
        'data_root': str(args.data_root), 'split': args.split, 'num_images': len(split),
        'tsne_points': len(chosen), 'checkpoints': results, 'figure': str(figure)},
        indent=2) + '\n')
    if args.json:
        print(json.dumps({'checkpoints': {
            name: {k: r[k] for k in ('silhouette', 'scatter_ratio', 'ncm_top1')}
            for name, r in results.items()}, 'figure': str(figure)}))
    else:
        print(f'{"checkpoint":30s} {"silhouette":>10s} {"scatter":>8s} {"NCM top-1":>9s}')
        for name, r in results.items():
            print(f'{name:30s} {r["silhouette"]:10.4f} {r["scatter_ratio"]:8.3f} '
                  f'{r["ncm_top1"]:9.2f}')
        print(f'figure: {figure}')
    return 0
