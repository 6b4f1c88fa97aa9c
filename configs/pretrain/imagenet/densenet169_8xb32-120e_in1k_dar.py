# ImageNet-1k densenet169 with DaR at 86% of the baseline's cost (see the dar base for how).
_base_ = ['./densenet169_8xb32-120e_in1k.py', '../_base_/dar/imagenet_cost086.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
