# Imagenette resnet18 with InfoBatch at about 83% of the baseline's cost (approximate: the
# run's dar_log.jsonl records the real cost); see the base for how.
_base_ = ['./resnet18_1xb128-100e_imagenette-112px.py', '../_base_/dar/imagenette_100e_infobatch.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
