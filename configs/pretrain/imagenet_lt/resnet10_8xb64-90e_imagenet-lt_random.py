# Equal-budget control for resnet10_8xb64-90e_imagenet-lt_dar.py: the same subset sizes
# (so the same cost), members chosen uniformly at random instead of by training loss.
_base_ = ['./resnet10_8xb64-90e_imagenet-lt_dar.py']
train_dataloader = dict(sampler=dict(policy='random'))
