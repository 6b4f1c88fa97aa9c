# ImageNet-1k in ImageFolder layout: data/imagenet/{train,val}/<wnid>/*.JPEG.
# Augmentation as the DaR paper trains: random-resized crop (8%-100% of the area,
# aspect 3/4-4/3) to 224 and a horizontal flip; evaluation resizes the shorter side
# to 256 and takes the 224 center crop. 8 GPUs x 32 images per GPU.
data_root = 'data/imagenet'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', size=224, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackClassificationInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeShortEdge', size=256),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackClassificationInputs'),
]
# scoped_default_collate is mmengine's default_collate that also works in a config
# inheriting this one as dar_transfer::... (dar_transfer/pretrain/collate.py).
train_dataloader = dict(
    batch_size=32, num_workers=8, persistent_workers=True, pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='scoped_default_collate'),
    dataset=dict(type='ImageFolderDataset', data_root=data_root, split='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=50, num_workers=8, persistent_workers=True, pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='scoped_default_collate'),
    dataset=dict(type='ImageFolderDataset', data_root=data_root, split='val',
                 pipeline=test_pipeline))
val_evaluator = dict(type='TopKAccuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
