"""Checkpoints crafted the way an attacker would, each with a payload that writes a file.

Every payload here is real: loaded with the allow-list dar-transfer used before (which
added ``builtins.getattr`` for the whole process), the first and the third ran their
code on ``pretrain --resume``. A test asserts that the file the payload would write
never appears.
"""
from __future__ import annotations

import copyreg
from pathlib import Path

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer


def payload_code(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('pwned')"


class _Reduce:
    """Pickles as ``func(*args)``; ``func`` may itself be a _Reduce (evaluated first)."""

    def __init__(self, func, *args) -> None:
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args

    def __call__(self, *args):  # pickle asks only that the reduced function be callable
        raise TypeError('a crafted stand-in, never called here')


def _eval_via_getattr_walk() -> _Reduce:
    # getattr(getattr, '__self__') is the builtins module; its 'eval' is eval.
    builtins_module = _Reduce(getattr, getattr, '__self__')
    return _Reduce(getattr, builtins_module, 'eval')


class _HostileHistoryBuffer:
    """Pickles as an mmengine HistoryBuffer whose state plants an instance
    ``__reduce_ex__``; ``copy.deepcopy`` (mmengine's resume) calls it with 4."""

    def __init__(self, reduce_ex) -> None:
        self.reduce_ex = reduce_ex

    @property
    def __class__(self):  # what pickle checks before it writes NEWOBJ with HistoryBuffer
        return HistoryBuffer

    def __reduce__(self):
        state = {'max_length': 10, '_log_history': np.array([1.0]),
                 '_count_history': np.array([1]), '__reduce_ex__': self.reduce_ex}
        return copyreg.__newobj__, (HistoryBuffer,), state


def _checkpoint(runtime_info: dict, log_scalars: dict | None = None) -> dict:
    return {'meta': {'epoch': 1, 'iter': 1},
            'state_dict': {'net.conv1.weight': torch.zeros(2, 3, 3, 3)},
            'message_hub': {'log_scalars': log_scalars or {}, 'runtime_info': runtime_info,
                            'resumed_keys': {}}}


def getattr_walk_checkpoint(path: Path, marker: Path) -> Path:
    """``eval`` reached through ``getattr(getattr, '__self__')``, planted in runtime_info."""
    call = _Reduce(_eval_via_getattr_walk(), payload_code(marker))
    torch.save(_checkpoint({'note': call}), path)
    return path


def os_system_checkpoint(path: Path, marker: Path) -> Path:
    """A plain ``os.system`` global."""
    import os

    call = _Reduce(os.system, f"python3 -c \"{payload_code(marker)}\"")
    torch.save(_checkpoint({'note': call}), path)
    return path


def hostile_history_buffer_checkpoint(path: Path, marker: Path) -> Path:
    """A HistoryBuffer whose instance ``__reduce_ex__`` is the bound ``get`` of a dict that
    maps 4 to ``(eval, (code,))``, with ``eval`` reached by the getattr walk."""
    table = {4: (_eval_via_getattr_walk(), (payload_code(marker),))}
    bound_get = _Reduce(getattr, table, 'get')
    torch.save(_checkpoint({}, {'train/loss': _HostileHistoryBuffer(bound_get)}), path)
    return path


def extra_state_history_buffer_checkpoint(path: Path) -> Path:
    """A HistoryBuffer with an unexpected attribute built only from allowed types."""
    torch.save(_checkpoint({}, {'train/loss': _HostileHistoryBuffer(np.ndarray)}), path)
    return path


HOSTILE = {
    'getattr-walk': getattr_walk_checkpoint,
    'os-system': os_system_checkpoint,
    'history-buffer': hostile_history_buffer_checkpoint,
}
