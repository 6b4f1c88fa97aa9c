"""DaR in mmpretrain configs: classification heads that record per-sample losses.

mmpretrain is an optional extra (``pip install -e .[mmpretrain]``), so ``import
dar_transfer`` never imports it; this sub-package does, and only a config that asks for
it imports it::

    custom_imports = dict(imports=['dar_transfer', 'dar_transfer.mmpretrain'])
    model = dict(head=dict(type='DaRLinearClsHead'))

Importing it registers ``DaRClsHead``, ``DaRLinearClsHead``, ``DaRStackedLinearClsHead``
and ``DaRVisionTransformerClsHead`` in mmpretrain's ``MODELS`` registry. Without a
usable mmpretrain it raises :class:`MissingExtraError`, which names the extra to install.
"""
from .compat import MissingExtraError, require_mmpretrain

require_mmpretrain()

from .heads import (  # noqa: E402  (only once mmpretrain is known to import)
    DaRClsHead,
    DaRLinearClsHead,
    DaRStackedLinearClsHead,
    DaRVisionTransformerClsHead,
    sample_indices,
)

__all__ = ['DaRClsHead', 'DaRLinearClsHead', 'DaRStackedLinearClsHead',
           'DaRVisionTransformerClsHead', 'MissingExtraError', 'require_mmpretrain',
           'sample_indices']
