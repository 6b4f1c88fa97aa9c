custom_hooks = [
    dict(type='DaRHook'),
    dict(interval=50, type='FiniteLossHook'),
    dict(type='WeightsOnlyCheckpointHook'),
]
custom_imports = dict(
    allow_failed_imports=False, imports=[
        'dar_transfer',
    ])
dar_hooks = [
    dict(type='DaRHook'),
    dict(interval=50, type='FiniteLossHook'),
]
dar_sampler = dict(
    anneal=0.125,
    policy='infobatch',
    prune_ratio=0.3967,
    shuffle=True,
    type='DaRSampler')
data_root = 'data/imagenette-112'
default_hooks = dict(
    checkpoint=dict(
        interval=1, max_keep_ckpts=3, save_last=True, type='CheckpointHook'),
    logger=dict(interval=100, type='LoggerHook'),
    param_scheduler=dict(type='ParamSchedulerHook'),
    runtime_info=dict(type='RuntimeInfoHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    timer=dict(type='IterTimerHook'))
default_scope = 'mmengine'
env_cfg = dict(
    cudnn_benchmark=True,
    dist_cfg=dict(backend='nccl'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
experiment_name = 'resnet18_1xb64-14e_imagenette-64px_infobatch-3874-1796436471013096261'
launcher = 'none'
load_from = None
log_level = 'INFO'
log_processor = dict(by_epoch=True, window_size=50)
model = dict(
    arch='resnet18',
    data_preprocessor=dict(
        bgr_to_rgb=True,
        mean=[
            123.675,
            116.28,
            103.53,
        ],
        std=[
            58.395,
            57.12,
            57.375,
        ],
        type='ImgDataPreprocessor'),
    num_classes=10,
    type='ImageClassifier')
optim_wrapper = dict(
    optimizer=dict(lr=0.1, momentum=0.9, type='SGD', weight_decay=0.0001))
param_scheduler = [
    dict(
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True,
        end=1,
        start_factor=0.1,
        type='LinearLR'),
    dict(by_epoch=True, gamma=0.1, milestones=[
        7,
        11,
    ], type='MultiStepLR'),
]
randomness = dict(deterministic=False, seed=0)
resume = False
test_cfg = dict()
test_dataloader = dict(
    batch_size=128,
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        data_root='data/imagenette-112',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(size=73, type='ResizeShortEdge'),
            dict(crop_size=64, type='CenterCrop'),
            dict(type='PackClassificationInputs'),
        ],
        split='val',
        type='ImageFolderDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
test_evaluator = dict(
    topk=(
        1,
        5,
    ), type='TopKAccuracy')
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(size=73, type='ResizeShortEdge'),
    dict(crop_size=64, type='CenterCrop'),
    dict(type='PackClassificationInputs'),
]
train_cfg = dict(by_epoch=True, max_epochs=14, val_interval=1)
train_dataloader = dict(
    batch_size=64,
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        data_root='data/imagenette-112',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(
                ratio=(
                    0.75,
                    1.3333333333333333,
                ),
                scale=(
                    0.08,
                    1.0,
                ),
                size=64,
                type='RandomResizedCrop'),
            dict(direction='horizontal', prob=0.5, type='RandomFlip'),
            dict(type='PackClassificationInputs'),
        ],
        split='train',
        type='ImageFolderDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(
        anneal=0.125,
        policy='infobatch',
        prune_ratio=0.3967,
        shuffle=True,
        type='DaRSampler'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        ratio=(
            0.75,
            1.3333333333333333,
        ),
        scale=(
            0.08,
            1.0,
        ),
        size=64,
        type='RandomResizedCrop'),
    dict(direction='horizontal', prob=0.5, type='RandomFlip'),
    dict(type='PackClassificationInputs'),
]
val_cfg = dict()
val_dataloader = dict(
    batch_size=128,
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        data_root='data/imagenette-112',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(size=73, type='ResizeShortEdge'),
            dict(crop_size=64, type='CenterCrop'),
            dict(type='PackClassificationInputs'),
        ],
        split='val',
        type='ImageFolderDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
val_evaluator = dict(
    topk=(
        1,
        5,
    ), type='TopKAccuracy')
work_dir = 'work_dirs/campaigns/real_small_cpu/pretrain/infobatch/seed0'
