# Imagenette resnet50 with InfoBatch at about 83% of the baseline's cost (approximate: the
# run's dar_log.jsonl records the real cost); see the base for how.
_base_ = ['./resnet50_1xb64-14e_imagenette-64px.py', '../_base_/dar/imagenette_14e_infobatch.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
