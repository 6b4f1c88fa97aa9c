"""The shared CIFAR-10 training archive, unpacked once into the cache for the benchmarks."""
from __future__ import annotations

import os
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = REPO.parent / 'shared' / 'data' / 'cifar10-train-jpeg.tar.gz'
CACHE = Path(os.environ.get('DAR_CACHE', Path.home() / '.cache' / 'dar-transfer'))


def extract(archive: Path) -> Path:
    """Unpack the archive once into the cache (never into the repository)."""
    root = CACHE / 'cifar10-jpeg'
    if not (root / 'train').is_dir():
        if not archive.exists():
            raise FileNotFoundError(f'{archive} not found; pass --archive')
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(root, filter='data')
    return root
