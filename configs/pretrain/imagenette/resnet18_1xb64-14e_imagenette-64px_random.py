# Equal-budget control for resnet18_1xb64-14e_imagenette-64px_dar.py: the same subset sizes (so the same cost),
# members chosen uniformly at random instead of by training loss.
_base_ = ['./resnet18_1xb64-14e_imagenette-64px_dar.py']
train_dataloader = dict(sampler=dict(policy='random'))
