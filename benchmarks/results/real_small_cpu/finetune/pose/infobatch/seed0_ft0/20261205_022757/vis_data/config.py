auto_scale_lr = dict(base_batch_size=512, enable=False)
backend_args = dict(backend='local')
codec = dict(
    _scope_='mmpose',
    heatmap_size=(
        24,
        32,
    ),
    input_size=(
        96,
        128,
    ),
    sigma=2,
    type='MSRAHeatmap')
custom_hooks = [
    dict(_scope_='mmpose', type='SyncBuffersHook'),
    dict(type='WeightsOnlyCheckpointHook'),
]
custom_imports = dict(
    allow_failed_imports=False, imports=[
        'dar_transfer.finetune.torso_pck',
    ])
dar_provenance = dict(
    annotation_sha256=
    'ab26f49177f32b36a9e8183c6f657406f03ffa11fa2266b02cffa9fd68d93974',
    arch='resnet',
    data_root='/work/main/data/real-small/lspet',
    depth=18,
    name='infobatch_s0',
    preset='cpu',
    pretrain_config=
    'configs/pretrain/imagenette/resnet18_1xb64-14e_imagenette-64px_infobatch.py',
    pretrain_cost=0.7944269269646818,
    pretrain_seed=0,
    pretrain_top1=70.77707052230835,
    source=
    '/work/campaign-run/work_dirs/campaigns/real_small_cpu/pretrain/infobatch/seed0/epoch_14.pth',
    source_kind='dar-transfer',
    source_sha256=
    '122a55d6860ca850ac9abe60e27d49df60470e3e3e39f6a94911f9ba1fab6f00',
    suite='real-small',
    variant='infobatch',
    weights=
    '/work/campaign-run/work_dirs/campaigns/real_small_cpu/export/infobatch/seed0/infobatch_s0.pth'
)
data_mode = 'topdown'
data_root = '/work/main/data/real-small/lspet/'
dataset_type = 'CocoDataset'
default_hooks = dict(
    badcase=dict(
        _scope_='mmpose',
        badcase_thr=5,
        enable=False,
        metric_type='loss',
        out_dir='badcase',
        type='BadCaseAnalysisHook'),
    checkpoint=dict(
        _scope_='mmpose',
        interval=7,
        rule='greater',
        save_best=None,
        type='CheckpointHook'),
    logger=dict(_scope_='mmpose', interval=10, type='LoggerHook'),
    param_scheduler=dict(_scope_='mmpose', type='ParamSchedulerHook'),
    sampler_seed=dict(_scope_='mmpose', type='DistSamplerSeedHook'),
    timer=dict(_scope_='mmpose', type='IterTimerHook'),
    visualization=dict(
        _scope_='mmpose', enable=False, type='PoseVisualizationHook'))
default_scope = 'mmpose'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='nccl'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
experiment_name = 'finetune.infobatch.s0.pose.f0-6400-1796437677893603516'
launcher = 'none'
load_from = None
log_level = 'INFO'
log_processor = dict(
    _scope_='mmpose',
    by_epoch=True,
    num_digits=6,
    type='LogProcessor',
    window_size=50)
metainfo = dict(
    from_file='/work/campaign-run/dar_transfer/data/lsp_metainfo.py')
model = dict(
    _scope_='mmpose',
    backbone=dict(
        depth=18,
        init_cfg=dict(
            checkpoint=
            'dar-checked:///work/campaign-run/work_dirs/campaigns/real_small_cpu/export/infobatch/seed0/infobatch_s0.pth',
            type='Pretrained'),
        type='ResNet'),
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
        type='PoseDataPreprocessor'),
    head=dict(
        decoder=dict(
            heatmap_size=(
                24,
                32,
            ),
            input_size=(
                96,
                128,
            ),
            sigma=2,
            type='MSRAHeatmap'),
        deconv_out_channels=(
            128,
            128,
            128,
        ),
        in_channels=512,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        out_channels=14,
        type='HeatmapHead'),
    test_cfg=dict(flip_mode='heatmap', flip_test=True, shift_heatmap=True),
    type='TopdownPoseEstimator')
optim_wrapper = dict(optimizer=dict(_scope_='mmpose', lr=0.001, type='Adam'))
param_scheduler = [
    dict(begin=0, by_epoch=False, end=50, start_factor=0.001, type='LinearLR'),
    dict(
        begin=0,
        by_epoch=True,
        end=7,
        gamma=0.1,
        milestones=[
            6,
        ],
        type='MultiStepLR'),
]
randomness = dict(seed=0)
resume = False
test_cfg = dict()
test_dataloader = dict(
    batch_size=32,
    dataset=dict(
        _scope_='mmpose',
        ann_file='annotations/lspet_val.json',
        bbox_file=None,
        data_mode='topdown',
        data_prefix=dict(img='images/'),
        data_root='/work/main/data/real-small/lspet/',
        metainfo=dict(
            from_file='/work/campaign-run/dar_transfer/data/lsp_metainfo.py'),
        pipeline=[
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(input_size=(
                96,
                128,
            ), type='TopdownAffine'),
            dict(type='PackPoseInputs'),
        ],
        test_mode=True,
        type='CocoDataset'),
    drop_last=False,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(
        _scope_='mmpose', round_up=False, shuffle=False,
        type='DefaultSampler'))
test_evaluator = [
    dict(norm_item=[
        'torso',
        'bbox',
    ], thr=0.2, type='TorsoPCKAccuracy'),
    dict(
        ann_file='/work/main/data/real-small/lspet/annotations/lspet_val.json',
        type='CocoMetric'),
]
train_cfg = dict(by_epoch=True, max_epochs=7, val_begin=8, val_interval=7)
train_dataloader = dict(
    batch_size=32,
    dataset=dict(
        _scope_='mmpose',
        ann_file='annotations/lspet_train.json',
        data_mode='topdown',
        data_prefix=dict(img='images/'),
        data_root='/work/main/data/real-small/lspet/',
        metainfo=dict(
            from_file='/work/campaign-run/dar_transfer/data/lsp_metainfo.py'),
        pipeline=[
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(direction='horizontal', type='RandomFlip'),
            dict(type='RandomHalfBody'),
            dict(type='RandomBBoxTransform'),
            dict(input_size=(
                96,
                128,
            ), type='TopdownAffine'),
            dict(
                encoder=dict(
                    heatmap_size=(
                        24,
                        32,
                    ),
                    input_size=(
                        96,
                        128,
                    ),
                    sigma=2,
                    type='MSRAHeatmap'),
                type='GenerateTarget'),
            dict(type='PackPoseInputs'),
        ],
        type='CocoDataset'),
    num_workers=1,
    persistent_workers=False,
    sampler=dict(_scope_='mmpose', shuffle=True, type='DefaultSampler'))
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(direction='horizontal', type='RandomFlip'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(input_size=(
        96,
        128,
    ), type='TopdownAffine'),
    dict(
        encoder=dict(
            heatmap_size=(
                24,
                32,
            ),
            input_size=(
                96,
                128,
            ),
            sigma=2,
            type='MSRAHeatmap'),
        type='GenerateTarget'),
    dict(type='PackPoseInputs'),
]
val_cfg = dict()
val_dataloader = dict(
    batch_size=32,
    dataset=dict(
        _scope_='mmpose',
        ann_file='annotations/lspet_val.json',
        bbox_file=None,
        data_mode='topdown',
        data_prefix=dict(img='images/'),
        data_root='/work/main/data/real-small/lspet/',
        metainfo=dict(
            from_file='/work/campaign-run/dar_transfer/data/lsp_metainfo.py'),
        pipeline=[
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(input_size=(
                96,
                128,
            ), type='TopdownAffine'),
            dict(type='PackPoseInputs'),
        ],
        test_mode=True,
        type='CocoDataset'),
    drop_last=False,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(
        _scope_='mmpose', round_up=False, shuffle=False,
        type='DefaultSampler'))
val_evaluator = [
    dict(norm_item=[
        'torso',
        'bbox',
    ], thr=0.2, type='TorsoPCKAccuracy'),
    dict(
        ann_file='/work/main/data/real-small/lspet/annotations/lspet_val.json',
        type='CocoMetric'),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(input_size=(
        96,
        128,
    ), type='TopdownAffine'),
    dict(type='PackPoseInputs'),
]
vis_backends = [
    dict(_scope_='mmpose', type='LocalVisBackend'),
]
visualizer = dict(
    _scope_='mmpose',
    name='visualizer-finetune.infobatch.s0.pose.f0-6400-1796437677893603516',
    type='PoseLocalVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
    ])
work_dir = 'work_dirs/campaigns/real_small_cpu/finetune/pose/infobatch/seed0_ft0'
