# CIFAR10 resnet110 with the hard-example re-weighting control (cost 1.0); see the base for how.
_base_ = ['./resnet110_1xb128-300e_cifar10.py', '../_base_/dar/cifar10_reweight.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
