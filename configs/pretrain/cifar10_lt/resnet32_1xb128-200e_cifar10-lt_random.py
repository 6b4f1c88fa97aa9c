# Equal-budget control for resnet32_1xb128-200e_cifar10-lt_dar.py: the same subset sizes
# (so the same cost), members chosen uniformly at random instead of by training loss.
_base_ = ['./resnet32_1xb128-200e_cifar10-lt_dar.py']
train_dataloader = dict(sampler=dict(policy='random'))
