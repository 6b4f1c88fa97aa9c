# LSP Extended (14 joints), SimpleBaseline (top-down heatmaps): backbone infobatch_s0
# (ResNet-18), real-small suite, cpu preset, written by dar-transfer export. It inherits
# the upstream config of the COCO/Cityscapes suite and overrides the backbone, the data,
# the classes, the input size and the schedule, and narrows the heads (same modules) to
# fit a 2-core CPU.
_base_ = 'mmpose::body_2d_keypoint/topdown_heatmap/coco/td-hm_res101_8xb64-210e_coco-256x192.py'

custom_imports = dict(imports=['dar_transfer.finetune.torso_pck'], allow_failed_imports=False)
data_root = '/work/main/data/real-small/lspet/'
# LSP's 14 joints: names, flip pairs, skeleton, weights and OKS sigmas (sources there).
metainfo = dict(from_file='/work/campaign-run/dar_transfer/data/lsp_metainfo.py')
codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs'),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs'),
]
train_dataloader = dict(
    batch_size=32, num_workers=1, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=metainfo, pipeline=train_pipeline,
                 ann_file='annotations/lspet_train.json', data_prefix=dict(img='images/')))
# Ground-truth boxes (boxes around the labelled joints): LSPET has no person detector.
val_dataloader = dict(
    batch_size=32, num_workers=1, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=metainfo, pipeline=val_pipeline,
                 ann_file='annotations/lspet_val.json', data_prefix=dict(img='images/'),
                 bbox_file=None))
test_dataloader = val_dataloader
# PCK@0.2 normalised by LSP's torso (tPCK), and COCO's OKS AP with LSP's sigmas.
val_evaluator = [
    dict(type='TorsoPCKAccuracy', thr=0.2, norm_item=['torso', 'bbox']),
    dict(type='CocoMetric', ann_file=data_root + 'annotations/lspet_val.json'),
]
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=7, val_interval=7, val_begin=8)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.001, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=7, milestones=[6], gamma=0.1,
         by_epoch=True),
]
optim_wrapper = dict(optimizer=dict(lr=0.001))
auto_scale_lr = dict(enable=False)
default_hooks = dict(checkpoint=dict(interval=7, save_best=None),
                     logger=dict(interval=10))

model = {'backbone': {'depth': 18,
              'init_cfg': {'type': 'Pretrained',
                           'checkpoint': '/work/campaign-run/work_dirs/campaigns/real_small_cpu/export/infobatch/seed0/infobatch_s0.pth'}},
 'head': {'in_channels': 512,
          'out_channels': 14,
          'decoder': {'type': 'MSRAHeatmap',
                      'input_size': (96, 128),
                      'heatmap_size': (24, 32),
                      'sigma': 2},
          'deconv_out_channels': (128, 128, 128)}}

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
 'data_root': '/work/main/data/real-small/lspet',
 'annotation_sha256': 'ab26f49177f32b36a9e8183c6f657406f03ffa11fa2266b02cffa9fd68d93974'}
