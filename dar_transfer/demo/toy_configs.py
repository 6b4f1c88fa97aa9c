"""The thin toy-scale layer over an exported config, for tests and the demo.

Each toy config inherits the generated one (``_base_ = './NAME_task.py'``) and changes
only what makes it run in seconds on 2 CPU cores: the data root, image sizes, batch
sizes and epochs, and for detection a narrower FPN with fewer proposals (the comment
above each setting in the templates below says why it is there). The same text without
the ``_base_`` line is a campaign task's ``overlay`` (the demo's campaign uses it so).
"""
from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

BASE = "_base_ = './{base}'\n"
COMMON = """data_root = '{root}/'
default_hooks = dict(checkpoint=dict(interval={length}), logger=dict(interval=5))
"""

DETECTION = """
# Every dataset needs the class names, or COCO filtering drops every image.
metainfo = dict(classes=('square', 'disk'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True{masks}),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True{masks}),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=metainfo, pipeline=train_pipeline,
                 filter_cfg=dict(filter_empty_gt=True, min_size=4)))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=metainfo, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator
# 64 FPN channels, 100 proposals and 64 sampled RoIs: 0.15 s/iter instead of 1.9.
# A backbone pretrained for seconds has BatchNorm statistics that are useless frozen
# (activations in the hundreds), so toy runs let BatchNorm adapt (norm_eval=False).
model = dict(
    backbone=dict(norm_eval=False),
    neck=dict(out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=64, fc_out_channels=256, num_classes=2){mask_head}),
    train_cfg=dict(rpn_proposal=dict(max_per_img=100), rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(max_per_img=100)))
train_cfg = dict(max_epochs={length}, val_interval={length}, val_begin={val_begin})
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10)]
optim_wrapper = dict(optimizer=dict(lr=0.01), clip_grad=dict(max_norm=10, norm_type=2))
"""

MASK_HEAD = """,
        mask_roi_extractor=dict(out_channels=64),
        mask_head=dict(in_channels=64, conv_out_channels=64, num_classes=2)"""

POSE = """
# Changing only the codec leaves the pipelines and head decoder at 192x256 (the base
# already resolved them), so all three are redefined at 96x128.
codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)
model = dict(head=dict(decoder=codec))
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
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root, pipeline=train_pipeline))
# Ground-truth boxes: the base points at a detection-results file under data/coco/.
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=data_root, bbox_file=None, pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/person_keypoints_val2017.json')
test_evaluator = val_evaluator
train_cfg = dict(max_epochs={length}, val_interval={length}, val_begin={val_begin})
param_scheduler = [dict(type='LinearLR', begin=0, end=10, start_factor=0.1, by_epoch=False)]
"""

SEGMENTATION = """
crop_size = (64, 64)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(128, 64), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 64), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(batch_size=1, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
# The 769 base pads every input to 769x769 (11.8 s per toy iteration instead of 0.26).
model = dict(data_preprocessor=dict(size=crop_size), test_cfg=dict(mode='whole'))
train_cfg = dict(max_iters={length}, val_interval={length}, val_begin={val_begin})
param_scheduler = [dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end={length},
                        by_epoch=False)]
"""

TEMPLATES = {
    'det': DETECTION.replace('{masks}', '').replace('{mask_head}', ''),
    'inst': DETECTION.replace('{masks}', ', with_mask=True').replace('{mask_head}', MASK_HEAD),
    'pose': POSE,
    'seg': SEGMENTATION,
}


def toy_overlay(task: str, data_root: str | Path, *, length: int = 2,
                validate: bool = True) -> str:
    """The toy layer of ``task`` without its ``_base_`` line: what a campaign appends to
    the config that export wrote (a task's ``overlay``). ``length`` is epochs (det, inst,
    pose) or iterations (seg); ``validate=False`` skips the validation at the end of
    training (``val_begin`` past the end), for runs that are tested right after on the
    same images anyway, as ``dar-transfer finetune`` does."""
    if task not in TEMPLATES:
        raise UsageError(f'task must be one of {tuple(TEMPLATES)}, got {task!r}')
    text = (COMMON + TEMPLATES[task]).replace('{root}', str(Path(data_root)))
    text = text.replace('{val_begin}', str(1 if validate else length + 1))
    return text.replace('{length}', str(length))


def write_toy_config(task: str, generated: str | Path, data_root: str | Path, *,
                     length: int = 2, validate: bool = True) -> Path:
    """``<generated>_toy.py`` next to the generated config: its ``_base_`` line, then
    :func:`toy_overlay` (the same arguments)."""
    overlay = toy_overlay(task, data_root, length=length, validate=validate)
    generated = Path(generated)
    path = generated.with_name(f'{generated.stem}_toy.py')
    path.write_text(BASE.replace('{base}', generated.name) + overlay)
    return path
