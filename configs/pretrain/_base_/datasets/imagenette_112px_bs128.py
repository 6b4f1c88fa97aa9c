# Imagenette v2 (10 ImageNet classes, 9,469 train / 3,925 val) in ImageFolder layout,
# from the 112x112 pack: data/imagenette-112/{train,val}/<wnid>/*.JPEG.
# gpu preset: the ImageNet augmentation (random-resized crop 8%-100%, aspect 3/4-4/3,
# flip) at the pack's full 112 px; evaluation resizes the shorter side to 128 and takes
# the 112 center crop (the 224/256 ratio of ImageNet). One GPU x 128.
data_root = 'data/imagenette-112'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', size=112, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackClassificationInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeShortEdge', size=128),
    dict(type='CenterCrop', crop_size=112),
    dict(type='PackClassificationInputs'),
]
# scoped_default_collate is mmengine's default_collate that also works in a config
# inheriting this one as dar_transfer::... (dar_transfer/pretrain/collate.py).
train_dataloader = dict(
    batch_size=128, num_workers=8, persistent_workers=True, pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='scoped_default_collate'),
    dataset=dict(type='ImageFolderDataset', data_root=data_root, split='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=256, num_workers=8, persistent_workers=True, pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='scoped_default_collate'),
    dataset=dict(type='ImageFolderDataset', data_root=data_root, split='val',
                 pipeline=test_pipeline))
val_evaluator = dict(type='TopKAccuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
