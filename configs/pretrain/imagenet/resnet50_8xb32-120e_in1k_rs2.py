# ImageNet-1k resnet50 with RS2 at 86% of the baseline's cost; see the base for how.
_base_ = ['./resnet50_8xb32-120e_in1k.py', '../_base_/dar/imagenet_rs2.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
