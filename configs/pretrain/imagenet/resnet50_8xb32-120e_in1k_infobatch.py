# ImageNet-1k resnet50 with InfoBatch at about 86% of the baseline's cost (approximate:
# the run's dar_log.jsonl records the real cost); see the base for how.
_base_ = ['./resnet50_8xb32-120e_in1k.py', '../_base_/dar/imagenet_infobatch.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
