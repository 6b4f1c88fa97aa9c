"""``scoped_default_collate``: mmengine's ``default_collate`` for configs others inherit."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mmengine.dataset import default_collate
from mmengine.registry import FUNCTIONS


@FUNCTIONS.register_module()
def scoped_default_collate(data_batch: Sequence, _scope_: str | None = None) -> Any:
    """mmengine's ``default_collate``, also when the config was inherited by scope.

    Differs from ``default_collate`` only in taking ``_scope_``. mmengine 0.10.7's
    ``Runner.build_dataloader`` does not build ``collate_fn`` through the registry: it
    passes every key of the dict but ``type`` to the function. A config inherited as
    ``_base_ = 'dar_transfer::...'`` carries the key ``_scope_`` in every dict with a
    ``type`` (mmengine's rule for package bases), so ``default_collate`` fails with
    "unexpected keyword argument '_scope_'" in any runner. A collate function needs no
    registry scope: the key is ignored.

    Args:
        data_batch (Sequence): The samples of one batch, as ``default_collate`` takes.
        _scope_ (str, optional): The registry scope of an inherited config; unused.
            Defaults to None.
    """
    return default_collate(data_batch)
