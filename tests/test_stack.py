"""Smoke test of the dependency stack: compiled mmcv ops and the four downstream models."""
import pytest
import torch
from mmengine.hub import get_config
from mmengine.registry import DefaultScope


def test_mmcv_compiled_nms_runs():
    from mmcv.ops import nms

    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], dtype=torch.float32)
    scores = torch.tensor([0.9, 0.8, 0.7])
    _, keep = nms(boxes, scores, iou_threshold=0.5)
    assert keep.tolist() == [0, 2]


DOWNSTREAM = [
    ('mmdet', 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', 'FasterRCNN'),
    ('mmdet', 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py', 'MaskRCNN'),
    ('mmpose', 'mmpose::body_2d_keypoint/topdown_heatmap/coco/'
               'td-hm_res101_8xb64-210e_coco-256x192.py', 'TopdownPoseEstimator'),
    ('mmseg', 'mmseg::pspnet/pspnet_r50b-d8_4xb2-80k_cityscapes-769x769.py', 'EncoderDecoder'),
]


@pytest.mark.parametrize('scope, config, model_type', DOWNSTREAM)
def test_downstream_config_builds_its_model(scope, config, model_type):
    import importlib

    importlib.import_module(f'{scope}.utils').register_all_modules(init_default_scope=False)
    registry = importlib.import_module(f'{scope}.registry').MODELS
    cfg = get_config(config)
    with DefaultScope.overwrite_default_scope(scope):
        model = registry.build(cfg.model)
    assert type(model).__name__ == model_type
    assert type(model.backbone).__name__ == 'ResNet'
