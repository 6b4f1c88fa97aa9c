"""Helpers shared by the converters: input checks, the seeded split, output folders, JSON.

Every converter reads a data set's published layout and writes what a library's own
dataset class reads. These helpers keep the parts they share in one place: the errors
that name the wrong file, the split by image, and the output folder that is never
overwritten unless it is one of ours.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import UsageError
from ..utils.provenance import MARKER, is_generated, mark_generated

# Written into every output folder; also what makes ``--overwrite`` allowed to clear it.
RECORD = 'conversion.json'
FORMAT_VERSION = 1


def require_dir(path: Path, what: str) -> Path:
    """``path`` if it is a folder; a ``FileNotFoundError`` naming it and ``what`` it holds."""
    if not path.is_dir():
        raise FileNotFoundError(f'{path}: no such folder (expected {what})')
    return path


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f'{path}: no such file (expected {what})')
    return path


def decoded_image(path: Path, what: str) -> Image.Image:
    """``path`` decoded in full; a ``UsageError`` naming the file if any of it is unreadable.

    Unlike ``Image.open``, which reads only the header (a PNG cut short still reports its
    size), every pixel is decoded here, so a damaged download fails in the converter that
    read it and not later inside the library that trains on it. Use it as a context
    manager (``with decoded_image(...) as image``) to close the file.
    """
    image = None
    try:
        image = Image.open(path)
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        if image is not None:
            image.close()
        raise UsageError(f'{path}: not a readable image ({type(error).__name__}: {error}); '
                         f'expected {what}: the file is damaged or cut short, copy it again '
                         'from the download') from error
    return image


def list_files(folder: Path, suffix: str, what: str) -> list[Path]:
    """The files of ``folder`` ending in ``suffix``, sorted by name; an error if none."""
    require_dir(folder, what)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(suffix))
    if not files:
        raise UsageError(f'{folder}: no *{suffix} files (expected {what})')
    return files


def check_fraction(val_fraction: float, count: int) -> None:
    if not 0 < val_fraction < 1:
        raise UsageError(f'--val-fraction must be in (0, 1), got {val_fraction}')
    if count < 2:
        raise UsageError(f'a train/val split needs at least 2 images, found {count}')


def split_by_image(names: Sequence[str], *, val_fraction: float,
                   seed: int) -> tuple[list[str], list[str]]:
    """A seeded train/val split of ``names``: ``round(val_fraction * n)`` go to val
    (at least 1, and at least 1 stays in train); both parts keep the sorted order.

    The permutation comes from a local generator, so the split depends only on the
    sorted names and the seed (not on the order the file system lists them in).
    """
    ordered = sorted(names)
    check_fraction(val_fraction, len(ordered))
    num_val = min(max(round(val_fraction * len(ordered)), 1), len(ordered) - 1)
    permutation = np.random.default_rng(seed).permutation(len(ordered))
    val = set(permutation[:num_val].tolist())
    return ([n for i, n in enumerate(ordered) if i not in val],
            [n for i, n in enumerate(ordered) if i in val])


def check_out_dir(out: Path, *, overwrite: bool) -> None:
    """Refuse an ``out`` that a conversion may not write into: a non-empty folder that
    holds no earlier conversion (its ``conversion.json``), or an earlier conversion
    without ``overwrite``. Called before reading the input, so the error comes at once."""
    if out.exists() and not out.is_dir():
        raise UsageError(f'--out {out} is a file, not a folder')
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not (out / RECORD).is_file():
        raise UsageError(f'--out {out} is not empty and holds no {RECORD} of an earlier '
                         'conversion: choose an empty or new folder')
    if not overwrite:
        raise UsageError(f'--out {out} already holds a conversion ({RECORD}): pass '
                         '--overwrite to replace it, or choose another folder')


def prepare_out_dir(out: Path, *, overwrite: bool, managed: Sequence[str]) -> Path:
    """Make ``out`` ready for a conversion without losing anybody's files: an empty or
    new folder is used as is; an earlier conversion (allowed by ``check_out_dir``) loses
    the converter's own entries ``managed``, and nothing else."""
    check_out_dir(out, overwrite=overwrite)
    out.mkdir(parents=True, exist_ok=True)
    for name in (*managed, RECORD, MARKER):
        entry = out / name
        if entry.is_dir():
            shutil.rmtree(entry)
        elif entry.exists():
            entry.unlink()
    return out


def write_json(path: Path, content: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))
    return path


def write_record(out: Path, *, dataset: str, raw_dir: Path, counts: dict,
                 settings: dict) -> Path:
    """``conversion.json``: what was converted from where, with which settings, and the
    counts written (the numbers docs/guides/real-data.md and the tests quote). Converting generated
    data passes its marker on, so runs on the output are labelled toy runs too."""
    if is_generated(raw_dir):
        mark_generated(out, generator=f'dar-transfer data {dataset} of {raw_dir}')
    record = {'format_version': FORMAT_VERSION, 'dataset': dataset,
              'raw_dir': str(raw_dir.resolve()), 'settings': settings, 'counts': counts}
    (out / RECORD).write_text(json.dumps(record, indent=2) + '\n')
    return out / RECORD


def copy_files(files: Sequence[Path], folder: Path) -> None:
    """Copy ``files`` into ``folder`` under their own names (copies, not links: the
    output must stay valid when the raw download is deleted or edited)."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in files:
        shutil.copyfile(source, folder / source.name)
