# ImageNet-LT resnet10 with DaR at 86% of the baseline's cost (see the dar base for how).
_base_ = ['./resnet10_8xb64-90e_imagenet-lt.py', '../_base_/dar/imagenet_lt_cost086.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
