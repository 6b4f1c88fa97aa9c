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
    torch.manual_seed(0)  # the backbone's init and (below) the run's seed are fixed: an
    # unseeded toy detector sometimes found nothing and tested with no metric at all
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
    assert main(['finetune', str(config), '--work-dir', str(tmp_path),
                 '--cfg-options', 'randomness.seed=0']) == 0
    summary = json.loads((tmp_path / 'finetune_summary.json').read_text())
    assert METRICS[task] in summary['test']
    assert isinstance(summary['test'][METRICS[task]], float) and summary['seed'] == 0
    # mmengine's own record of the test, which the report reads.
    results = [p for p in tmp_path.glob('*/*.json') if p.stem == p.parent.name]
    assert results and METRICS[task] in json.loads(results[-1].read_text())


def test_finetune_rejects_a_config_of_another_library(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(['finetune', 'configs/pretrain/cifar10/resnet110_1xb128-300e_cifar10.py'])
    assert exit_info.value.code == 2
    assert "has default_scope 'mmengine'; finetune runs configs of mmdet" in capsys.readouterr().err


@pytest.mark.parametrize('update_buffers', [True, False])
def test_the_test_sees_the_ema_average_not_the_last_iterate(update_buffers):
    """What runner.train() then runner.test() does to an EMAHook, step by step: the
    average is made during training, and test's before_run builds it anew from the
    model. Without keep_weight_averages the test weights are the last iterate."""
    from types import SimpleNamespace

    from mmengine.hooks import EMAHook

    from dar_transfer.finetune.ema import keep_weight_averages

    def trained(keep: bool) -> tuple[torch.nn.Module, dict, dict]:
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
        hook = EMAHook(momentum=0.5, update_buffers=update_buffers)
        runner = SimpleNamespace(model=model, hooks=[hook], iter=0, epoch=0)
        hook.before_run(runner)
        for step in range(3):  # three "iterations": new weights, new batch statistics
            runner.iter = step
            with torch.no_grad():
                for p in model.parameters():
                    p.add_(1.0 + step)
            model(torch.randn(8, 3) + step)
            hook.after_train_iter(runner, step)
        average = {k: v.clone() for k, v in hook.ema_model.module.state_dict().items()}
        last = {k: v.clone() for k, v in model.state_dict().items()}
        if keep:
            assert keep_weight_averages(runner) == 1
        hook.before_run(runner)  # Runner.test() calls before_run again
        hook.before_test_epoch(runner)
        return model, average, last

    model, average, last = trained(keep=True)
    state = model.state_dict()
    for name, value in state.items():
        averaged = update_buffers or name.startswith('0.') or name in ('1.weight', '1.bias')
        expected = average[name] if averaged else last[name]
        assert torch.equal(value, expected), name
    assert not torch.equal(state['0.weight'], last['0.weight'])
    unkept, _, last = trained(keep=False)  # mmengine as it is: the average is lost
    assert torch.equal(unkept.state_dict()['0.weight'], last['0.weight'])
