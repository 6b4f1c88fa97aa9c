"""Every shipped pretraining config loads and builds; at toy size it trains and evaluates."""
import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DATASETS, MODELS

from dar_transfer.cli import main
from dar_transfer.demo.classification_data import (
    write_cifar_batches,
    write_image_folder,
    write_image_list_layout,
)
from dar_transfer.pretrain.long_tail import write_long_tail_list
from dar_transfer.utils.machine import machine

CONFIG_DIR = Path(__file__).parents[1] / 'configs' / 'pretrain'
# configs/pretrain/mmpretrain/ inherits mmpretrain's own configs (the baseline is
# mmpretrain's); tests/test_mmpretrain.py builds and trains those. The Imagenette configs
# have their own tests (tests/test_imagenette_configs.py).
CONFIGS = sorted(p for p in CONFIG_DIR.glob('*/*.py')
                 if p.parent.name not in ('_base_', 'mmpretrain', 'imagenette'))
# The policies beside DaR, configured for one setting each (not for every arch).
OTHER_POLICY_CONFIGS = {
    'resnet110_1xb128-300e_cifar10_infobatch': 'infobatch',
    'resnet110_1xb128-300e_cifar10_rs2': 'rs2',
    'resnet110_1xb128-300e_cifar10_reweight': 'reweight',
    'resnet50_8xb32-120e_in1k_infobatch': 'infobatch', 'resnet50_8xb32-120e_in1k_rs2': 'rs2'}


def test_every_setting_has_baseline_dar_and_random():
    stems = {p.stem for p in CONFIGS} - set(OTHER_POLICY_CONFIGS)
    assert set(OTHER_POLICY_CONFIGS) <= {p.stem for p in CONFIGS}
    baselines = {s for s in stems if not s.endswith(('_dar', '_random'))}
    # ImageNet archs, CIFAR-10 and CIFAR-100 archs, ImageNet-LT and CIFAR-10-LT
    assert len(baselines) == 7 + 3 + 3 + 1 + 1
    assert stems == {f'{b}{suffix}' for b in baselines for suffix in ('', '_dar', '_random')}


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_loads_and_builds_model(path):
    cfg = Config.fromfile(path)
    MODELS.build(cfg.model)
    sampler = cfg.train_dataloader.sampler
    if path.stem in OTHER_POLICY_CONFIGS:
        assert sampler.type == 'DaRSampler' and 'round_up' not in sampler
        assert sampler.policy == OTHER_POLICY_CONFIGS[path.stem]
        assert [h['type'] for h in cfg.custom_hooks] == ['DaRHook', 'FiniteLossHook']
    elif path.stem.endswith(('_dar', '_random')):
        assert sampler.type == 'DaRSampler'
        assert [h['type'] for h in cfg.custom_hooks] == ['DaRHook', 'FiniteLossHook']
        assert sampler.policy == ('hardest' if path.stem.endswith('_dar') else 'random')
        assert 'round_up' not in sampler  # DefaultSampler's keys were deleted, not merged
    else:
        assert sampler.type == 'DefaultSampler'
        assert [h['type'] for h in cfg.custom_hooks] == ['FiniteLossHook']


@pytest.fixture(scope='module')
def toy_data(tmp_path_factory):
    root = tmp_path_factory.mktemp('data')
    return {'imagenet': write_image_folder(root / 'imagenet', num_classes=4,
                                           per_class={'train': 3, 'val': 1}, size=40),
            'cifar10': write_cifar_batches(root / 'cifar10', train_per_class=1),
            'cifar100': write_cifar_batches(root / 'cifar100', variant='cifar100',
                                            train_per_class=1, test_per_class=1),
            'cifar10_lt': write_cifar_batches(root / 'cifar10_lt', train_per_class=2),
            'imagenet_lt': write_imagenet_lt_lists(write_image_folder(
                root / 'imagenet_lt', num_classes=4, per_class={'train': 6, 'val': 1},
                size=40))}


def write_imagenet_lt_lists(root: Path) -> Path:
    """ImageNet-LT's list files over a toy ImageFolder: a long-tailed train list, the
    whole val folder as the test list."""
    write_long_tail_list(root, 'train', 3, root / 'ImageNet_LT_train.txt')
    write_long_tail_list(root, 'val', 1, root / 'ImageNet_LT_test.txt')
    return root


def toy_options(family: str, data_root: Path, dar: bool) -> list[str]:
    # One checkpoint (the last) instead of one per epoch (a ResNet-152's is 0.5 GB), and
    # one batch per epoch: the toy sets hold 12 to 100 images.
    options = ['train_cfg.max_epochs=2', 'train_dataloader.batch_size=64',
               'default_hooks.checkpoint.interval=2',
               'default_hooks.logger.interval=1']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options += [f'{loader}.dataset.data_root={data_root}', f'{loader}.num_workers=0',
                    f'{loader}.persistent_workers=False']
    if family == 'cifar10_lt':  # 10 images per class: imbalance 5 keeps 10 down to 2
        options += ['train_dataloader.dataset.imbalance=5',
                    f'val_evaluator.1.train_dataset.data_root={data_root}',
                    'val_evaluator.1.train_dataset.imbalance=5']
    if family == 'imagenet_lt':
        options += [f'val_evaluator.1.train_ann_file={data_root}/ImageNet_LT_train.txt']
    if family in ('imagenet', 'imagenet_lt'):
        options += ['model.num_classes=4', 'train_dataloader.dataset.pipeline.1.size=32',
                    'val_dataloader.dataset.pipeline.1.size=36',
                    'val_dataloader.dataset.pipeline.2.crop_size=32']
    if dar:  # the paper's warm-up is longer than a toy run, its keep ratio too gentle
        options += ['train_dataloader.sampler.warmup_epochs=0',
                    'train_dataloader.sampler.refresh_epochs=[]',
                    'train_dataloader.sampler.interval=1',
                    'train_dataloader.sampler.keep_ratio=0.5']
    return options


# A random config is its DaR config with policy='random' (checked above), and the random
# policy trains in tests/test_dar_runner.py and in the demo, so the toy runs leave the
# random configs out: about a sixth of this file's time on 2 cores.
TRAINED = [p for p in CONFIGS if not p.stem.endswith('_random')]


@pytest.mark.slow
@pytest.mark.parametrize('path', TRAINED, ids=lambda p: p.stem)
def test_config_trains_one_toy_run(path, toy_data, tmp_path):
    family = path.parent.name
    dar = path.stem.endswith(('_dar', '_random'))
    policy = OTHER_POLICY_CONFIGS.get(path.stem)
    options = toy_options(family, toy_data[family], dar)
    if policy == 'infobatch':  # prune hard enough that a toy set surely loses a sample
        options.append('train_dataloader.sampler.prune_ratio=0.9')
    code = main(['pretrain', str(path), '--work-dir', str(tmp_path), '--cfg-options', *options])
    if policy is not None:  # their own settings run as they are; reweight costs 1.0
        summary = json.loads((tmp_path / 'summary.json').read_text())
        assert code == 0 and summary['dar'] and summary['top1'] is not None
        assert (summary['cost'] == 1.0) if policy == 'reweight' else summary['cost'] < 1.0
        return
    assert code == 0
    summary = json.loads((tmp_path / 'summary.json').read_text())
    assert summary['epochs'] == 2 and summary['top1'] is not None
    assert summary['machine'] == machine()
    assert (tmp_path / 'epoch_2.pth').exists()
    assert summary['dar'] == dar
    assert (summary['cost'] < 1.0) if dar else summary['cost'] == 1.0


def test_annotation_file_base_reads_the_meta_layout(tmp_path):
    root = write_image_list_layout(tmp_path, num_classes=2, per_class={'train': 2, 'val': 1})
    cfg = Config.fromfile(CONFIG_DIR / '_base_' / 'datasets' / 'imagenet_bs32_annfile.py')
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.dataset.data_root = str(root)
        loader.dataset.num_classes = 2
    assert len(DATASETS.build(cfg.train_dataloader.dataset)) == 4
    val = DATASETS.build(cfg.val_dataloader.dataset)
    assert len(val) == 2 and tuple(val[0]['inputs'].shape) == (3, 224, 224)


@pytest.mark.parametrize('argv, message', [
    (['configs/pretrain/nope.py'], 'config file configs/pretrain/nope.py not found'),
    ([str(CONFIGS[0]), '--cfg-options', 'train_dataloder.batch_size=2'],
     "the config has no 'train_dataloder' (a typo?)"),
    ([str(CONFIGS[0]), '--cfg-options', 'train_dataloader.dataset.data_root=/no/such/dir'],
     "train_dataloader.dataset.data_root '/no/such/dir' does not exist"),
    ([str(CONFIGS[0]), '--amp'], '--amp needs a GPU'),
    ([str(CONFIGS[0]), '--resume', '--work-dir', '/tmp/dar-empty-work-dir'],
     'no checkpoint to resume'),
])
def test_newcomer_errors(argv, message, capsys, toy_data):
    if '--amp' in argv and torch.cuda.is_available():
        pytest.skip('--amp is valid where a GPU is present')
    if '--amp' in argv or '--resume' in argv:
        argv = [*argv, '--cfg-options',
                *[f'{loader}.dataset.data_root={toy_data["cifar10"]}'
                  for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]]
    with pytest.raises(SystemExit) as exit_info:
        main(['pretrain', *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
