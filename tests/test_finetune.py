"""Fine-tuning exported backbones on tiny data in the real formats, all four tasks."""
import json

import pytest
import torch
import torchvision

from dar_transfer.cli import main
from dar_transfer.demo.downstream_data import (
    write_cityscapes,
    write_coco_instances,
    write_coco_keypoints,
)
from dar_transfer.demo.toy_configs import write_toy_config

METRICS = {'det': 'coco/bbox_mAP', 'inst': 'coco/segm_mAP', 'pose': 'coco/AP', 'seg': 'mIoU'}


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp('finetune')
    torch.save(torchvision.models.resnet18().state_dict(), root / 'r18.pth')
    assert main(['export', str(root / 'r18.pth'), '--name', 'r18', '--out',
                 str(root / 'checkpoints')]) == 0
    data = {'det': write_coco_instances(root / 'coco'), 'pose': write_coco_keypoints(root / 'kp'),
            'seg': write_cityscapes(root / 'cityscapes')}
    data['inst'] = data['det']
    return root, data


@pytest.mark.slow
@pytest.mark.parametrize('task', list(METRICS))
def test_finetune_train_val_test(task, exported, tmp_path):
    root, data = exported
    config = write_toy_config(task, root / 'checkpoints' / f'r18_{task}.py', data[task],
                              length=8 if task == 'seg' else 2)
    assert main(['finetune', str(config), '--work-dir', str(tmp_path)]) == 0
    summary = json.loads((tmp_path / 'finetune_summary.json').read_text())
    assert METRICS[task] in summary['test']
    assert isinstance(summary['test'][METRICS[task]], float)
    # mmengine's own record of the test, which the report reads.
    results = [p for p in tmp_path.glob('*/*.json') if p.stem == p.parent.name]
    assert results and METRICS[task] in json.loads(results[-1].read_text())


def test_finetune_rejects_a_config_of_another_library(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(['finetune', 'configs/pretrain/cifar10/resnet110_1xb128-300e_cifar10.py'])
    assert exit_info.value.code == 2
    assert "has default_scope 'mmengine'; finetune runs configs of mmdet" in capsys.readouterr().err
