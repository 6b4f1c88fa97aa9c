"""Let torch's weights-only loader read mmengine 0.10.7 training checkpoints.

torch >= 2.6 loads with ``weights_only=True``; mmengine's checkpoints pickle its
message hub (``HistoryBuffer`` objects holding numpy arrays), so ``resume=True`` fails
with an UnpicklingError. Rather than switch weights-only loading off for every file
the process reads, we allow-list exactly the types those checkpoints hold (the list
measured in DESIGN.md). Exported backbones are tensors only and need none of this.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


def mmengine_checkpoint_globals() -> list:
    from mmengine.logging.history_buffer import HistoryBuffer

    multiarray = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    return [HistoryBuffer, multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype,
            getattr, np.dtypes.Float64DType, np.dtypes.Int64DType, np.dtypes.Float32DType,
            np.dtypes.UInt8DType]


def allow_mmengine_checkpoints() -> None:
    """Add mmengine's checkpoint types to torch's weights-only allow-list (idempotent)."""
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())


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
        raise ValueError(f'{what} {path} is not a torch checkpoint (no zip or pickle header: '
                         f'it starts with {head!r}); pass a .pth file written by torch.save '
                         'or an mmengine run')
    return path
