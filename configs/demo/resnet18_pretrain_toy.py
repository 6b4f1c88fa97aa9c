# The demo's pretraining, a thin toy-scale layer over the paper's ImageNet ResNet-18
# recipe: the generated 8-class ImageFolder set (320 training images) at 32 px, 12
# epochs with the lr divided by 10 at 6 and 9 (the 30/60/90 of 120, scaled), batch 32
# on the CPU. 32 px keeps the three pretrainings within about a minute on 2 cores.
# `dar-transfer demo` sets the data root.
_base_ = ['../pretrain/imagenet/resnet18_8xb32-120e_in1k.py']
model = dict(num_classes=8)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', size=32, scale=(0.35, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackClassificationInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeShortEdge', size=36),
    dict(type='CenterCrop', crop_size=32),
    dict(type='PackClassificationInputs'),
]
train_dataloader = dict(batch_size=32, num_workers=0, persistent_workers=False,
                        pin_memory=False, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=40, num_workers=0, persistent_workers=False,
                      pin_memory=False, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=12, val_interval=12)
param_scheduler = dict(milestones=[6, 9])
optim_wrapper = dict(optimizer=dict(lr=0.05))
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=12))
