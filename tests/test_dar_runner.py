"""DaRSampler + DaRHook inside real mmengine Runners (CPU, in-memory toy data)."""
import json

import pytest
import torch
from helpers import TinyConvClassifier, hardness, make_runner
from mmengine.hooks import Hook
from mmengine.registry import HOOKS, MODELS

from dar_transfer.sampling.dar_log import DaRLog
from dar_transfer.sampling.schedule import DaRSchedule, kept_size, plan_subset_sizes

# real runners, subprocess campaigns, Slurm: `make test` runs them, `make test-fast` not
pytestmark = pytest.mark.slow

DAR = {'warmup_epochs': 1, 'interval': 1, 'keep_ratio': 0.5}


def read_log(work_dir):
    return DaRLog.read(work_dir / 'dar_log.jsonl')


def test_hardest_policy_keeps_exactly_the_highest_losses(tmp_path):
    n = 48
    runner = make_runner(tmp_path, num_samples=n, max_epochs=3,
                         sampler={'warmup_epochs': 1, 'keep_ratio': 0.3})
    runner.train()
    # Drops after epochs 2 and 3: 48 -> 15 -> 5. Nested top-k of a fixed loss is the
    # global top-k.
    subset = runner.train_dataloader.sampler.subset
    expected = torch.sort(hardness(torch.arange(n), n), descending=True).indices[:5]
    assert subset.tolist() == sorted(expected.tolist())
    assert [line['subset_size'] for line in read_log(tmp_path)] == [48, 48, 15]
    assert read_log(tmp_path)[-1]['next_subset_size'] == kept_size(15, 0.3) == 5


def test_log_sizes_and_cost_equal_the_planner(tmp_path):
    n, epochs = 40, 7
    dar = {'warmup_epochs': 1, 'interval': 2, 'keep_ratio': 0.6, 'active_epochs': 4,
           'refresh_epochs': [4]}
    runner = make_runner(tmp_path, num_samples=n, max_epochs=epochs, sampler=dar)
    runner.train()
    planned = plan_subset_sizes(DaRSchedule(max_epochs=epochs, **dar), n)
    log = read_log(tmp_path)
    assert [line['epoch'] for line in log] == list(range(1, epochs + 1))
    assert [line['subset_size'] for line in log] == planned
    assert log[-1]['cost_so_far'] == pytest.approx(sum(planned) / (epochs * n))
    assert [line['refreshed'] for line in log] == [e == 4 for e in range(1, epochs + 1)]
    # Honest progress: max_iters (the ETA's denominator) equals the iterations run.
    assert runner.iter == runner.max_iters == sum(-(-s // 8) for s in planned)


def test_scalars_reach_mmengine_logs(tmp_path):
    runner = make_runner(tmp_path, max_epochs=3, sampler=DAR)
    runner.train()
    scalars = (tmp_path / runner.timestamp / 'vis_data' / 'scalars.json').read_text()
    records = [json.loads(line) for line in scalars.splitlines()]
    assert {r['dar/subset_size'] for r in records if 'dar/subset_size' in r} == {48, 24}
    assert any(r.get('dar/cost', 0) > 0 for r in records)


def test_random_policy_same_sizes_seeded_choice(tmp_path):
    def final_subset(name, seed):
        runner = make_runner(tmp_path / name, max_epochs=3, seed=seed,
                             sampler={**DAR, 'policy': 'random'})
        runner.train()
        return runner.train_dataloader.sampler.subset.tolist(), read_log(tmp_path / name)

    first, log = final_subset('a', 0)
    again, _ = final_subset('b', 0)
    other, _ = final_subset('c', 1)
    assert [line['subset_size'] for line in log] == [48, 48, 24]
    assert len(first) == 12 and first == again and first != other
    hardest = make_runner(tmp_path / 'd', max_epochs=3, sampler=DAR)
    hardest.train()
    assert hardest.train_dataloader.sampler.subset.tolist() != first


@HOOKS.register_module(force=True)
class CrashAfterEpoch(Hook):
    """Simulates a crash after DaRHook logged epoch ``epoch`` but before its checkpoint."""

    priority = 'LOW'  # between DaRHook (NORMAL) and CheckpointHook (VERY_LOW)

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:
            raise KeyboardInterrupt('simulated crash')


@pytest.mark.parametrize('torn', [False, True], ids=['whole-line', 'torn-line'])
def test_resume_equals_uninterrupted_run(tmp_path, torn, caplog, capfd):
    # A trained model, so the scores (and the subset) depend on the restored weights,
    # optimizer and recorder; interval 2 makes epoch 3's drop use epoch 2's losses too.
    dar = {'warmup_epochs': 1, 'interval': 2, 'keep_ratio': 0.5, 'refresh_epochs': [4]}
    model = {'type': 'TinyConvClassifier'}
    whole = make_runner(tmp_path / 'whole', max_epochs=6, sampler=dar, model=model)
    whole.train()

    crashed = make_runner(tmp_path / 'resumed', max_epochs=6, sampler=dar, model=model,
                          custom_hooks=[{'type': 'CrashAfterEpoch', 'epoch': 3}])
    with pytest.raises(KeyboardInterrupt):
        crashed.train()
    assert len(read_log(tmp_path / 'resumed')) == 3  # epoch 3 logged, not checkpointed
    log_file = tmp_path / 'resumed' / 'dar_log.jsonl'
    if torn:  # the crash came in the middle of writing epoch 3's line
        text = log_file.read_text()
        log_file.write_text(text[:len(text) - 40])
        with pytest.raises(ValueError):
            json.loads(log_file.read_text().splitlines()[-1])
    resumed = make_runner(tmp_path / 'resumed', max_epochs=6, sampler=dar, model=model,
                          resume=True)
    resumed.train()

    def comparable(log):
        return [(x['epoch'], x['subset_size'], x['cost_so_far']) for x in log]
    assert comparable(read_log(tmp_path / 'resumed')) == comparable(read_log(tmp_path / 'whole'))
    assert (resumed.train_dataloader.sampler.subset.tolist()
            == whole.train_dataloader.sampler.subset.tolist())
    assert resumed.iter == whole.iter == whole.max_iters
    assert ('dropped a torn last line (line 3' in caplog.text) == torn
    # the recorder is kept out of checkpoints, and mmengine is not told to resume it
    # (its logger writes to the terminal, not to caplog)
    out, err = capfd.readouterr()
    assert 'Auto resumed from' in out + err
    assert 'is not defined in message_hub' not in out + err


def test_image_classifier_records_its_losses(tmp_path):
    model = {'type': 'ImageClassifier', 'arch': 'resnet18', 'num_classes': 4}
    runner = make_runner(tmp_path, num_samples=16, max_epochs=2, model=model,
                         sampler={'keep_ratio': 0.5})
    runner.train()
    assert [line['subset_size'] for line in read_log(tmp_path)] == [16, 8]


def test_hook_without_sampler_fails_at_start(tmp_path):
    runner = make_runner(tmp_path, sampler={'type': 'DefaultSampler'}, max_epochs=2)
    with pytest.raises(ValueError, match="set train_dataloader.sampler=dict.type='DaRSampler'"):
        runner.train()


def test_sampler_without_hook_fails_at_start(tmp_path):
    runner = make_runner(tmp_path, with_hook=False, max_epochs=2)
    with pytest.raises(RuntimeError, match=r"custom_hooks=\[dict\(type='DaRHook'\)\]"):
        runner.train()


@pytest.mark.parametrize('params, message', [
    ({'keep_ratio': 1.5}, r'keep_ratio must be in \(0, 1\], got 1.5'),
    ({'interval': 0}, 'interval must be >= 1, got 0'),
    ({'policy': 'easiest'}, "policy must be one of \\('hardest', 'random', 'infobatch', "
                            "'rs2', 'reweight'\\), got 'easiest'"),
    ({'refresh_epochs': [2, 9]}, r'refresh_epochs must lie in 1..4 \(max_epochs\), got 9'),
    ({'warmup_epochs': 4}, 'warmup_epochs must be < max_epochs'),
])
def test_bad_sampler_params(tmp_path, params, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make_runner(tmp_path, sampler=params, max_epochs=4).train()


def test_model_that_does_not_record_fails_at_first_drop(tmp_path):
    runner = make_runner(tmp_path, sampler=DAR, max_epochs=3,
                         model={'type': 'IndexLossModel', 'num_samples': 48, 'record': False})
    with pytest.raises(RuntimeError, match='no per-sample losses were recorded'):
        runner.train()
    assert [line['epoch'] for line in read_log(tmp_path)] == [1]  # epoch 1 kept
    assert (tmp_path / 'epoch_1.pth').exists()


def test_iteration_scheduler_across_drops_is_rejected(tmp_path):
    scheduler = {'type': 'MultiStepLR', 'by_epoch': True, 'milestones': [3],
                 'convert_to_iter_based': True}
    runner = make_runner(tmp_path, sampler=DAR, max_epochs=4, param_scheduler=scheduler)
    with pytest.raises(ValueError, match='give param_scheduler entries by_epoch=True'):
        runner.train()


def test_short_iteration_warmup_is_allowed(tmp_path):
    warmup = {'type': 'LinearLR', 'by_epoch': False, 'begin': 0, 'end': 6, 'start_factor': 0.1}
    make_runner(tmp_path, sampler=DAR, max_epochs=3, param_scheduler=warmup).train()
    assert len(read_log(tmp_path)) == 3


@MODELS.register_module(force=True)
class DivergingModel(TinyConvClassifier):
    """Its loss turns NaN from the third iteration on."""

    calls = 0

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = super().forward(inputs, data_samples, mode)
        DivergingModel.calls += 1
        if mode == 'loss' and DivergingModel.calls > 2:
            out['loss'] = out['loss'] * float('nan')
        return out


def test_nan_loss_stops_with_a_clear_error(tmp_path):
    DivergingModel.calls = 0
    runner = make_runner(tmp_path, max_epochs=2, model={'type': 'DivergingModel'},
                         custom_hooks=[{'type': 'FiniteLossHook', 'interval': 1}])
    with pytest.raises(FloatingPointError, match='training loss is nan at epoch 1, iteration 3'):
        runner.train()


@HOOKS.register_module(force=True)
class CrashMidEpoch(Hook):
    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        raise KeyboardInterrupt('simulated crash inside an epoch')


def test_a_crashed_runs_recorder_is_not_seen_by_the_next_run(tmp_path):
    # The first run crashes inside an epoch, its recorder (for N=48) still active.
    crashed = make_runner(tmp_path / 'a', max_epochs=2, sampler=DAR,
                          custom_hooks=[{'type': 'CrashMidEpoch'}])
    with pytest.raises(KeyboardInterrupt):
        crashed.train()
    # A later run without DaR records sample indices beyond 48: nothing may catch them.
    plain = make_runner(tmp_path / 'b', num_samples=96, max_epochs=1, with_hook=False,
                        sampler={'type': 'DefaultSampler'})
    plain.train()
    assert plain.iter == 12


def test_log_refuses_a_damaged_line_other_than_the_last(tmp_path):
    log_file = tmp_path / 'dar_log.jsonl'
    log = DaRLog(log_file, resumed_epoch=0, moved_suffix='old')
    for epoch in (1, 2, 3):
        log.append({'epoch': epoch})
    lines = log_file.read_text().splitlines()
    log_file.write_text('\n'.join([lines[0], lines[1][:5], lines[2]]) + '\n')
    with pytest.raises(ValueError, match=r'dar_log.jsonl, line 2: not a JSON record .*'
                                         r'start the run afresh in a new work_dir'):
        DaRLog.read(log_file)
    log_file.write_text('\n'.join(lines) + '\n' + lines[2][:-1])  # no closing brace, no newline
    assert [r['epoch'] for r in DaRLog.read(log_file)] == [1, 2, 3]
    log_file.write_text('\n'.join(lines))  # a whole object but no newline: torn too
    assert [r['epoch'] for r in DaRLog.read(log_file)] == [1, 2]
