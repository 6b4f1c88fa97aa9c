# CamVid (11 classes), PSPNet: backbone infobatch_s0 (ResNet-18), real-small suite, cpu
# preset, written by dar-transfer export. It inherits the upstream config of the
# COCO/Cityscapes suite and overrides the backbone, the data, the classes, the input
# size and the schedule, and narrows the heads (same modules) to fit a 2-core CPU.
_base_ = 'mmseg::pspnet/pspnet_r50b-d8_4xb2-80k_cityscapes-769x769.py'

custom_imports = dict(imports=['dar_transfer.data.camvid_dataset'], allow_failed_imports=False)
data_root = '/work/main/data/real-small/camvid/'
crop_size = (128, 128)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(240, 180), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(240, 180), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=4, num_workers=1, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='CamVidDataset', data_root=data_root, pipeline=train_pipeline,
                 data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train')))
val_dataloader = dict(
    batch_size=1, num_workers=1, persistent_workers=False,
    dataset=dict(type='CamVidDataset', data_root=data_root, pipeline=test_pipeline,
                 data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val')))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
train_cfg = dict(max_iters=1000, val_interval=1000, val_begin=1001)
param_scheduler = [dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=1000,
                        by_epoch=False)]
optim_wrapper = dict(optimizer=dict(lr=0.02))
default_hooks = dict(checkpoint=dict(interval=1000), logger=dict(interval=20))

model = {'pretrained': None,
 'backbone': {'depth': 18,
              'init_cfg': {'type': 'Pretrained',
                           'checkpoint': '/work/campaign-run/work_dirs/campaigns/real_small_cpu/export/infobatch/seed0/infobatch_s0.pth'}},
 'decode_head': {'in_channels': 512, 'num_classes': 11, 'channels': 128},
 'auxiliary_head': {'in_channels': 256, 'num_classes': 11, 'channels': 64},
 'data_preprocessor': {'size': (128, 128)},
 'test_cfg': {'mode': 'whole'}}

# Where the backbone and the data came from; `dar-transfer report` reads it back.
dar_provenance = {'name': 'infobatch_s0',
 'arch': 'resnet',
 'depth': 18,
 'variant': 'infobatch',
 'pretrain_cost': 0.7944269269646818,
 'pretrain_top1': 70.77707052230835,
 'pretrain_config': 'configs/pretrain/imagenette/resnet18_1xb64-14e_imagenette-64px_infobatch.py',
 'pretrain_seed': 0,
 'source': '/work/campaign-run/work_dirs/campaigns/real_small_cpu/pretrain/infobatch/seed0/epoch_14.pth',
 'source_kind': 'dar-transfer',
 'source_sha256': '122a55d6860ca850ac9abe60e27d49df60470e3e3e39f6a94911f9ba1fab6f00',
 'weights': '/work/campaign-run/work_dirs/campaigns/real_small_cpu/export/infobatch/seed0/infobatch_s0.pth',
 'suite': 'real-small',
 'preset': 'cpu',
 'data_root': '/work/main/data/real-small/camvid',
 'annotation_sha256': 'efbc0b140335910a4246ed535e4b08bffabf7bf7787d9e58c65491b7882028e9'}
