# Equal-budget control for resnet18_pretrain_toy_dar.py: same subset sizes, random members.
_base_ = ['./resnet18_pretrain_toy_dar.py']
train_dataloader = dict(sampler=dict(policy='random'))
