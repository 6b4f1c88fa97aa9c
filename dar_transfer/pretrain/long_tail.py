"""Long-tailed training splits: the exponential profile of CIFAR-10-LT and ImageNet-LT.

Class ``k`` of ``C`` keeps ``int(n_max * (1/imbalance) ** (k / (C - 1)))`` images, so
class 0 keeps ``n_max`` and the last class ``n_max / imbalance`` (Cao et al., "Learning
Imbalanced Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019, the
construction of CIFAR-10/100-LT; with imbalance 100 and n_max 5000 it keeps 12,406 of
CIFAR-10's 50,000 images).

Two ways in:

- a dataset argument: ``ImageFolderDataset``, ``InMemoryImageFolder`` and ``CIFARDataset``
  take ``imbalance`` (and optionally ``n_max``), so a config makes the split on the fly;
- ``dar-transfer long-tail DATA_ROOT --imbalance 100 --out FILE`` writes the split of an
  ImageFolder as a ``relative/path label`` list (``ImageListDataset`` reads it), to keep
  or share the exact split.

Which images a class keeps: the first ones in the data set's order (file-name order
for folders, batch order for CIFAR). LDAM's reference code shuffles with numpy's
global seed first; taking a fixed prefix gives the same profile without a global RNG.
"""
from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from ..errors import UsageError
from .folder_listing import list_image_folder

Item = TypeVar('Item')


def _validate_imbalance(imbalance: float) -> float:
    if (isinstance(imbalance, bool) or not isinstance(imbalance, (int, float))
            or not math.isfinite(imbalance) or imbalance < 1):
        raise UsageError(f'imbalance must be a number >= 1 (n_max over the smallest class '
                         f'size, e.g. 10, 50 or 100), got {imbalance!r}')
    return float(imbalance)


def _validate_positive_int(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f'{name} must be a positive integer, got {value!r}')
    return value


def validate_long_tail_args(imbalance: float | None, n_max: int | None
                            ) -> tuple[float | None, int | None]:
    """Check a data set's ``imbalance`` / ``n_max`` arguments when the data set is built."""
    if imbalance is None:
        if n_max is not None:
            raise UsageError(f'n_max={n_max!r} needs imbalance as well (it sets the images '
                             'of class 0 of a long-tailed split); got imbalance=None')
        return None, None
    _validate_imbalance(imbalance)
    if n_max is not None:
        _validate_positive_int('n_max', n_max)
    return imbalance, n_max


def long_tail_counts(n_max: int, imbalance: float, num_classes: int) -> list[int]:
    """Images per class of the exponential profile, largest (class 0) first.

    Args:
        n_max (int): images kept by class 0.
        imbalance (float): n_max over the last class's count; >= 1 (1 is balanced).
        num_classes (int): number of classes C.

    Returns:
        list[int]: ``int(n_max * (1/imbalance) ** (k / (C - 1)))`` for k = 0..C-1, the
        rounding of LDAM's reference code.
    """
    _validate_positive_int('n_max', n_max)
    _validate_positive_int('num_classes', num_classes)
    factor = 1.0 / _validate_imbalance(imbalance)
    if num_classes == 1:
        return [n_max]
    counts = [int(n_max * factor ** (k / (num_classes - 1))) for k in range(num_classes)]
    if counts[-1] < 1:
        raise UsageError(f'n_max {n_max} with imbalance {imbalance:g} leaves class '
                         f'{counts.index(0)} with no images; raise n_max or lower imbalance')
    return counts


def class_sizes(labels: Sequence[int]) -> list[int]:
    """Images per class ``0..max(labels)`` (zero for a class with none)."""
    counter = Counter(int(label) for label in labels)
    return [counter.get(k, 0) for k in range(max(counter) + 1)] if counter else []


def take_long_tail(samples: Sequence[tuple[Item, int]], imbalance: float,
                   n_max: int | None = None) -> list[tuple[Item, int]]:
    """The long-tailed subset of ``(item, label)`` pairs, in their original order.

    Args:
        samples: ``(item, label)`` pairs with labels 0..C-1.
        imbalance (float): n_max over the last class's count; must be >= 1.
        n_max (int, optional): images of class 0. Defaults to None: the smallest class
            size, so every class can supply its share.

    Raises:
        ValueError: for an imbalance below 1, a class missing from ``samples``, or a
            class with fewer images than its share.
    """
    _validate_imbalance(imbalance)
    sizes = class_sizes([label for _, label in samples])
    if 0 in sizes:
        raise UsageError(f'class {sizes.index(0)} has no images; a long-tailed split needs '
                         f'labels 0..{len(sizes) - 1} all present')
    n_max = min(sizes) if n_max is None else _validate_positive_int('n_max', n_max)
    counts = long_tail_counts(n_max, imbalance, len(sizes))
    short = [k for k, (have, need) in enumerate(zip(sizes, counts, strict=True))
             if have < need]
    if short:
        k = short[0]
        raise UsageError(f'n_max {n_max} with imbalance {imbalance:g} needs {counts[k]} '
                         f'images of class {k}, which has {sizes[k]}; lower n_max (default: '
                         'the smallest class size)')
    taken: Counter = Counter()
    chosen = []
    for item, label in samples:
        if taken[label] < counts[label]:
            chosen.append((item, label))
            taken[label] += 1
    return chosen


def write_long_tail_list(data_root: str | Path, split: str, imbalance: float, out: str | Path,
                         n_max: int | None = None) -> list[int]:
    """Write the long-tailed split of an ImageFolder as ``relative/path label`` lines.

    Paths are relative to ``data_root`` (``train/<class>/<image>``), the layout of
    ImageNet-LT's published lists, so ``ImageListDataset(data_root, ann_file=out)``
    reads it. Returns the images per class.
    """
    data_root = Path(data_root)
    _, samples = list_image_folder(data_root / split)
    chosen = take_long_tail(samples, imbalance, n_max)
    lines = [f'{path.relative_to(data_root).as_posix()} {label}' for path, label in chosen]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text('\n'.join(lines) + '\n')
    return class_sizes([label for _, label in chosen])


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'long-tail', help='write an exponentially imbalanced split list of an ImageFolder',
        description='Write the long-tailed (CIFAR-10-LT style) split of DATA_ROOT/SPLIT as a '
                    '"relative/path label" list that ImageListDataset reads: class k keeps '
                    'n_max * (1/imbalance)^(k/(C-1)) images.')
    parser.add_argument('data_root', help='folder holding SPLIT/<class>/<image>')
    parser.add_argument('--split', default='train', help='sub-folder to subsample')
    parser.add_argument('--imbalance', type=float, required=True,
                        help='largest over smallest class size, >= 1 (e.g. 10, 50, 100)')
    parser.add_argument('--n-max', type=int, help='images of class 0 (default: the '
                                                  'smallest class size)')
    parser.add_argument('--out', required=True, help='list file to write')
    parser.add_argument('--json', action='store_true', help='print the counts as JSON')
    parser.set_defaults(func=main)
    return parser


def main(args: argparse.Namespace) -> int:
    counts = write_long_tail_list(args.data_root, args.split, args.imbalance, args.out,
                                  n_max=args.n_max)
    if args.json:
        print(json.dumps({'out': str(args.out), 'class_sizes': counts, 'total': sum(counts)}))
    else:
        print(f'wrote {args.out}: {sum(counts)} images, {len(counts)} classes, '
              f'{counts[0]} down to {counts[-1]} per class')
    return 0
