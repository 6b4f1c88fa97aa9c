# Equal-budget control for resnet18_8xb32-120e_in1k_dar.py: the same subset sizes (so the
# same cost), members chosen uniformly at random instead of by training loss.
_base_ = ['./resnet18_8xb32-120e_in1k_dar.py']
train_dataloader = dict(sampler=dict(policy='random'))
