"""CIFAR networks the paper uses and torchvision lacks: He et al.'s CIFAR ResNets
(ResNet-20, -32 (the long-tail papers' CIFAR-LT net) ... ResNet-110 basic, ResNet-164
bottleneck) and DenseNet-BC-100.

torchvision has no CIFAR variants: these have a 3x3 stem without max-pooling, three
stages of 16/32/64 base channels, and depth 6n+2 (basic blocks) or 9n+2 (bottlenecks,
4x expansion). Module names follow torchvision's ResNet (``conv1``, ``bn1``,
``layer1..3``, ``downsample``, ``fc``) so their state dicts read the same way.
References: He et al., "Deep Residual Learning for Image Recognition" (2016), sec. 4.2;
"Identity Mappings in Deep Residual Networks" (2016) for ResNet-164.
"""
from __future__ import annotations

from torch import nn
from torchvision.models.densenet import DenseNet
from torchvision.models.resnet import BasicBlock, Bottleneck

from ..errors import UsageError


class CifarResNet(nn.Module):
    """A CIFAR ResNet with ``depth`` layers; projection shortcuts where shapes change.

    Args:
        depth (int): 6n+2 for ``block='basic'``, 9n+2 for ``block='bottleneck'``.
        num_classes (int): Defaults to 10.
        block (str): ``'basic'`` or ``'bottleneck'``. Defaults to ``'basic'``.
    """

    def __init__(self, depth: int, num_classes: int = 10, *, block: str = 'basic') -> None:
        super().__init__()
        block_cls, per_block = {'basic': (BasicBlock, 6), 'bottleneck': (Bottleneck, 9)}[block]
        if (depth - 2) % per_block:
            raise UsageError(f'a CIFAR ResNet with {block} blocks needs depth {per_block}n+2, '
                             f'got {depth}')
        blocks = (depth - 2) // per_block
        self.inplanes = 16
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(block_cls, 16, blocks, stride=1)
        self.layer2 = self._make_layer(block_cls, 32, blocks, stride=2)
        self.layer3 = self._make_layer(block_cls, 64, blocks, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64 * block_cls.expansion, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def _make_layer(self, block_cls, planes: int, blocks: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * block_cls.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block_cls.expansion, 1, stride=stride,
                          bias=False),
                nn.BatchNorm2d(planes * block_cls.expansion))
        layers = [block_cls(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block_cls.expansion
        layers += [block_cls(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).flatten(1))


def cifar_resnet20(num_classes: int = 10) -> CifarResNet:
    return CifarResNet(20, num_classes)


def cifar_resnet32(num_classes: int = 10) -> CifarResNet:
    """ResNet-32: the CIFAR-10/100-LT backbone of the long-tail literature (LDAM)."""
    return CifarResNet(32, num_classes)


def cifar_resnet110(num_classes: int = 10) -> CifarResNet:
    return CifarResNet(110, num_classes)


def cifar_resnet164(num_classes: int = 10) -> CifarResNet:
    return CifarResNet(164, num_classes, block='bottleneck')


def cifar_densenet_bc100(num_classes: int = 10) -> nn.Module:
    """DenseNet-BC-100 with growth rate 12 (Huang et al. 2017, CIFAR setting).

    torchvision's DenseNet with three 16-layer bottleneck blocks, compression 0.5 and a
    CIFAR stem: a 3x3 convolution to 2k = 24 channels without the stride-2 max-pool.
    Keeps torchvision's key names (``features.denseblock1...``, ``classifier``).
    """
    model = DenseNet(growth_rate=12, block_config=(16, 16, 16), num_init_features=24,
                     bn_size=4, num_classes=num_classes)
    model.features.conv0 = nn.Conv2d(3, 24, 3, padding=1, bias=False)
    nn.init.kaiming_normal_(model.features.conv0.weight)
    model.features.pool0 = nn.Identity()
    return model


CIFAR_ARCHS = {'cifar_resnet20': cifar_resnet20, 'cifar_resnet32': cifar_resnet32,
               'cifar_resnet110': cifar_resnet110,
               'cifar_resnet164': cifar_resnet164, 'cifar_densenet_bc100': cifar_densenet_bc100}
