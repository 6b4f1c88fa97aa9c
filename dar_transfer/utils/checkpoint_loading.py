"""The one loader for every checkpoint file a user hands to dar-transfer.

A checkpoint is a pickle, and a pickle can name any callable. torch's weights-only
loader runs only an allow-list of globals; this module widens that list for one
``torch.load`` call at a time (``torch.serialization.safe_globals``), never for the
process. What it allows beyond torch's defaults is what mmengine training checkpoints
hold, each entry checked:

- numpy arrays, scalars and dtypes (the message hub's histories);
- ``HistoryBuffer``, resolved to :class:`CheckedHistoryBuffer`, which refuses any state
  but its three fields and the four default statistics;
- ``builtins.getattr``, resolved to :func:`history_buffer_statistic`, which returns only
  ``HistoryBuffer.min``, ``max``, ``current`` and ``mean`` (protocol-2 pickles write those
  four as ``getattr(HistoryBuffer, 'min')``) and refuses every other look-up, so
  ``getattr(getattr, '__self__')`` cannot walk to ``builtins.eval``.

Checkpoints that dar-transfer writes need none of this: ``WeightsOnlyCheckpointHook``
stores the message hub as plain values, which torch's defaults read. Anything else a
file names is refused before unpickling, with the opt-in that loads that one file in
full (``--trust-checkpoint FILE``).

mmengine loads ``load_from``, ``resume`` and ``init_cfg`` checkpoints itself; the
``dar-checked://`` and ``dar-trusted://`` schemes registered with its
``CheckpointLoader`` send those loads here too (see ``runner_setup.route_checkpoints``).
"""
from __future__ import annotations

import argparse
import logging
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

from ..errors import UsageError
from .message_hub_state import restore_message_hub
from .safe_loading import check_checkpoint_file

logger = logging.getLogger('dar_transfer')

CHECKED_SCHEME = 'dar-checked://'
TRUSTED_SCHEME = 'dar-trusted://'
HISTORY_BUFFER_NAME = 'mmengine.logging.history_buffer.HistoryBuffer'
STATISTICS = ('min', 'max', 'current', 'mean')
HISTORY_FIELDS = {'max_length', '_log_history', '_count_history', 'statistics_methods'}


class UntrustedCheckpointError(UsageError):
    """A checkpoint names something that could run code when it is read."""


class CheckedHistoryBuffer(HistoryBuffer):
    """What a pickled ``HistoryBuffer`` becomes while a checkpoint loads.

    The stock class's ``__setstate__`` copies any state into the instance and merges
    the pickled statistics into the class-wide table; a crafted file could plant an
    instance ``__reduce_ex__`` that ``copy.deepcopy`` (mmengine's resume) later calls.
    This one accepts only the stock fields with numeric arrays, and the four default
    statistics. :func:`load_checkpoint` turns it back into a plain ``HistoryBuffer``.
    """

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, dict) or not set(state) <= HISTORY_FIELDS:
            extra = sorted(set(state) - HISTORY_FIELDS) if isinstance(state, dict) else state
            raise pickle.UnpicklingError(
                f'a HistoryBuffer in the checkpoint holds unexpected state {extra!r}')
        for field in ('_log_history', '_count_history'):
            value = state.get(field)
            if not isinstance(value, np.ndarray) or value.dtype.kind not in 'biuf':
                raise pickle.UnpicklingError(
                    f'a HistoryBuffer in the checkpoint has a {field} that is not a numeric '
                    f'array ({type(value).__name__})')
        if not isinstance(state.get('max_length'), int):
            raise pickle.UnpicklingError('a HistoryBuffer in the checkpoint has a non-integer '
                                         'max_length')
        methods = state.get('statistics_methods', {})
        if not isinstance(methods, dict) or any(
                name not in STATISTICS or method is not getattr(HistoryBuffer, name)
                for name, method in methods.items()):
            raise pickle.UnpicklingError('a HistoryBuffer in the checkpoint registers '
                                         'statistics other than min, max, current and mean')
        self.__dict__.update({k: v for k, v in state.items() if k != 'statistics_methods'})

    def as_history_buffer(self) -> HistoryBuffer:
        return HistoryBuffer(self._log_history, self._count_history, self.max_length)


def history_buffer_statistic(owner: Any, name: Any) -> Any:
    """``builtins.getattr`` as a checkpoint may use it: the four default statistics only."""
    if owner in (HistoryBuffer, CheckedHistoryBuffer) and name in STATISTICS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'the checkpoint looks up attribute {name!r} of {type(owner).__name__} '
        f'{getattr(owner, "__name__", "")}; the only look-ups allowed are HistoryBuffer.'
        f'{"/".join(STATISTICS)}')


def training_state_globals() -> list:
    """What mmengine training checkpoints hold beyond torch's defaults, each entry safe."""
    multiarray = np._core.multiarray
    numpy_globals = [(multiarray._reconstruct, f'numpy.{core}.multiarray._reconstruct')
                     for core in ('_core', 'core')]
    numpy_globals += [(multiarray.scalar, f'numpy.{core}.multiarray.scalar')
                      for core in ('_core', 'core')]
    dtypes = [getattr(np.dtypes, name) for name in dir(np.dtypes) if name.endswith('DType')
              and name not in ('ObjectDType', 'VoidDType', 'StringDType')]
    return [*numpy_globals, np.ndarray, np.dtype, *dtypes,
            (CheckedHistoryBuffer, HISTORY_BUFFER_NAME),
            (history_buffer_statistic, 'builtins.getattr')]


def load_checkpoint(path: str | Path, *, map_location: Any = 'cpu', trusted: bool = False,
                    what: str = 'checkpoint') -> Any:
    """Read a user's checkpoint file without letting it run code.

    Args:
        path: the file.
        map_location: as for ``torch.load``. Defaults to ``'cpu'``.
        trusted: load with ``weights_only=False`` (a warning is logged): the user's
            explicit opt-in for one file (``--trust-checkpoint FILE``). Defaults to False.
        what: how error messages name the file (``'--resume checkpoint'``, ...).
            Defaults to ``'checkpoint'``.

    Raises:
        FileNotFoundError: no such file.
        UntrustedCheckpointError: the file names a global outside the allow-list, or a
            checked entry refused its content; the message names the file, the global
            and the opt-in.
        ValueError: the file is not a readable torch checkpoint.
    """
    path = check_checkpoint_file(path, what=what)
    if trusted:
        logger.warning('loading %s %s with weights_only=False (--trust-checkpoint): it can run '
                       'any code it holds', what, path)
        return _read(path, map_location=map_location, weights_only=False, what=what)
    with torch.serialization.safe_globals(training_state_globals()):
        refused = _refused_globals(path, what)
        if refused:
            raise UntrustedCheckpointError(_refusal(path, what, f'needs {", ".join(refused)}'))
        content = _read(path, map_location=map_location, weights_only=True, what=what)
    return _plain_history_buffers(restore_message_hub(content))


def _read(path: Path, *, map_location: Any, weights_only: bool, what: str) -> Any:
    try:
        return torch.load(path, map_location=map_location, weights_only=weights_only)
    except pickle.UnpicklingError as error:
        raise UntrustedCheckpointError(
            _refusal(path, what, f'was refused while loading: {_first_line(error)}')) from None
    except (RuntimeError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise UsageError(f'{what} {path} is not a readable torch checkpoint (truncated or '
                         f'corrupt?): {_first_line(error)}') from error


def _refused_globals(path: Path, what: str) -> list[str]:
    """The globals the file names that the allow-list lacks, read without unpickling."""
    if not zipfile.is_zipfile(path):  # the legacy format: torch.load's own check decides
        return []
    try:
        return sorted(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    except pickle.UnpicklingError as error:  # an opcode the weights-only loader lacks
        raise UntrustedCheckpointError(_refusal(path, what, f'is not a plain torch.save pickle '
                                                            f'({error})')) from None
    except (RuntimeError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise UsageError(f'{what} {path} is not a readable torch checkpoint (truncated or '
                         f'corrupt?): {_first_line(error)}') from error


def _refusal(path: Path, what: str, problem: str) -> str:
    return (f'{what} {path} {problem}. dar-transfer does not load it: a checkpoint that '
            'names other code can run it when read. Checkpoints of dar-transfer, mmengine '
            'and OpenMMLab need only tensors, numpy arrays and HistoryBuffer. If you made '
            f'this file yourself and trust it, rerun with --trust-checkpoint {path} (it is '
            'then loaded with weights_only=False)')


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    # torch wraps the unpickler's reason in advice about weights_only=False.
    text = text.split('WeightsUnpickler error:', 1)[-1].strip()
    return text.splitlines()[0] if text else type(error).__name__


def _plain_history_buffers(content: Any) -> Any:
    hub = content.get('message_hub') if isinstance(content, dict) else None
    scalars = hub.get('log_scalars') if isinstance(hub, dict) else None
    if isinstance(scalars, dict):
        for key, value in scalars.items():
            if isinstance(value, CheckedHistoryBuffer):
                scalars[key] = value.as_history_buffer()
    return content


@CheckpointLoader.register_scheme(prefixes=CHECKED_SCHEME)
def load_from_checked(filename: str, map_location: Any) -> Any:
    """mmengine's loader for ``dar-checked://PATH``: :func:`load_checkpoint` of PATH."""
    return load_checkpoint(filename[len(CHECKED_SCHEME):], map_location=map_location)


@CheckpointLoader.register_scheme(prefixes=TRUSTED_SCHEME)
def load_from_trusted(filename: str, map_location: Any) -> Any:
    """mmengine's loader for ``dar-trusted://PATH``: the user trusted this one file."""
    return load_checkpoint(filename[len(TRUSTED_SCHEME):], map_location=map_location,
                           trusted=True)


def add_trust_argument(parser: argparse.ArgumentParser) -> None:
    """``--trust-checkpoint FILE``: the one opt-in to load a file that names code."""
    parser.add_argument('--trust-checkpoint', action='append', default=[], metavar='FILE',
                        help='load FILE with weights_only=False, which lets it run code: only '
                             'for a checkpoint you made yourself that dar-transfer refused '
                             '(repeat for several files)')


def trusted_files(args: argparse.Namespace) -> set[Path]:
    return {Path(p).resolve() for p in getattr(args, 'trust_checkpoint', None) or []}


def check_trust_is_used(trusted: set[Path], loaded: list[str | Path]) -> None:
    """A ``--trust-checkpoint`` file that the command does not load is most likely a typo."""
    unused = trusted - {Path(p).resolve() for p in loaded}
    if unused:
        raise UsageError(f'--trust-checkpoint {", ".join(sorted(map(str, unused)))}: this '
                         'command loads no such file (it loads '
                         f'{", ".join(map(str, loaded)) or "no checkpoint"})')


def resolve_checkpoint(path: str) -> str:
    """A checkpoint file, or a pretraining work_dir: the checkpoint its last_checkpoint names."""
    folder = Path(path)
    if not folder.is_dir():
        return path
    pointer = folder / 'last_checkpoint'
    if not pointer.is_file():
        raise FileNotFoundError(f'{folder} is a folder without a last_checkpoint file; pass '
                                'a checkpoint file or a finished pretraining work_dir')
    return pointer.read_text().strip()
