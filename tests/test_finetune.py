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
from dar_transfer.utils.machine import machine

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


@pytest.fixture(scope='module')
def finetuned(exported, tmp_path_factory):
    """Fine-tune each task once for the module: task -> its work_dir."""
    runs = {}

    def run(task: str):
        if task not in runs:
            root, data = exported
            work_dir = tmp_path_factory.mktemp(f'finetuned_{task}')
            config = write_toy_config(task, root / 'checkpoints' / f'r18_{task}.py', data[task],
                                      length=8 if task == 'seg' else 2)
            assert main(['finetune', str(config), '--work-dir', str(work_dir),
                         '--cfg-options', 'randomness.seed=0']) == 0
            runs[task] = work_dir
        return runs[task]
    return run


@pytest.mark.slow
@pytest.mark.parametrize('task', list(METRICS))
def test_finetune_train_val_test(task, finetuned):
    work_dir = finetuned(task)
    summary = json.loads((work_dir / 'finetune_summary.json').read_text())
    assert METRICS[task] in summary['test']
    assert isinstance(summary['test'][METRICS[task]], float) and summary['seed'] == 0
    assert summary['machine'] == machine()  # the report notes pairs across machine kinds
    # mmengine's own record of the test, which the report reads.
    results = [p for p in work_dir.glob('*/*.json') if p.stem == p.parent.name]
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


@pytest.fixture(scope='module')
def seg_bn_check():
    """benchmarks/seg_bn_check.py, a script outside the package, as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location('seg_bn_check', 'benchmarks/seg_bn_check.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_seg_bn_check_tests_a_run_as_it_was_and_with_its_statistics_estimated_again(
        finetuned, seg_bn_check, tmp_path):
    work_dir = finetuned('seg')
    config = next(work_dir.glob('r18_seg*.py'))
    checkpoint = next(work_dir.glob('iter_*.pth'))
    out = tmp_path / 'check.json'
    assert seg_bn_check.main([str(config), str(checkpoint), '--passes', '1',
                              '--work-dir', str(tmp_path / 'work'), '--out', str(out)]) == 0
    results = {r['mode']: r for r in json.loads(out.read_text())['results']}
    summary = json.loads((work_dir / 'finetune_summary.json').read_text())
    # as-is loads the checkpoint and repeats the run's own test, to the last digit
    assert results['as-is']['test'] == summary['test'] and 'shift' not in results['as-is']
    for mode in ('crops', 'whole'):
        shift = results[mode]['shift']
        assert shift['layers'] > 20 and shift['batches'] >= 1
        assert shift['unused_layers'] == 1  # the auxiliary head's: it runs in training only
        assert shift['mean_shift_max'] > 0 and shift['var_ratio_median'] > 0
        assert 0 <= results[mode]['test']['mIoU'] <= 100
    # The hook cpu-v3 adds gives the check's whole-image test, through mmengine's own test
    # of the checkpoint (as tools/test.py would run it)
    from mmengine.runner import Runner

    from dar_transfer.finetune.bn_hook import ReestimateBatchNormHook
    from dar_transfer.finetune.cli import plain_metrics
    from dar_transfer.utils.runner_setup import build_config, finish_config

    hooks = [dict(type='ReestimateBatchNormHook', pipeline='test', batch_size=8)]
    cfg = build_config(str(config), {'load_from': str(checkpoint), 'custom_hooks': hooks},
                       work_dir=str(tmp_path / 'hook'))
    runner = Runner.from_cfg(finish_config(cfg, resume=None, amp=False, launcher='none'))
    with_hook = plain_metrics(runner.test())
    hook = next(h for h in runner.hooks if isinstance(h, ReestimateBatchNormHook))
    assert with_hook == results['whole']['test'] != results['as-is']['test']
    assert vars(hook.shift) == results['whole']['shift']


def test_reestimate_hook_loads_every_training_image_once_through_the_chosen_pipeline():
    from mmengine.config import Config

    from dar_transfer.finetune.bn_hook import ReestimateBatchNormHook, statistics_loader_cfg

    train = [dict(type='LoadImageFromFile'), dict(type='RandomCrop', crop_size=(8, 8))]
    test = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(16, 16))]
    cfg = Config(dict(
        train_dataloader=dict(batch_size=4, persistent_workers=True,
                              sampler=dict(type='InfiniteSampler', shuffle=True),
                              dataset=dict(type='Toy', pipeline=train)),
        test_dataloader=dict(batch_size=1, dataset=dict(type='Toy', pipeline=test))))
    whole = statistics_loader_cfg(cfg, 'test', 8)
    assert whole.sampler == dict(type='DefaultSampler', shuffle=False)
    assert (whole.batch_size, whole.persistent_workers) == (8, False)
    assert whole.dataset.pipeline == test and whole.dataset.type == 'Toy'
    assert statistics_loader_cfg(cfg, 'train', 4, shuffle=True).dataset.pipeline == train
    assert cfg.train_dataloader.sampler.type == 'InfiniteSampler'  # the config is untouched
    with pytest.raises(ValueError, match='has none: add it'):
        statistics_loader_cfg(Config(dict(train_dataloader=cfg.train_dataloader)), 'test', 8)
    with pytest.raises(ValueError, match='no train_dataloader: add it'):
        statistics_loader_cfg(Config(dict(test_dataloader=cfg.test_dataloader)), 'test', 8)
    for bad, match in [(dict(pipeline='val'), 'pipeline must be one of'),
                       (dict(batch_size=1), 'batch_size must be at least 2'),
                       (dict(passes=0), 'passes must be at least 1')]:
        with pytest.raises(ValueError, match=match):
            ReestimateBatchNormHook(**bad)


def test_reestimated_statistics_are_the_average_over_the_batches_and_nothing_else_moves():
    from dar_transfer.finetune.bn_stats import reestimate_batch_norm

    torch.manual_seed(0)
    # the third module, a head the forward below never reaches (as mmseg's auxiliary head
    # outside training), must keep its statistics
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                torch.nn.BatchNorm1d(4))
    model.train()
    for _ in range(5):  # running statistics of another distribution, as training left them
        model(torch.randn(16, 3) * 5 - 2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    weights = {k: v for k, v in before.items() if k.startswith('2.') or
               ('running' not in k and 'num_batches' not in k)}
    batches = [torch.randn(8, 3) + 1 for _ in range(4)]
    shift = reestimate_batch_norm(model, iter(batches), lambda m, b: m[:2](b), max_batches=3)
    bn = model[1]
    with torch.no_grad():
        hidden = [model[0](b) for b in batches[:3]]  # max_batches: the fourth is not used
    assert torch.allclose(bn.running_mean, torch.stack([h.mean(0) for h in hidden]).mean(0))
    assert torch.allclose(bn.running_var, torch.stack([h.var(0) for h in hidden]).mean(0))
    assert (shift.layers, shift.unused_layers, shift.batches) == (1, 1, 3)
    assert shift.mean_shift_max > 0
    assert bn.momentum == 0.1 and not model.training
    for name, value in weights.items():
        assert torch.equal(model.state_dict()[name], value), name

    def breaks(m, b):
        m[:2](b)
        raise RuntimeError('out of memory')

    estimated = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match='out of memory'):  # no half-estimated layer
        reestimate_batch_norm(model, iter(batches), breaks, max_batches=3)
    assert all(torch.equal(model.state_dict()[k], v) for k, v in estimated.items())
    with pytest.raises(ValueError, match='reached no batch-norm layer'):
        reestimate_batch_norm(model, iter(batches), lambda m, b: m[0](b), max_batches=1)
    assert all(torch.equal(model.state_dict()[k], v) for k, v in estimated.items())
    with pytest.raises(ValueError, match='no batch-norm layer'):
        reestimate_batch_norm(torch.nn.Linear(2, 2), batches, lambda m, b: m(b), 1)
    with pytest.raises(ValueError, match='no batch to estimate'):
        reestimate_batch_norm(model, [], lambda m, b: m(b), 1)


def test_seg_bn_check_summarises_paired_runs_by_mode(seg_bn_check, tmp_path, capsys):
    base = {0: 30.0, 1: 32.0, 2: 31.0}
    shifts = {'baseline': (0, 0, 0), 'dar': (1, 2, 0), 'random': (0, -1, -2)}
    for variant, shift in shifts.items():
        for seed, value in base.items():
            results = [{'mode': 'as-is', 'test': {'mIoU': value + shift[seed]}},
                       {'mode': 'whole', 'test': {'mIoU': value + 1}}]
            (tmp_path / f'{variant}_s{seed}.json').write_text(json.dumps({'results': results}))
    assert seg_bn_check.main(['--summarise', str(tmp_path)]) == 0
    out = capsys.readouterr().out
    as_is, whole = out.split('### whole')
    assert '| dar | 31.00 | 34.00 | 31.00 | 32.00 |' in as_is
    assert '- dar - baseline: +1.00 [' in as_is and '- random - baseline: -1.00 [' in as_is
    assert 'on 4 df' in as_is  # 3 variants x 3 seeds: (3 - 1) x (3 - 1)
    # every variant equal in every seed: no difference, and an interval of width 0
    assert '- dar - baseline: +0.00 [' in whole and '.00, +0.00] over 3 seeds' in whole
    with pytest.raises(SystemExit, match="no 'scratch' runs"):
        seg_bn_check.summarise(tmp_path, 'scratch')
    # a variant that joined later is summarised apart, pooled with the reference alone
    assert seg_bn_check.main(['--summarise', str(tmp_path), '--variants', 'baseline', 'dar']) == 0
    as_is = capsys.readouterr().out.split('### whole')[0]
    assert '| random |' not in as_is and 'on 2 df' in as_is  # (2 - 1) x (3 - 1)
    assert '- dar - baseline: +1.00 [' in as_is
    with pytest.raises(SystemExit, match='no runs of rs2: check --variants'):
        seg_bn_check.summarise(tmp_path, 'baseline', variants=['baseline', 'rs2'])
