"""InfoBatch, RS2 and reweight inside real mmengine Runners (CPU, in-memory toy data):
weights reaching the loss, cost in the log, resume mid-schedule, two ranks agreeing."""
import json

import pytest
import torch
from helpers import make_runner
from mmengine.logging import MessageHub
from policy_helpers import index_loss, weights_by_epoch
from test_dar_runner import CrashAfterEpoch  # noqa: F401  (registers the crash hook)
from test_distributed import run_two_ranks

from dar_transfer.pretrain.classifier import ImageClassifier
from dar_transfer.sampling import recorder
from dar_transfer.sampling.dar_log import DaRLog
from dar_transfer.sampling.selection import PRUNE_STREAM, infobatch_prune, seeded_generator

N = 48
WEIGHTED_MODEL = {'type': 'WeightedIndexLossModel', 'num_samples': N}


def read_log(work_dir):
    return DaRLog.read(work_dir / 'dar_log.jsonl')


def batches(sizes, batch_size=8):
    return [-(-size // batch_size) for size in sizes]


def test_reweight_weights_reach_the_loss(tmp_path):
    runner = make_runner(tmp_path, max_epochs=3, model=WEIGHTED_MODEL,
                         sampler={'policy': 'reweight'})
    runner.train()
    log = read_log(tmp_path)
    assert [line['subset_size'] for line in log] == [N] * 3
    assert log[-1]['cost_so_far'] == 1.0
    epochs = weights_by_epoch(runner.model.applied, batches([N] * 3))
    assert set(epochs[0].values()) == {1.0}  # no previous epoch yet
    losses = index_loss(torch.arange(N), N)
    expected = (losses / losses.mean()).tolist()  # proportional, mean 1 over the data set
    for seen in epochs[1:]:
        assert sorted(seen) == list(range(N))
        assert [seen[i] for i in range(N)] == pytest.approx(expected, rel=1e-6)
    assert runner.iter == runner.max_iters == 18


def test_infobatch_prunes_below_mean_with_unbiased_weights(tmp_path):
    params = {'policy': 'infobatch', 'prune_ratio': 0.5, 'anneal': 0.25}
    runner = make_runner(tmp_path, max_epochs=4, model=WEIGHTED_MODEL, sampler=params)
    runner.train()
    log = read_log(tmp_path)
    sizes = [line['subset_size'] for line in log]
    # Epoch 1: no losses yet, all kept. Epochs 2-3 prune; epoch 4 (floor(0.25 * 4)) is full.
    assert sizes[0] == sizes[3] == N and all(24 <= s < N for s in sizes[1:3])
    assert log[-1]['cost_so_far'] == pytest.approx(sum(sizes) / (4 * N))
    assert [line.get('below_mean_share') for line in log] == [0.5, 0.5, None, None]
    losses = index_loss(torch.arange(N), N)
    below = losses < losses.mean()
    epochs = weights_by_epoch(runner.model.applied, batches(sizes))
    for epoch, seen in enumerate(epochs, start=1):
        if epoch in (2, 3):
            # The subset is the draw every rank makes from the reduced scores and seed.
            kept, weights, _ = infobatch_prune(losses, 0.5, seeded_generator(0, epoch,
                                                                             PRUNE_STREAM))
            assert sorted(seen) == kept.tolist()
            assert all(seen[i] == (2.0 if below[i] else 1.0) for i in seen)
            assert all(below[i] for i in range(N) if i not in seen)  # only below-mean pruned
        else:
            assert sorted(seen) == list(range(N)) and set(seen.values()) == {1.0}
    assert runner.iter == runner.max_iters == sum(batches(sizes))


def test_rs2_trains_a_fresh_share_each_epoch_without_replacement(tmp_path):
    runner = make_runner(tmp_path, num_samples=40, max_epochs=8,
                         model={'type': 'WeightedIndexLossModel', 'num_samples': 40},
                         sampler={'policy': 'rs2', 'keep_ratio': 0.25})
    runner.train()
    log = read_log(tmp_path)
    assert [line['subset_size'] for line in log] == [10] * 8
    assert log[-1]['cost_so_far'] == 0.25
    epochs = weights_by_epoch(runner.model.applied, batches([10] * 8))
    assert all(len(seen) == 10 for seen in epochs)
    assert set().union(*map(set, epochs[:4])) == set(range(40))  # one pass, 4 epochs
    counts = torch.bincount(torch.tensor([i for seen in epochs for i in seen]), minlength=40)
    assert (counts == 2).all()  # two passes, every sample twice
    assert runner.iter == runner.max_iters == 16


@pytest.mark.parametrize('policy, params', [
    ('infobatch', {'prune_ratio': 0.5, 'anneal': 0.2}), ('rs2', {'keep_ratio': 0.4}),
    ('reweight', {})])
def test_resume_mid_schedule_equals_uninterrupted_run(tmp_path, policy, params):
    sampler = {'policy': policy, **params}
    model = {'type': 'WeightedTinyConvClassifier'}
    whole = make_runner(tmp_path / 'whole', max_epochs=6, sampler=sampler, model=model)
    whole.train()
    crashed = make_runner(tmp_path / 'resumed', max_epochs=6, sampler=sampler, model=model,
                          custom_hooks=[{'type': 'CrashAfterEpoch', 'epoch': 3}])
    with pytest.raises(KeyboardInterrupt):
        crashed.train()
    resumed = make_runner(tmp_path / 'resumed', max_epochs=6, sampler=sampler, model=model,
                          resume=True)
    resumed.train()

    def comparable(log):
        return [(x['epoch'], x['subset_size'], x['cost_so_far'], x.get('below_mean_share'))
                for x in log]
    assert comparable(read_log(tmp_path / 'resumed')) == comparable(read_log(tmp_path / 'whole'))
    if policy == 'infobatch':  # the resumed part really pruned
        assert min(x['subset_size'] for x in read_log(tmp_path / 'whole')[3:5]) < N
    done, again = whole.train_dataloader.sampler, resumed.train_dataloader.sampler
    assert done.subset.tolist() == again.subset.tolist()
    assert torch.equal(done.remaining, again.remaining)
    if policy == 'reweight':
        assert torch.equal(done.loss_weights, again.loss_weights)
    for name, value in whole.model.state_dict().items():
        assert torch.allclose(value, resumed.model.state_dict()[name], atol=1e-6), name
    assert resumed.iter == whole.iter == whole.max_iters == resumed.max_iters


@pytest.mark.parametrize('policy', ['infobatch', 'reweight'])
def test_model_that_ignores_the_weights_fails_after_one_epoch(tmp_path, policy):
    runner = make_runner(tmp_path, max_epochs=3, sampler={'policy': policy})  # records only
    with pytest.raises(RuntimeError, match=f"policy='{policy}' weights each sample's loss, "
                                           'but in epoch 1 .*weighted_sample_losses'):
        runner.train()


@pytest.mark.parametrize('params, message', [
    ({'policy': 'infobatch', 'prune_ratio': 1.0}, r'prune_ratio must be in \[0, 1\), got 1.0'),
    ({'policy': 'infobatch', 'anneal': 1.0}, r'anneal must be in \[0, 1\), got 1.0'),
    ({'policy': 'infobatch', 'prune_ratio': -0.2}, r'prune_ratio must be in \[0, 1\)'),
    ({'policy': 'rs2', 'keep_ratio': 0.5, 'interval': 2}, "interval applies only to "
                                                          "policy='hardest' or 'random'"),
    ({'policy': 'hardest', 'prune_ratio': 0.5}, "prune_ratio applies only to "
                                                "policy='infobatch'"),
    ({'policy': 'infobatch', 'keep_ratio': 0.5}, 'keep_ratio applies only to'),
])
def test_bad_policy_values_fail_at_build(tmp_path, params, message):
    with pytest.raises(ValueError, match=message):
        make_runner(tmp_path, sampler=params, max_epochs=4).train()


def test_image_classifier_applies_the_weights():
    model = ImageClassifier(arch='cifar_resnet20', num_classes=4)
    logits = torch.randn(4, 4, requires_grad=True)
    samples = {'gt_label': torch.tensor([0, 1, 2, 3]), 'sample_idx': torch.tensor([3, 0, 2, 1])}
    plain = torch.nn.functional.cross_entropy(logits, samples['gt_label'], reduction='none')
    hub = MessageHub.get_current_instance()
    assert model.loss(logits, samples)['loss'].item() == pytest.approx(plain.mean().item())
    losses = recorder.SampleLossRecorder(4)
    losses.set_weights(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    recorder.activate(hub, losses)
    try:
        loss = model.loss(logits, samples)['loss']
    finally:
        recorder.activate(hub, None)
    weights = torch.tensor([4.0, 1.0, 3.0, 2.0])
    assert loss.item() == pytest.approx((plain * weights).mean().item(), rel=1e-6)
    loss.backward()
    assert logits.grad is not None and losses.weighted_calls == 1
    # The recorded score is the unweighted loss.
    assert losses.sums[samples['sample_idx']].tolist() == pytest.approx(plain.tolist())


@pytest.mark.slow
def test_two_ranks_agree_on_subsets_and_weights(tmp_path):
    run_two_ranks('dist_policy_worker.py', tmp_path)
    losses = index_loss(torch.arange(N), N)
    for policy in ('infobatch', 'rs2', 'reweight'):
        ranks = [json.loads((tmp_path / policy / f'rank{r}.json').read_text()) for r in (0, 1)]
        log = DaRLog.read(tmp_path / policy / 'dar_log.jsonl')
        assert [line['subset_size'] for line in log] == \
            [len(epoch['subset']) for epoch in ranks[0]['epochs']]
        assert len(ranks[0]['epochs']) == len(ranks[1]['epochs']) == 4
        pairs = zip(ranks[0]['epochs'], ranks[1]['epochs'], strict=True)
        for epoch, (first, second) in enumerate(pairs, start=1):
            assert first['subset'] == second['subset'], (policy, epoch)
            assert first['weights'] == second['weights'], (policy, epoch)
            assert set(first['shard']) | set(second['shard']) == set(first['subset'])
            assert first['iterations'] == second['iterations']
            if policy == 'infobatch' and epoch in (2, 3):
                # Each rank scored only its own shard: the draw used both ranks' losses.
                kept, weights, _ = infobatch_prune(losses, 0.5,
                                                   seeded_generator(0, epoch, PRUNE_STREAM))
                assert first['subset'] == kept.tolist()
                assert first['weights'] == weights.tolist()
            if policy == 'reweight' and epoch > 1:
                assert first['weights'] == pytest.approx((losses / losses.mean()).tolist())
        assert ranks[0]['iter'] == ranks[0]['max_iters'] == ranks[1]['max_iters']


def test_report_groups_runs_by_policy(tmp_path):
    from dar_transfer.report.collect import read_run

    runner = make_runner(tmp_path, max_epochs=2, model=WEIGHTED_MODEL,
                         sampler={'policy': 'rs2', 'keep_ratio': 0.5})
    runner.train()
    # The Runner built from arguments dumps no config; write the one a CLI run dumps.
    (tmp_path / runner.timestamp / 'vis_data' / 'config.py').write_text(
        "default_scope = 'mmengine'\ntrain_cfg = dict(by_epoch=True, max_epochs=2)\n")
    record = read_run(tmp_path)
    assert (record.variant, record.cost) == ('rs2', 0.5)
