"""configs/pretrain/imagenette/: ResNet-18/50 with ImageNet's stem, five variants at the
same cost (0.83 by the planner), cpu and gpu presets."""
import json
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import MODELS

from dar_transfer.cli import main

CONFIG_DIR = Path(__file__).parents[1] / 'configs' / 'pretrain' / 'imagenette'
PRESETS = {'cpu': ('1xb64-14e_imagenette-64px', 14, 64),
           'gpu': ('1xb128-100e_imagenette-112px', 100, 112)}
VARIANTS = ('', '_dar', '_random', '_infobatch', '_rs2')
IMAGENETTE_TRAIN = 9469


def config_path(arch: str, preset: str, variant: str) -> Path:
    return CONFIG_DIR / f'{arch}_{PRESETS[preset][0]}{variant}.py'


def test_twenty_configs_and_no_others():
    expected = {config_path(a, p, v) for a in ('resnet18', 'resnet50') for p in PRESETS
                for v in VARIANTS}
    assert set(CONFIG_DIR.glob('*.py')) == expected


def planned_cost(cfg, capsys) -> float:
    """The cost ``dar-transfer plan`` gives for the config's sampler settings."""
    sampler = cfg.train_dataloader.sampler
    args = ['plan', '--num-samples', str(IMAGENETTE_TRAIN),
            '--epochs', str(cfg.train_cfg.max_epochs), '--json']
    if sampler.policy in ('hardest', 'random'):
        args += ['--policy', sampler.policy, '--keep', str(sampler.keep_ratio),
                 '--warmup', str(sampler.warmup_epochs), '--interval', str(sampler.interval),
                 '--active', str(sampler.active_epochs),
                 '--refresh', *map(str, sampler.refresh_epochs)]
    elif sampler.policy == 'infobatch':
        args += ['--policy', 'infobatch', '--prune-ratio', str(sampler.prune_ratio),
                 '--anneal', str(sampler.anneal)]
        # a ratio recalibrated from a run's measured share of samples below the mean loss
        if cfg.get('planned_below_mean_share') is not None:
            args += ['--below-mean-share', str(cfg.planned_below_mean_share)]
    else:
        args += ['--policy', 'rs2', '--keep', str(sampler.keep_ratio)]
    capsys.readouterr()
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)['cost']


@pytest.mark.parametrize('variant', VARIANTS)
@pytest.mark.parametrize('preset', list(PRESETS))
@pytest.mark.parametrize('arch', ['resnet18', 'resnet50'])
def test_config_loads_with_its_preset_and_cost(arch, preset, variant, capsys):
    cfg = Config.fromfile(config_path(arch, preset, variant))
    assert (cfg.model.arch, cfg.model.num_classes) == (arch, 10)
    _, epochs, size = PRESETS[preset]
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.train_dataloader.dataset.pipeline[1].size == size
    assert cfg.val_dataloader.dataset.pipeline[2].crop_size == size
    # Same normalisation and channel order as the downstream libraries' preprocessors.
    assert cfg.model.data_preprocessor.bgr_to_rgb is True
    sampler = cfg.train_dataloader.sampler
    if variant == '':
        assert sampler.type == 'DefaultSampler'
        return
    assert sampler.type == 'DaRSampler' and 'round_up' not in sampler
    assert sampler.policy == {'_dar': 'hardest', '_random': 'random',
                              '_infobatch': 'infobatch', '_rs2': 'rs2'}[variant]
    assert [h['type'] for h in cfg.custom_hooks] == ['DaRHook', 'FiniteLossHook']
    if sampler.policy in ('hardest', 'random'):
        # DaR refreshes where the lr drops.
        assert sampler.refresh_epochs == cfg.param_scheduler[1].milestones
    assert planned_cost(cfg, capsys) == pytest.approx(0.83, abs=5e-4)


def test_resnet18_has_imagenet_stem():
    cfg = Config.fromfile(config_path('resnet18', 'cpu', ''))
    model = MODELS.build(cfg.model)
    convs = [m for m in model.modules() if type(m).__name__ == 'Conv2d']
    assert convs[0].kernel_size == (7, 7) and convs[0].stride == (2, 2)
    assert any(type(m).__name__ == 'MaxPool2d' for m in model.modules())
