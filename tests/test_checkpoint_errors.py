"""A file that is not a torch checkpoint gets a clear error and exit code 2 from every
verb that reads checkpoints, before any work is done."""
import pytest

from dar_transfer.cli import main

CONFIGS = 'configs/demo/resnet18_pretrain_toy.py'


@pytest.fixture
def not_a_checkpoint(tmp_path):
    path = tmp_path / 'model.pth'
    path.write_text('epoch 3: top-1 71.2\n')  # a text file with a .pth name
    return path


def run_cli(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code, capsys.readouterr().err


def test_export_rejects_a_text_file(tmp_path, not_a_checkpoint, capsys):
    code, err = run_cli(['export', str(not_a_checkpoint), '--name', 'x',
                         '--out', str(tmp_path / 'out')], capsys)
    assert code == 2
    assert f'{not_a_checkpoint} is not a torch checkpoint' in err
    assert 'KeyError' not in err and not (tmp_path / 'out').exists()


def test_export_rejects_a_truncated_checkpoint(tmp_path, capsys):
    import torch

    path = tmp_path / 'cut.pth'
    torch.save({'state_dict': {'conv1.weight': torch.zeros(4, 3, 7, 7)}}, path)
    path.write_bytes(path.read_bytes()[:200])
    code, err = run_cli(['export', str(path), '--name', 'x', '--out', str(tmp_path)], capsys)
    assert code == 2 and 'not a readable torch checkpoint' in err


@pytest.mark.parametrize('verb', ['pretrain', 'finetune'])
def test_resume_from_a_text_file(tmp_path, not_a_checkpoint, capsys, verb):
    config = CONFIGS
    if verb == 'finetune':  # any mmdet-scoped config: the check comes before building
        config = tmp_path / 'det.py'
        config.write_text("default_scope = 'mmdet'\nmodel = dict(type='FasterRCNN')\n")
    code, err = run_cli([verb, str(config), '--work-dir', str(tmp_path / 'w'),
                         '--resume', str(not_a_checkpoint)], capsys)
    assert code == 2
    assert f'--resume checkpoint {not_a_checkpoint} is not a torch checkpoint' in err


def test_load_from_and_backbone_checkpoint(tmp_path, not_a_checkpoint, capsys):
    code, err = run_cli(['pretrain', CONFIGS, '--work-dir', str(tmp_path / 'w'),
                         '--cfg-options', f'load_from={not_a_checkpoint}'], capsys)
    assert code == 2 and f'load_from {not_a_checkpoint} is not a torch checkpoint' in err

    from mmengine.config import Config

    from dar_transfer.utils.runner_setup import route_checkpoints

    cfg = Config({'model': {'backbone': {'init_cfg': {'type': 'Pretrained',
                                                      'checkpoint': str(not_a_checkpoint)}}}})
    with pytest.raises(ValueError, match='model.backbone.init_cfg.checkpoint .* is not a torch'):
        route_checkpoints(cfg, trusted=set(), load_from_name='load_from')
    cfg.model.backbone.init_cfg.checkpoint = 'torchvision://resnet50'
    route_checkpoints(cfg, trusted=set(), load_from_name='load_from')  # URLs: mmengine's
    assert cfg.model.backbone.init_cfg.checkpoint == 'torchvision://resnet50'


def test_export_names_a_resnet10(tmp_path, capsys):
    import torch

    from dar_transfer.pretrain.classifier import build_classifier

    torch.save(build_classifier('resnet10', 4).state_dict(), tmp_path / 'r10.pth')
    code, err = run_cli(['export', str(tmp_path / 'r10.pth'), '--name', 'x',
                         '--out', str(tmp_path / 'out')], capsys)
    assert code == 2 and 'is a ResNet-10' in err and 'ResNet-18' in err
