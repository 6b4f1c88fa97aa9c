"""The policies beside DaR without a runner: pure planning, the draws, the sampler's
state, and `dar-transfer plan --policy`."""
import json
import math
from fractions import Fraction

import pytest
import torch

from dar_transfer.cli import main
from dar_transfer.sampling import DaRSampler
from dar_transfer.sampling.policies import (
    PolicyParams,
    check_dar_only_parameters,
    estimate_prune_ratio,
    full_data_epochs,
    infobatch_prunes_before,
    plan_policy_sizes,
    solve_rs2_keep_ratio,
)
from dar_transfer.sampling.schedule import training_cost
from dar_transfer.sampling.selection import (
    draw_without_replacement,
    infobatch_prune,
    loss_proportional_weights,
    seeded_generator,
)


# -- pure planning -------------------------------------------------------------------
@pytest.mark.parametrize('epochs', [1, 7, 30, 40, 90, 120, 200, 300])
@pytest.mark.parametrize('anneal', [0.0, 0.1, 0.125, 0.3, 0.5, 0.875])
def test_full_data_epochs_follow_infobatchs_rule(epochs, anneal):
    # InfoBatch prunes while the 0-based epoch e < delta * E, delta = 1 - anneal
    # (computed exactly here, as a float comparison could miss a boundary).
    delta = 1 - Fraction(repr(anneal))
    pruning = sum(1 for e in range(epochs) if e < delta * epochs)
    assert full_data_epochs(epochs, anneal) == epochs - pruning
    assert [infobatch_prunes_before(t, epochs, anneal) for t in range(1, epochs + 1)] == \
        [t <= pruning for t in range(1, epochs + 1)]


def test_infobatch_defaults_are_the_papers():
    params = PolicyParams('infobatch')
    assert (params.prune_ratio, params.anneal) == (0.5, 0.125)
    assert full_data_epochs(200, params.anneal) == 25  # InfoBatch's CIFAR recipe


@pytest.mark.parametrize('kwargs, error, message', [
    ({'prune_ratio': 1.0}, ValueError, r'prune_ratio must be in \[0, 1\), got 1.0'),
    ({'prune_ratio': -0.1}, ValueError, r'prune_ratio must be in \[0, 1\), got -0.1'),
    ({'prune_ratio': float('nan')}, ValueError, r'prune_ratio must be in \[0, 1\), got nan'),
    ({'prune_ratio': '0.5'}, TypeError, r"prune_ratio must be a number in \[0, 1\), got '0.5'"),
    ({'prune_ratio': True}, TypeError, 'prune_ratio must be a number'),
    ({'anneal': 1.0}, ValueError, r'anneal must be in \[0, 1\), got 1.0'),
    ({'anneal': -0.5}, ValueError, r'anneal must be in \[0, 1\), got -0.5'),
])
def test_bad_infobatch_values_name_the_parameter(kwargs, error, message):
    with pytest.raises(error, match=message):
        PolicyParams('infobatch', **kwargs)


@pytest.mark.parametrize('policy', ['hardest', 'random', 'rs2', 'reweight'])
def test_infobatch_parameters_are_rejected_elsewhere(policy):
    with pytest.raises(ValueError, match=f"prune_ratio applies only to policy='infobatch', "
                                         f"got prune_ratio=0.3 with policy='{policy}'"):
        PolicyParams(policy, prune_ratio=0.3)


def test_unknown_policy():
    with pytest.raises(ValueError, match=r"policy must be one of \('hardest', 'random', "
                                         r"'infobatch', 'rs2', 'reweight'\), got 'easy'"):
        PolicyParams('easy')


def test_dar_parameters_are_rejected_by_the_other_policies():
    check_dar_only_parameters('rs2', {'keep_ratio': 0.6})  # rs2's own share
    check_dar_only_parameters('hardest', {'warmup_epochs': 3})
    with pytest.raises(ValueError, match="warmup_epochs applies only to policy='hardest' or "
                                         "'random'.*got warmup_epochs=3 with policy='rs2'"):
        check_dar_only_parameters('rs2', {'warmup_epochs': 3})
    with pytest.raises(ValueError, match="keep_ratio applies only to policy='hardest', "
                                         "'random' or 'rs2'"):
        check_dar_only_parameters('infobatch', {'keep_ratio': 0.6})


def test_planned_sizes():
    assert plan_policy_sizes(PolicyParams('reweight'), 4, 50) == [50] * 4
    assert plan_policy_sizes(PolicyParams('rs2'), 3, 50, keep_ratio=0.3) == [15] * 3
    assert plan_policy_sizes(PolicyParams('rs2'), 2, 30, keep_ratio=0.1) == [3] * 2  # exact
    infobatch = PolicyParams('infobatch', prune_ratio=0.4, anneal=0.25)
    # Epoch 1 full (no losses yet), epochs 2..6 expected 100 * (1 - 0.4 * 0.5), 7..8 full.
    assert plan_policy_sizes(infobatch, 8, 100) == [100, 80, 80, 80, 80, 80, 100, 100]
    assert plan_policy_sizes(infobatch, 8, 100, below_mean_share=0.75)[1] == 70
    with pytest.raises(ValueError, match='follows the DaR schedule'):
        plan_policy_sizes(PolicyParams('hardest'), 3, 10)


@pytest.mark.parametrize('epochs, anneal, target, share', [
    (300, 0.125, 0.83, 0.5), (120, 0.125, 0.86, 0.5), (30, 0.125, 0.6, 0.7), (30, 0.0, 0.9, 0.6)])
def test_prune_ratio_estimate_meets_its_expected_cost(epochs, anneal, target, share):
    estimate = estimate_prune_ratio(epochs, anneal, target, below_mean_share=share)
    assert estimate.reachable and 0 < estimate.prune_ratio < 1
    assert estimate.expected_cost == pytest.approx(target, abs=1e-4)
    params = PolicyParams('infobatch', prune_ratio=estimate.prune_ratio, anneal=anneal)
    sizes = plan_policy_sizes(params, epochs, 100_000, below_mean_share=share)
    assert training_cost(sizes, 100_000) == pytest.approx(target, abs=1e-4)


def test_prune_ratio_estimate_out_of_reach():
    estimate = estimate_prune_ratio(10, 0.5, 0.3)
    assert not estimate.reachable and estimate.prune_ratio < 1
    assert estimate.min_cost == pytest.approx(1 - 4 * 0.9999 * 0.5 / 10)
    with pytest.raises(ValueError, match=r'target cost must be in \(0, 1\], got 0'):
        estimate_prune_ratio(10, 0.5, 0)
    with pytest.raises(ValueError, match=r'below_mean_share must be in \(0, 1\], got 0'):
        estimate_prune_ratio(10, 0.5, 0.8, below_mean_share=0)


def test_prune_ratio_estimate_agrees_with_simulated_draws():
    # Scores with a known below-mean share (a right-skewed distribution: 70% below);
    # the measured cost of real draws lies close to the estimate's expected cost.
    n, epochs, anneal = 20_000, 20, 0.1
    scores = torch.cat([torch.full((14_000,), 1.0), torch.full((6_000,), 4.0)])
    estimate = estimate_prune_ratio(epochs, anneal, 0.75, below_mean_share=0.7)
    sizes = [n]
    for epoch in range(2, epochs + 1):
        if infobatch_prunes_before(epoch, epochs, anneal):
            kept, _, below = infobatch_prune(scores, estimate.prune_ratio,
                                             seeded_generator(0, epoch, 2))
            assert below == 14_000
            sizes.append(len(kept))
        else:
            sizes.append(n)
    assert training_cost(sizes, n) == pytest.approx(estimate.expected_cost, abs=0.005)


def test_rs2_keep_ratio_for_a_target_cost():
    assert solve_rs2_keep_ratio(50_000, 0.83) == 0.83
    assert math.ceil(solve_rs2_keep_ratio(7, 0.5) * 7) in (3, 4)
    with pytest.raises(ValueError, match='target cost must be in'):
        solve_rs2_keep_ratio(10, 1.5)


# -- the draws -----------------------------------------------------------------------
def test_infobatch_prune_keeps_unseen_and_above_mean_and_reweights_the_rest():
    n, ratio = 10_000, 0.3
    scores = torch.rand(n, generator=torch.Generator().manual_seed(1))
    scores[:100] = float('nan')  # never trained
    kept, weights, below = infobatch_prune(scores, ratio, seeded_generator(3, 2, 2))
    seen = ~torch.isnan(scores)
    is_below = seen & (scores < scores[seen].mean())
    assert below == int(is_below.sum())
    in_kept = torch.zeros(n, dtype=torch.bool)
    in_kept[kept] = True
    assert in_kept[~is_below].all()  # unseen and above-mean samples are never pruned
    pruned_share = 1 - in_kept[is_below].float().mean().item()
    assert pruned_share == pytest.approx(ratio, abs=0.03)
    assert torch.equal(weights[is_below & in_kept],
                       torch.full((int((is_below & in_kept).sum()),), 1 / (1 - ratio)))
    assert (weights[~(is_below & in_kept)] == 1).all()
    assert torch.equal(kept, torch.sort(kept).values)
    again = infobatch_prune(scores, ratio, seeded_generator(3, 2, 2))
    assert torch.equal(again[0], kept) and torch.equal(again[1], weights)
    other = infobatch_prune(scores, ratio, seeded_generator(4, 2, 2))
    assert not torch.equal(other[0], kept)


def test_infobatch_prune_ratio_zero_keeps_all_unweighted():
    kept, weights, _ = infobatch_prune(torch.arange(10.0), 0.0, seeded_generator(0, 1, 2))
    assert kept.tolist() == list(range(10)) and (weights == 1).all()


def test_loss_proportional_weights_have_mean_one():
    scores = torch.tensor([1.0, 2.0, 3.0, float('nan'), 6.0])
    weights = loss_proportional_weights(scores)
    assert weights.mean().item() == pytest.approx(1.0)
    assert weights[3] == 1  # unseen
    assert weights[[0, 1, 2, 4]].tolist() == pytest.approx([1 / 3, 2 / 3, 1.0, 2.0])
    assert (loss_proportional_weights(torch.zeros(4)) == 1).all()


@pytest.mark.parametrize('n, keep, epochs', [(10, 4, 5), (12, 5, 12), (9, 3, 6), (5, 5, 3)])
def test_rs2_draws_without_replacement_across_epochs(n, keep, epochs):
    remaining = torch.zeros(0, dtype=torch.long)
    drawn = []
    for epoch in range(1, epochs + 1):
        subset, remaining = draw_without_replacement(remaining, keep, n,
                                                     seeded_generator(0, epoch, 3))
        assert len(subset) == keep == len(set(subset.tolist()))  # no repeat in an epoch
        drawn.append(subset)
    passes = keep * epochs // n
    counts = torch.bincount(torch.cat(drawn), minlength=n)
    assert (counts == passes).all()  # every sample once per pass
    # No sample repeats before all have been seen: the first pass's epochs are disjoint.
    first_pass = torch.cat(drawn[:n // keep])
    assert len(set(first_pass.tolist())) == len(first_pass)


# -- the sampler ---------------------------------------------------------------------
def sampler(policy, n=40, **kwargs):
    return DaRSampler(list(range(n)), seed=5, policy=policy, **kwargs)


@pytest.mark.parametrize('kwargs, message', [
    ({'policy': 'infobatch', 'prune_ratio': 1.5}, r'prune_ratio must be in \[0, 1\), got 1.5'),
    ({'policy': 'infobatch', 'anneal': 1}, r'anneal must be in \[0, 1\), got 1'),
    ({'policy': 'rs2', 'warmup_epochs': 2}, "warmup_epochs applies only to policy='hardest'"),
    ({'policy': 'rs2', 'keep_ratio': 0}, r'keep_ratio must be in \(0, 1\], got 0'),
    ({'policy': 'reweight', 'refresh_epochs': [3]}, 'refresh_epochs applies only'),
    ({'policy': 'infobatch', 'keep_ratio': 0.5}, 'keep_ratio applies only'),
    ({'policy': 'hardest', 'anneal': 0.1}, "anneal applies only to policy='infobatch'"),
])
def test_sampler_rejects_bad_values(kwargs, message):
    policy = kwargs.pop('policy')
    with pytest.raises(ValueError, match=message):
        sampler(policy, **kwargs)


def run_steps(s, first, last, scores_of):
    for epoch in range(first, last + 1):
        s.step(epoch, scores_of(epoch) if s.needs_scores(epoch) else None)


@pytest.mark.parametrize('policy, kwargs', [
    ('rs2', {'keep_ratio': 0.3}), ('infobatch', {'prune_ratio': 0.6, 'anneal': 0.25}),
    ('reweight', {})])
def test_sampler_state_resumes_mid_schedule(policy, kwargs):
    def scores_of(epoch):  # different losses every epoch, some samples unseen
        scores = torch.rand(40, generator=torch.Generator().manual_seed(epoch))
        scores[epoch] = float('nan')
        return scores

    whole = sampler(policy, **kwargs)
    whole.configure(8)
    run_steps(whole, 1, 5, scores_of)

    first = sampler(policy, **kwargs)
    first.configure(8)
    run_steps(first, 1, 3, scores_of)
    state = first.state_dict()
    buffer = __import__('io').BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    resumed = sampler(policy, **kwargs)
    resumed.configure(8)
    resumed.load_state_dict(torch.load(buffer, weights_only=True))
    run_steps(resumed, 4, 5, scores_of)
    assert torch.equal(resumed.subset, whole.subset)
    assert (resumed.loss_weights is None) == (whole.loss_weights is None)
    if whole.loss_weights is not None:
        assert torch.equal(resumed.loss_weights, whole.loss_weights)
    assert torch.equal(resumed.remaining, whole.remaining)


def test_sampler_rs2_sizes_and_infobatch_anneal():
    rs2 = sampler('rs2', keep_ratio=0.25)
    rs2.configure(6)
    sizes = [rs2.subset_size]
    for epoch in range(1, 6):
        rs2.step(epoch, None)
        sizes.append(rs2.subset_size)
    assert sizes == rs2.planned_sizes() == [10] * 6

    info = sampler('infobatch', prune_ratio=0.5, anneal=0.25)
    info.configure(8)  # epochs 1..6 may prune, 7..8 are full
    scores = torch.arange(40.0)
    sizes = [info.subset_size]
    for epoch in range(1, 8):
        info.step(epoch, scores if info.needs_scores(epoch) else None)
        sizes.append(info.subset_size)
    assert sizes[0] == 40 and all(s < 40 for s in sizes[1:6]) and sizes[6:] == [40, 40]
    assert info.loss_weights is None


def test_version_1_state_is_migrated_and_unknown_versions_refused():
    old = sampler('hardest', keep_ratio=0.5)
    old.configure(4)
    state = old.state_dict()
    v1 = {'version': 1, 'num_samples': 40, 'seed': 5, 'policy': 'hardest',
          'params': {k: v for k, v in state['params'].items()
                     if k not in ('prune_ratio', 'anneal')},
          'subset': torch.arange(20), 'schedule_state': state['schedule_state']}
    new = sampler('hardest', keep_ratio=0.5)
    new.configure(4)
    new.load_state_dict(v1)
    assert new.subset.tolist() == list(range(20)) and new.loss_weights is None
    with pytest.raises(ValueError, match='version 7 is not one this version of dar-transfer '
                                         r'reads \(1 or 2\)'):
        new.load_state_dict({**state, 'version': 7})


def test_changed_policy_settings_refuse_to_resume():
    first = sampler('infobatch', prune_ratio=0.5)
    first.configure(4)
    other = sampler('infobatch', prune_ratio=0.3)
    other.configure(4)
    with pytest.raises(ValueError, match="'prune_ratio': 0.5.*'prune_ratio': 0.3"):
        other.load_state_dict(first.state_dict())


# -- dar-transfer plan --policy --------------------------------------------------------
def plan_json(argv, capsys):
    code = main(['plan', '--num-samples', '50000', '--epochs', '300', *argv, '--json'])
    return code, json.loads(capsys.readouterr().out)


def test_plan_infobatch_is_approximate(capsys):
    code = main(['plan', '--num-samples', '50000', '--epochs', '300', '--policy', 'infobatch',
                 '--target-cost', '0.83'])
    out = capsys.readouterr().out
    assert code == 0
    assert 'InfoBatch cannot be planned exactly' in out
    assert 'estimated prune_ratio: 0.3893 for target cost 0.830 (approximate)' in out
    assert 'expected cost: 0.830' in out
    code, result = plan_json(['--policy', 'infobatch', '--target-cost', '0.83'], capsys)
    assert result['exact'] is False and result['reachable'] and result['prune_ratio'] == 0.3893
    assert result['cost'] == pytest.approx(0.83, abs=1e-4)
    code, result = plan_json(['--policy', 'infobatch', '--prune-ratio', '0.5',
                              '--below-mean-share', '0.7'], capsys)
    assert result['sizes'][0] == 50000 and result['sizes'][1] == 32500
    assert result['sizes'][-37:] == [50000] * 37  # floor(0.125 * 300) full epochs


def test_plan_infobatch_out_of_reach(capsys, caplog):
    code = main(['plan', '--num-samples', '100', '--epochs', '10', '--policy', 'infobatch',
                 '--anneal', '0.5', '--target-cost', '0.3'])
    assert code == 1
    assert 'target cost 0.300 is out of reach for InfoBatch' in caplog.text


def test_plan_rs2_and_reweight_are_exact(capsys):
    code, result = plan_json(['--policy', 'rs2', '--keep', '0.6'], capsys)
    assert code == 0 and result['exact'] and result['sizes'] == [30000] * 300
    assert result['cost'] == 0.6
    code, result = plan_json(['--policy', 'rs2', '--target-cost', '0.83'], capsys)
    assert result['keep_ratio'] == 0.83 and result['cost'] == pytest.approx(0.83)
    code, result = plan_json(['--policy', 'reweight'], capsys)
    assert code == 0 and result['cost'] == 1.0 and result['exact']


@pytest.mark.parametrize('argv, message', [
    (['--policy', 'infobatch', '--prune-ratio', '1'],
     '--prune-ratio (prune_ratio) must be in [0, 1), got 1.0'),
    (['--policy', 'infobatch', '--anneal', '1.2'], '--anneal (anneal) must be in [0, 1)'),
    (['--policy', 'infobatch', '--keep', '0.5'], '--keep does not apply to --policy infobatch'),
    (['--policy', 'rs2', '--keep', '0.5', '--warmup', '3'],
     '--warmup does not apply to --policy rs2'),
    (['--policy', 'rs2'], '--policy rs2 needs --keep or --target-cost'),
    (['--policy', 'rs2', '--keep', '1.5'], '--keep (keep_ratio) must be in (0, 1]'),
    (['--policy', 'reweight', '--target-cost', '0.8'], 'cannot be met'),
    (['--keep', '0.5', '--prune-ratio', '0.3'], '--prune-ratio applies only to --policy '
                                                'infobatch'),
    ([], '--policy hardest needs --keep or --target-cost'),
])
def test_plan_policy_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(['plan', '--epochs', '12', *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
