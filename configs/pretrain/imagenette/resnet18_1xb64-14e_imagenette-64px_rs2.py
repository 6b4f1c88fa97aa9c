# Imagenette resnet18 with RS2 at 83% of the baseline's cost; see the base for how.
_base_ = ['./resnet18_1xb64-14e_imagenette-64px.py', '../_base_/dar/imagenette_14e_rs2.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
