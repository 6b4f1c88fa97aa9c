# Equal-budget control for densenet-bc100_1xb128-300e_cifar100_dar.py: the same subset sizes (so
# the same cost), members chosen uniformly at random instead of by training loss.
_base_ = ['./densenet-bc100_1xb128-300e_cifar100_dar.py']
train_dataloader = dict(sampler=dict(policy='random'))
