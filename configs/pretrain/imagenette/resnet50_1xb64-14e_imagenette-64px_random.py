# Equal-budget control for resnet50_1xb64-14e_imagenette-64px_dar.py: the same subset sizes (so the same cost),
# members chosen uniformly at random instead of by training loss.
_base_ = ['./resnet50_1xb64-14e_imagenette-64px_dar.py']
train_dataloader = dict(sampler=dict(policy='random'))
