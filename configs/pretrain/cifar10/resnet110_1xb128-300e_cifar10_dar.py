# CIFAR10 resnet110 with DaR at 83% of the baseline's cost (see the dar base for how).
_base_ = ['./resnet110_1xb128-300e_cifar10.py', '../_base_/dar/cifar10_cost083.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
