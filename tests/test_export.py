"""Export round trips through the real mmdet / mmpose / mmseg backbones."""
import json

import pytest
import torch
import torchvision
from helpers import make_runner
from mmengine.config import Config

from dar_transfer.cli import main
from dar_transfer.export.downstream import TASKS
from dar_transfer.export.verify import build_backbone


def export(checkpoint, out, name, *extra, capsys=None):
    assert main(['export', str(checkpoint), '--name', name, '--out', str(out), '--json',
                 *extra]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('depth', [18, 50])
def test_torchvision_round_trip(tmp_path, capsys, depth):
    source = getattr(torchvision.models, f'resnet{depth}')().state_dict()
    path = tmp_path / f'resnet{depth}-tv.pth'
    torch.save(source, path)
    result = export(path, tmp_path / 'out', f'tv{depth}', capsys=capsys)
    assert set(result['configs']) == set(TASKS)
    saved = torch.load(result['checkpoint'], weights_only=True)['state_dict']
    assert not any(k.startswith('fc.') for k in saved)
    assert result['metadata']['depth'] == depth
    assert result['metadata']['source_kind'] == 'torchvision'
    for key, config in result['configs'].items():
        cfg = Config.fromfile(config)
        assert cfg.dar_provenance['name'] == f'tv{depth}'
        backbone = build_backbone(TASKS[key], config)
        backbone.init_weights()  # loads init_cfg's Pretrained checkpoint: the exported file
        for name, tensor in backbone.state_dict().items():
            assert torch.equal(tensor, source[name]), (key, name)


def test_whole_models_build_for_resnet18(tmp_path, capsys):
    import importlib

    from mmengine.registry import DefaultScope

    torch.save(torchvision.models.resnet18().state_dict(), tmp_path / 'r18.pth')
    result = export(tmp_path / 'r18.pth', tmp_path / 'out', 'r18', capsys=capsys)
    for key, config in result['configs'].items():
        task = TASKS[key]
        registry = importlib.import_module(f'{task.scope}.registry').MODELS
        with DefaultScope.overwrite_default_scope(task.scope):
            model = registry.build(Config.fromfile(config).model)
        assert model.backbone.depth == 18


def test_pretrain_checkpoint_with_provenance(tmp_path, capsys):
    runner = make_runner(tmp_path / 'run', num_samples=16, max_epochs=2,
                         model={'type': 'ImageClassifier', 'arch': 'resnet18', 'num_classes': 4},
                         sampler={'keep_ratio': 0.5})
    runner.train()
    capsys.readouterr()  # the runner's own console output
    result = export(tmp_path / 'run' / 'epoch_2.pth', tmp_path / 'out', 'dar18',
                    '--tasks', 'det', 'seg', capsys=capsys)
    meta = result['metadata']
    assert meta['source_kind'] == 'dar-transfer' and meta['variant'] == 'dar'
    assert meta['pretrain_cost'] == pytest.approx(0.75)
    assert set(result['configs']) == {'det', 'seg'}
    saved = torch.load(result['checkpoint'], weights_only=True)['state_dict']
    model_weights = runner.model.net.state_dict()
    assert all(torch.equal(saved[k], model_weights[k]) for k in saved)


def test_mmpretrain_layout(tmp_path, capsys):
    source = torchvision.models.resnet34().state_dict()
    checkpoint = {'meta': {}, 'state_dict': {
        **{f'backbone.{k}': v for k, v in source.items() if not k.startswith('fc.')},
        'head.fc.weight': source['fc.weight'], 'head.fc.bias': source['fc.bias']}}
    torch.save(checkpoint, tmp_path / 'mmpretrain.pth')
    result = export(tmp_path / 'mmpretrain.pth', tmp_path / 'out', 'r34', '--tasks', 'pose',
                    capsys=capsys)
    assert result['metadata']['depth'] == 34 and result['metadata']['source_kind'] == 'mmpretrain'


def expect_error(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(['export', *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_unsupported_architecture(tmp_path, capsys):
    torch.save(torchvision.models.mobilenet_v2().state_dict(), tmp_path / 'mnv2.pth')
    expect_error([str(tmp_path / 'mnv2.pth'), '--name', 'x', '--out', str(tmp_path)],
                 'export supports ResNet-18, ResNet-34, ResNet-50, ResNet-101, ResNet-152',
                 capsys)


def test_truncated_file(tmp_path, capsys):
    torch.save(torchvision.models.resnet18().state_dict(), tmp_path / 'full.pth')
    data = (tmp_path / 'full.pth').read_bytes()
    (tmp_path / 'cut.pth').write_bytes(data[:len(data) // 2])
    expect_error([str(tmp_path / 'cut.pth'), '--name', 'x', '--out', str(tmp_path)],
                 'is not a readable torch checkpoint (truncated or corrupt?)', capsys)


def test_depth_mismatch(tmp_path, capsys):
    torch.save(torchvision.models.resnet50().state_dict(), tmp_path / 'r50.pth')
    expect_error([str(tmp_path / 'r50.pth'), '--name', 'x', '--out', str(tmp_path),
                  '--depth', '101'], 'holds a ResNet-50, not the ResNet-101', capsys)


def test_random_init_writes_the_from_scratch_configs(tmp_path, capsys):
    assert main(['export', '--random-init', '--depth', '18', '--name', 'scratch_s0',
                 '--out', str(tmp_path), '--tasks', 'det', 'pose', '--json']) == 0
    result = json.loads(capsys.readouterr().out)
    meta = result['metadata']
    assert result['checkpoint'] is None and not list(tmp_path.glob('*.pth'))
    assert meta['variant'] == 'scratch' and meta['pretrain_cost'] == 0.0
    assert meta['source_kind'] == 'random-init'
    for key, config in result['configs'].items():
        cfg = Config.fromfile(config)
        # the upstream init_cfg (torchvision://resnet50) must be gone, or mmdet downloads it
        assert cfg.model.backbone.init_cfg is None and cfg.model.backbone.depth == 18
        assert build_backbone(TASKS[key], config).depth == 18


@pytest.mark.parametrize('argv, message', [
    (['ckpt.pth', '--random-init', '--depth', '18'], 'drop the checkpoint'),
    (['--random-init'], '--random-init needs --depth'),
    (['--random-init', '--depth', '20'], '--depth must be one of [18, 34, 50, 101, 152]'),
    ([], 'give a checkpoint to export, or --random-init --depth D'),
])
def test_random_init_argument_errors(tmp_path, capsys, argv, message):
    expect_error([*argv, '--name', 'x', '--out', str(tmp_path)], message, capsys)
