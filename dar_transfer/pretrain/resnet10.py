"""ResNet-10: the long-tail papers' ImageNet-LT backbone, which torchvision lacks.

torchvision's ``ResNet`` with one ``BasicBlock`` per stage ([1, 1, 1, 1]): the
ImageNet stem (7x7 stride-2 convolution, max-pool), stages of 64/128/256/512
channels, global pooling and ``fc``. Built from torchvision's own classes, so its
state dict has torchvision's key names (``conv1``, ``layer1.0.conv1``, ``fc``) and
downstream readers treat it like a shallow ResNet-18.
Reference: Liu et al., "Large-Scale Long-Tailed Recognition in an Open World" (OLTR,
CVPR 2019), which introduced ImageNet-LT with this network; the DaR paper's Table 8
uses it.
"""
from __future__ import annotations

from torchvision.models.resnet import BasicBlock, ResNet

RESNET10_LAYERS = (1, 1, 1, 1)


def resnet10(num_classes: int = 1000, **kwargs) -> ResNet:
    """A randomly initialised ResNet-10 (BasicBlock, one block per stage).

    Args:
        num_classes (int): Defaults to 1000.
        **kwargs: passed to torchvision's ``ResNet`` (e.g. ``zero_init_residual``).
    """
    return ResNet(BasicBlock, list(RESNET10_LAYERS), num_classes=num_classes, **kwargs)
