"""A cheap first check of a checkpoint path: it exists and looks like a torch file.

What a file may hold is decided by :mod:`dar_transfer.utils.checkpoint_loading`.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

# torch.save writes a zip archive since torch 1.6, a pickle stream before.
CHECKPOINT_MAGIC = (b'PK\x03\x04', b'\x80')


def check_checkpoint_file(path: str | Path, *, what: str = 'checkpoint') -> Path:
    """Fail early, naming the file, when ``path`` is missing or not a torch checkpoint.

    Reads only the first bytes: torch's own loader meets a text file with errors such
    as ``KeyError: 101`` that do not say what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'{what} {path} not found')
    with path.open('rb') as file:
        head = file.read(4)
    if not head.startswith(CHECKPOINT_MAGIC):
        raise UsageError(f'{what} {path} is not a torch checkpoint (no zip or pickle header: '
                         f'it starts with {head!r}); pass a .pth file written by torch.save '
                         'or an mmengine run')
    return path
