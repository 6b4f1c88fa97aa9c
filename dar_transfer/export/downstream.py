"""The four downstream targets of the paper, and the configs export writes for them.

Each generated config inherits the upstream config by package scope, so it runs with
the library's own ``tools/train.py`` too, and overrides only what the backbone changes:
depth, ``init_cfg`` pointing at the exported weights, and every channel count that
depends on depth (ResNet-18/34 end in 512 channels, deeper ones in 2048).
"""
from __future__ import annotations

import pprint
import textwrap
from dataclasses import dataclass

from .resnet import FINAL_CHANNELS


def stage_channels(depth: int) -> list[int]:
    final = FINAL_CHANNELS[depth]
    return [final // 8, final // 4, final // 2, final]


@dataclass(frozen=True)
class DownstreamTask:
    """One target: its upstream base config and how depth changes it."""

    key: str
    scope: str
    base: str
    title: str
    protocol: str

    def model_overrides(self, depth: int, checkpoint: str | None) -> dict:
        """Depth, weights and channel counts; ``checkpoint`` None: random initialisation."""
        init_cfg = None if checkpoint is None else {'type': 'Pretrained', 'checkpoint': checkpoint}
        backbone = {'depth': depth, 'init_cfg': init_cfg}
        final = FINAL_CHANNELS[depth]
        if self.key in ('det', 'inst'):
            return {'backbone': backbone, 'neck': {'in_channels': stage_channels(depth)}}
        if self.key == 'pose':
            return {'backbone': backbone, 'head': {'in_channels': final}}
        # mmseg: model.pretrained would be copied into the backbone and clash with init_cfg.
        return {'pretrained': None, 'backbone': backbone,
                'decode_head': {'in_channels': final},
                'auxiliary_head': {'in_channels': final // 2}}


TASKS = {
    'det': DownstreamTask(
        'det', 'mmdet', 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
        'COCO detection, Faster R-CNN with FPN',
        'Paper protocol: mmdetection 1x schedule (12 epochs), single scale 1333x800, '
        'as upstream; box AP on COCO val2017.'),
    'inst': DownstreamTask(
        'inst', 'mmdet', 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
        'COCO instance segmentation, Mask R-CNN with FPN',
        'Paper protocol: mmdetection 1x schedule (12 epochs), single scale 1333x800, '
        'as upstream; box and mask AP on COCO val2017.'),
    'pose': DownstreamTask(
        'pose', 'mmpose',
        'mmpose::body_2d_keypoint/topdown_heatmap/coco/td-hm_res101_8xb64-210e_coco-256x192.py',
        'COCO keypoints, SimpleBaseline (top-down heatmaps)',
        'Paper protocol: SimpleBaseline with ResNet-101, input 256x192, 210 epochs, as '
        'upstream; keypoint AP on COCO val2017 with detected person boxes.'),
    'seg': DownstreamTask(
        'seg', 'mmseg', 'mmseg::pspnet/pspnet_r50b-d8_4xb2-80k_cityscapes-769x769.py',
        'Cityscapes semantic segmentation, PSPNet',
        'Paper protocol: PSPNet, 769x769 crops, 80k iterations, as upstream; mIoU on '
        'Cityscapes val. The r50b config takes a plain (torchvision) ResNet stem, unlike '
        "mmseg's default ResNetV1c."),
}


def render_config(task: DownstreamTask, *, depth: int, checkpoint: str | None,
                  provenance: dict) -> str:
    """The text of a generated config: base, overrides, provenance, protocol note."""
    overrides = task.model_overrides(depth, checkpoint)
    lines = [
        f'# {task.title}: backbone {provenance["name"]} (ResNet-{depth}), written by',
        '# dar-transfer export. Runs with `dar-transfer finetune` or the library\'s own',
        '# tools/train.py. Toy-scale settings for tests and the demo live in configs that',
        '# inherit this one, never here.',
        *textwrap.wrap(task.protocol, width=88, initial_indent='# ',
                       subsequent_indent='# '),
        f'_base_ = {task.base!r}',
        '',
        f'model = {pprint.pformat(overrides, sort_dicts=False, width=90)}',
        '',
        '# Where the backbone came from; `dar-transfer report` reads it back from work_dirs.',
        f'dar_provenance = {pprint.pformat(provenance, sort_dicts=False, width=90)}',
        '',
    ]
    return '\n'.join(lines)
