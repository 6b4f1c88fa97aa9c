"""mmengine's message hub as plain values in a checkpoint, and back.

mmengine 0.10.7 pickles its message hub's ``HistoryBuffer`` objects (numpy arrays and
four statistics functions) into every checkpoint, so reading one needs a wider
allow-list than torch's weights-only default. Stored as lists and numbers instead, a
checkpoint holds only what torch reads by default; the buffers are rebuilt on load,
before mmengine's ``resume`` hands them to the hub. Pure functions: no runner, no I/O.
"""
from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np
from mmengine.logging.history_buffer import HistoryBuffer

from ..errors import UsageTypeError

PLAIN_BUFFER_KEY = 'dar_transfer.history_buffer'
PLAIN_BUFFER_VERSION = 1


def plain_message_hub(state: dict) -> dict:
    """A copy of ``MessageHub.state_dict()`` with only plain Python values.

    Raises:
        TypeError: a runtime-info value that is neither plain nor numpy; the message
            names the key, since the checkpoint could not be read back safely.
    """
    scalars = {key: _plain_buffer(value) if isinstance(value, HistoryBuffer) else value
               for key, value in state.get('log_scalars', {}).items()}
    info = {key: _plain_value(value, f'message_hub.runtime_info[{key!r}]')
            for key, value in state.get('runtime_info', {}).items()}
    # mmengine lists every key in resumed_keys, saved or not, and warns on resume about
    # each unsaved one ("dar/loss_recorder is not defined in message_hub"); keep only the
    # keys whose values the checkpoint holds.
    resumed = {key: flag for key, flag in state.get('resumed_keys', {}).items() if flag}
    return {**state, 'log_scalars': scalars, 'runtime_info': info, 'resumed_keys': resumed}


def restore_message_hub(checkpoint: Any) -> Any:
    """Rebuild the ``HistoryBuffer`` objects that :func:`plain_message_hub` flattened,
    in place; any other content is left as it is."""
    hub = checkpoint.get('message_hub') if isinstance(checkpoint, dict) else None
    scalars = hub.get('log_scalars') if isinstance(hub, dict) else None
    if not isinstance(scalars, dict):
        return checkpoint
    for key, value in scalars.items():
        if isinstance(value, dict) and value.get(PLAIN_BUFFER_KEY) == PLAIN_BUFFER_VERSION:
            scalars[key] = HistoryBuffer(value['log_history'], value['count_history'],
                                         value['max_length'])
    return checkpoint


def _plain_buffer(buffer: HistoryBuffer) -> dict:
    log_history, count_history = buffer.data
    return {PLAIN_BUFFER_KEY: PLAIN_BUFFER_VERSION, 'log_history': log_history.tolist(),
            'count_history': count_history.tolist(), 'max_length': buffer.max_length}


def _plain_value(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if isinstance(value, Number):
        return value
    if isinstance(value, (list, tuple)):
        items = [_plain_value(item, f'{where}[{i}]') for i, item in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {k: _plain_value(v, f'{where}[{k!r}]') for k, v in value.items()}
    if hasattr(value, 'detach'):  # a tensor: torch's default allow-list reads it
        return value
    raise UsageTypeError(f'{where} is a {type(value).__name__}; a checkpoint stores only plain '
                    'values, numpy values and tensors in the message hub (update it with '
                    'a number or a string instead)')
