# CIFAR-10-LT resnet32 with DaR at 83% of the baseline's cost (see the dar base for how).
_base_ = ['./resnet32_1xb128-200e_cifar10-lt.py', '../_base_/dar/cifar10_lt_cost083.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
