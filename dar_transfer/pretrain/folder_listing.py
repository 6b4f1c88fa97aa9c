"""Listing an ImageFolder split (``<split>/<class>/<image>``), shared by the datasets that
read one and by the long-tail list writer; no torch, so the writer's CLI stays light."""
from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

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
        raise UsageError(f'class folders of {split_dir} differ from the expected classes: '
                         f'missing {missing[:5]}, unexpected {extra[:5]}')
    samples = []
    for label, name in enumerate(found):
        files = sorted(p for p in (split_dir / name).iterdir()
                       if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise FileNotFoundError(f'class folder {split_dir / name} holds no images')
        samples += [(path, label) for path in files]
    return found, samples
