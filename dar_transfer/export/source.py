"""Read a classifier checkpoint in any of the layouts users have, as torchvision keys.

Accepted: a pretrain checkpoint of this toolkit (mmengine, model keys under ``net.``),
a plain torchvision state dict (``resnet50-*.pth``), and an mmengine/mmpretrain
classifier checkpoint (backbone keys under ``backbone.``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..errors import UsageError
from ..utils.checkpoint_loading import load_checkpoint

# Prefix of the backbone keys in each checkpoint kind, tried in this order.
PREFIXES = {'dar-transfer': 'net.', 'mmpretrain': 'backbone.', 'torchvision': ''}


@dataclass
class SourceWeights:
    """A classifier's weights in torchvision's key layout, and where they came from."""

    state_dict: dict[str, torch.Tensor]
    kind: str
    path: Path
    sha256: str
    meta: dict = field(default_factory=dict)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open('rb') as file:
        for chunk in iter(lambda: file.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def load_checkpoint_file(path: Path, *, trusted: bool = False) -> dict:
    """A checkpoint's content through the one safe loader; it must be a dict."""
    content = load_checkpoint(path, trusted=trusted)
    if not isinstance(content, dict):
        raise UsageError(f'{path} holds a {type(content).__name__}, not a state dict')
    return content


def read_source(path: str | Path, *, trusted: bool = False) -> SourceWeights:
    path = Path(path)
    content = load_checkpoint_file(path, trusted=trusted)
    weights = content.get('state_dict', content)
    tensors = {k: v for k, v in weights.items() if isinstance(v, torch.Tensor)}
    if not tensors:
        raise UsageError(f'{path} has no tensors to export')
    for kind, prefix in PREFIXES.items():
        picked = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        if picked and (prefix or kind == 'torchvision'):
            meta = content.get('meta', {}) if isinstance(content.get('meta'), dict) else {}
            return SourceWeights(state_dict=picked, kind=kind, path=path,
                                 sha256=sha256_of(path), meta=meta)
    raise ValueError(f'{path}: no backbone weights found')  # unreachable: '' matches all
