# CIFAR10 resnet110 with RS2 at 83% of the baseline's cost; see the base for how.
_base_ = ['./resnet110_1xb128-300e_cifar10.py', '../_base_/dar/cifar10_rs2.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
