# Imagenette resnet50 with DaR at 83% of the baseline's cost (see the dar base for how).
_base_ = ['./resnet50_1xb128-100e_imagenette-112px.py', '../_base_/dar/imagenette_100e_cost083.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
