# Penn-Fudan pedestrian detection, Faster R-CNN with FPN: backbone infobatch_s0
# (ResNet-18), real-small suite, cpu preset, written by dar-transfer export. It inherits
# the upstream config of the COCO/Cityscapes suite and overrides the backbone, the data,
# the classes, the input size and the schedule, and narrows the heads (same modules) to
# fit a 2-core CPU.
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'

data_root = '/work/main/data/real-small/pennfudan/'
# One category; the class names must be set or COCO filtering drops every image.
metainfo = dict(classes=('person',))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=2, num_workers=1, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=metainfo, pipeline=train_pipeline,
                 ann_file='annotations/instances_train.json', data_prefix=dict(img='images/')))
val_dataloader = dict(
    batch_size=1, num_workers=1, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=metainfo, pipeline=test_pipeline,
                 ann_file='annotations/instances_val.json', data_prefix=dict(img='images/')))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=16, val_interval=16, val_begin=17)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', begin=0, end=16, by_epoch=True, milestones=[12],
         gamma=0.1),
]
# The upstream lr of 0.02 is for 16 images a batch; linear scaling to this batch.
optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(enable=False)
default_hooks = dict(checkpoint=dict(interval=16), logger=dict(interval=10))

model = {'backbone': {'depth': 18,
              'init_cfg': {'type': 'Pretrained',
                           'checkpoint': '/work/campaign-run/work_dirs/campaigns/real_small_cpu/export/infobatch/seed0/infobatch_s0.pth'}},
 'neck': {'in_channels': [64, 128, 256, 512], 'out_channels': 64},
 'roi_head': {'bbox_head': {'num_classes': 1, 'in_channels': 64, 'fc_out_channels': 256},
              'bbox_roi_extractor': {'out_channels': 64}},
 'rpn_head': {'in_channels': 64, 'feat_channels': 64},
 'train_cfg': {'rpn_proposal': {'max_per_img': 100}, 'rcnn': {'sampler': {'num': 64}}},
 'test_cfg': {'rpn': {'max_per_img': 100}}}

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
 'data_root': '/work/main/data/real-small/pennfudan',
 'annotation_sha256': '74ce5981b60017d89a41a93b2f9acf244d3d52d4e15e7b65706b752ce37a64bb'}
