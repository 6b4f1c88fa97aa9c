# CIFAR10 resnet110 with InfoBatch at about 83% of the baseline's cost (approximate: the
# run's dar_log.jsonl records the real cost); see the base for how.
_base_ = ['./resnet110_1xb128-300e_cifar10.py', '../_base_/dar/cifar10_infobatch.py']
train_dataloader = dict(sampler={{_base_.dar_sampler}})
custom_hooks = {{_base_.dar_hooks}}
