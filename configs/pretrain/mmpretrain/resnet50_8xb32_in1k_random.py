# Equal-budget control for resnet50_8xb32_in1k_dar.py: the same subset sizes (so the same
# 86% cost), members chosen uniformly at random instead of by training loss.
_base_ = ['./resnet50_8xb32_in1k_dar.py']
train_dataloader = dict(sampler=dict(policy='random'))
