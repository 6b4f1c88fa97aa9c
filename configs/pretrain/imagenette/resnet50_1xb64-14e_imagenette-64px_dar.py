# Imagenette resnet50 with DaR at 83% of the baseline's cost (see the dar base for how).
_base_ = ['./resnet50_1xb64-14e_imagenette-64px.py', '../_base_/dar/imagenette_14e_cost083.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
