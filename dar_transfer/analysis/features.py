"""Penultimate features of a classifier checkpoint on an evaluation split.

Reads the two checkpoint layouts users have: a dar-transfer pretrain checkpoint
(mmengine, ``state_dict`` under ``net.``, the model config in ``meta['cfg']``, which
gives the arch, the class count and the normalisation) and a plain torchvision-style
state dict (which carries no architecture: the caller names it). Images come from an
ImageFolder split (``DATA_ROOT/SPLIT/<class>/<image>``) or torchvision's CIFAR pickles,
are decoded batch by batch (no augmentation) and go through the network in eval mode;
the input of its last linear layer is the feature.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from mmengine.config import Config
from PIL import Image
from torch import nn

from ..errors import UsageError
from ..export.source import load_checkpoint_file
from ..pretrain.classifier import build_classifier
from ..pretrain.folder_listing import list_image_folder

logger = logging.getLogger('dar_transfer')

# Normalisation (0-255 scale, RGB) for state dicts without a config: our CIFAR configs'
# and torchvision's ImageNet values.
CIFAR_NORM = ((125.3, 123.0, 113.9), (63.0, 62.1, 66.7))
IMAGENET_NORM = ((123.675, 116.28, 103.53), (58.395, 57.12, 57.375))
# Evaluation resize: shorter side to size / 0.875 (256 for 224), then the center crop.
CROP_RATIO = 0.875


@dataclass
class LoadedClassifier:
    """A classifier network in eval mode and how its inputs are normalised."""

    net: nn.Module
    arch: str
    kind: str
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    bgr: bool = False


@dataclass
class SplitImages:
    """An evaluation split: image paths (or in-memory CIFAR images) and labels."""

    labels: np.ndarray
    classes: list[str]
    paths: list[Path] | None = None
    images: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.labels)


def _model_config(content: dict, path: Path) -> dict | None:
    """The ``model`` dict of a dar-transfer checkpoint's config, if it carries one."""
    meta = content.get('meta')
    text = meta.get('cfg') if isinstance(meta, dict) else None
    if not isinstance(text, str):
        return None
    model = Config.fromstring(text, '.py').get('model')
    if not isinstance(model, dict) or model.get('type') != 'ImageClassifier':
        kind = model.get('type') if isinstance(model, dict) else 'model-less'
        raise UsageError(f'{path} is a {kind} checkpoint, not a classifier; features reads '
                         'dar-transfer ImageClassifier checkpoints and torchvision-style '
                         'classifier state dicts')
    return dict(model)


def _last_linear(net: nn.Module, path: Path, arch: str) -> tuple[str, nn.Linear]:
    linears = [(name, m) for name, m in net.named_modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise UsageError(f'arch {arch!r} has no linear classifier layer; features needs one '
                         f'to take its input ({path})')
    return linears[-1]


def load_classifier(path: str | Path, arch: str | None = None, *,
                    trusted: bool = False) -> LoadedClassifier:
    """Build the classifier a checkpoint holds and load its weights (strictly).

    Args:
        path: a dar-transfer pretrain checkpoint or a torchvision-style state dict.
        arch: the architecture of a plain state dict (``'resnet18'``,
            ``'cifar_resnet110'``, ``'resnet10'``); a dar-transfer checkpoint's config
            names its own, which wins (so one call can mix both kinds). Defaults to None.

    Raises:
        ValueError: for a file that is not a checkpoint, a checkpoint of something other
            than a classifier, a missing ``arch``, or weights that do not fit it.
    """
    path = Path(path)
    content = load_checkpoint_file(path, trusted=trusted)
    model_cfg = _model_config(content, path)
    weights = content.get('state_dict', content)
    tensors = {k: v for k, v in weights.items() if isinstance(v, torch.Tensor)}
    if not tensors:
        raise UsageError(f'{path} holds no tensors: not a model checkpoint')
    if any(k.startswith('net.') for k in tensors):
        tensors = {k[len('net.'):]: v for k, v in tensors.items() if k.startswith('net.')}
    kind = 'dar-transfer' if model_cfg is not None else 'torchvision'
    if model_cfg is not None:  # its config names the arch; ``arch`` is for plain files
        if arch is not None and arch != model_cfg.get('arch', 'resnet50'):
            logger.info('%s: using the arch of its config, %s (not %s)', path,
                        model_cfg.get('arch', 'resnet50'), arch)
        arch = model_cfg.get('arch', 'resnet50')
    elif arch is None:
        raise UsageError(f'{path} is a plain state dict with no config, so its architecture '
                         'is unknown; pass --arch (e.g. resnet18, resnet10, cifar_resnet110)')
    arch_kwargs = dict((model_cfg or {}).get('arch_kwargs') or {})
    net = build_classifier(arch, 1000, **arch_kwargs)
    head, _ = _last_linear(net, path, arch)
    if f'{head}.weight' not in tensors:
        raise UsageError(f'{path} is not a classifier checkpoint for {arch}: it has no '
                         f'{head}.weight (an exported backbone, a detector?); keys start '
                         f'{", ".join(sorted(tensors)[:3])}')
    num_classes = tensors[f'{head}.weight'].shape[0]
    net = build_classifier(arch, num_classes, **arch_kwargs)
    try:
        result = net.load_state_dict(tensors, strict=False)
    except RuntimeError as error:  # shapes that differ
        lines = str(error).splitlines()
        raise UsageError(f'{path} does not fit arch {arch}: '
                         f'{" ".join(line.strip() for line in lines[1:3])}') from error
    if result.missing_keys or result.unexpected_keys:
        raise UsageError(f'{path} does not fit arch {arch}: missing keys '
                         f'{result.missing_keys[:3]}, unexpected keys '
                         f'{result.unexpected_keys[:3]}')
    mean, std = CIFAR_NORM if arch.startswith('cifar_') else IMAGENET_NORM
    bgr = False
    preprocessor = (model_cfg or {}).get('data_preprocessor') or {}
    if 'mean' in preprocessor and 'std' in preprocessor:
        mean, std = tuple(preprocessor['mean']), tuple(preprocessor['std'])
        # mmcv's loader gives BGR; mmengine's preprocessor normalises after any swap.
        bgr = (preprocessor.get('type') == 'ImgDataPreprocessor'
               and not preprocessor.get('bgr_to_rgb', False))
    return LoadedClassifier(net.eval(), arch, kind, mean, std, bgr)


def read_split(data_root: str | Path, split: str = 'test') -> SplitImages:
    """An ImageFolder split, or the CIFAR split when ``data_root`` holds the pickles."""
    from ..pretrain.cifar import LAYOUTS, CIFARDataset

    data_root = Path(data_root)
    for variant, (folder, *_rest) in LAYOUTS.items():
        if (data_root / folder).is_dir():
            dataset = CIFARDataset(str(data_root), variant=variant, split=split)
            labels = np.array([dataset.get_data_info(i)['gt_label']
                               for i in range(len(dataset))])
            return SplitImages(labels, list(dataset.metainfo['classes']),
                               images=dataset.images)
    classes, samples = list_image_folder(data_root / split)
    return SplitImages(np.array([label for _, label in samples]), classes,
                       paths=[path for path, _ in samples])


def _decode(path: Path, image_size: int | None) -> torch.Tensor:
    image = Image.open(path).convert('RGB')
    if image_size is not None:
        short = round(image_size / CROP_RATIO)
        width, height = image.size
        scale = short / min(width, height)
        image = image.resize((max(1, round(width * scale)), max(1, round(height * scale))),
                             Image.BILINEAR)
        width, height = image.size
        left, top = (width - image_size) // 2, (height - image_size) // 2
        image = image.crop((left, top, left + image_size, top + image_size))
    return torch.from_numpy(np.asarray(image).copy()).permute(2, 0, 1)


def image_batches(split: SplitImages, batch_size: int, image_size: int | None
                  ) -> Iterator[torch.Tensor]:
    """uint8 (B, 3, H, W) batches in the split's order."""
    for start in range(0, len(split), batch_size):
        if split.images is not None:
            yield split.images[start:start + batch_size]
            continue
        images = [_decode(p, image_size) for p in split.paths[start:start + batch_size]]
        shapes = {tuple(i.shape) for i in images}
        if len(shapes) > 1:
            raise UsageError(f'images of several sizes ({sorted(shapes)[:3]}); pass '
                             '--image-size to resize and center-crop them')
        yield torch.stack(images)


@torch.inference_mode()
def extract_features(model: LoadedClassifier, split: SplitImages, *, batch_size: int = 256,
                     image_size: int | None = None) -> np.ndarray:
    """(N, D) float32 inputs of the classifier's last linear layer, eval mode."""
    _, head = _last_linear(model.net, Path('?'), model.arch)
    captured: list[torch.Tensor] = []
    handle = head.register_forward_pre_hook(lambda _m, args: captured.append(args[0]))
    mean = torch.tensor(model.mean).view(1, 3, 1, 1)
    std = torch.tensor(model.std).view(1, 3, 1, 1)
    # Channels-last convolutions: about 1.25x faster for a CIFAR ResNet-110 on our CPUs.
    net = model.net.to(memory_format=torch.channels_last)
    chunks = []
    try:
        for batch in image_batches(split, batch_size, image_size):
            inputs = batch.float()
            if model.bgr:
                inputs = inputs.flip(1)
            net(((inputs - mean) / std).contiguous(memory_format=torch.channels_last))
            chunks.append(captured.pop().flatten(1).float())
    finally:
        handle.remove()
    return torch.cat(chunks).numpy()
