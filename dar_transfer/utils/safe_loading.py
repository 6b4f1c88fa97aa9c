"""Let torch's weights-only loader read mmengine 0.10.7 training checkpoints.

torch >= 2.6 loads with ``weights_only=True``; mmengine's checkpoints pickle its
message hub (``HistoryBuffer`` objects holding numpy arrays), so ``resume=True`` fails
with an UnpicklingError. Rather than switch weights-only loading off for every file
the process reads, we allow-list exactly the types those checkpoints hold (the list
measured in DESIGN.md). Exported backbones are tensors only and need none of this.
"""
from __future__ import annotations

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
