"""The pure DaR schedule against hand-computed cases (the contract in
docs/design/schedule.md)."""
import math

import pytest

from dar_transfer.sampling.schedule import (
    DaRSchedule,
    kept_size,
    plan_subset_sizes,
    training_cost,
)


def sizes(num_samples, **kwargs):
    return plan_subset_sizes(DaRSchedule(**kwargs), num_samples)


def test_kept_size_is_exact_ceil():
    assert kept_size(30, 0.1) == 3  # 0.1 * 30 is 3.0000000000000004 in floats
    assert kept_size(10, 0.7) == 7  # 0.7 * 10 is 7.000000000000001
    assert kept_size(100, 0.29) == 29
    assert kept_size(31, 0.1) == 4
    assert kept_size(1, 0.01) == 1
    assert kept_size(7, 1.0) == 7


def test_hand_computed_cyclic():
    # E=10, W=2, I=2, p=0.5, no active limit, refresh after 6, N=100.
    # drops after 4 (100->50), after 6 drop (50->25) then refresh (->100, T_prev=6),
    # after 8 (100->50), after 10 (50->25, not trained).
    got = sizes(100, max_epochs=10, warmup_epochs=2, interval=2, keep_ratio=0.5,
                refresh_epochs=[6])
    assert got == [100, 100, 100, 100, 50, 50, 100, 100, 50, 50]


def test_hand_computed_paper_literal_never_drops_after_refresh():
    # E=10, W=1, I=1, p=0.5, a=2, refresh after 5, N=100. Drop after 2; the active
    # limit stops drops after 3. Cyclic: the refresh sets T_prev=5, so drop after 6.
    # Paper-literal: T_prev stays 2, so t - T_prev never equals I again.
    common = dict(max_epochs=10, warmup_epochs=1, interval=1, keep_ratio=0.5,
                  active_epochs=2, refresh_epochs=[5])
    assert sizes(100, **common) == [100, 100, 50, 50, 50, 100, 50, 50, 50, 50]
    assert sizes(100, semantics='paper-literal', **common) == [
        100, 100, 50, 50, 50, 100, 100, 100, 100, 100]


def test_paper_literal_keeps_dropping_while_the_chain_is_unbroken():
    # Without an active limit T_prev keeps advancing, so the literal reading drops too.
    got = sizes(100, max_epochs=10, warmup_epochs=2, interval=2, keep_ratio=0.5,
                refresh_epochs=[5], semantics='paper-literal')
    assert got == [100, 100, 100, 100, 50, 100, 50, 50, 25, 25]
    got = sizes(100, max_epochs=10, warmup_epochs=2, interval=2, keep_ratio=0.5,
                refresh_epochs=[5])
    # Cyclic: T_prev = 5 at the refresh, drops after 7 and 9.
    assert got == [100, 100, 100, 100, 50, 100, 100, 50, 50, 25]


def test_active_epochs_limit_drops():
    # a=3: drops while t - T_start < 3, T_start = W = 1: after 2 and 3, not after 4.
    got = sizes(64, max_epochs=6, warmup_epochs=1, interval=1, keep_ratio=0.5,
                active_epochs=3)
    assert got == [64, 64, 32, 16, 16, 16]


def test_keep_ratio_one_never_shrinks():
    got = sizes(37, max_epochs=8, warmup_epochs=0, interval=1, keep_ratio=1.0,
                refresh_epochs=[4])
    assert got == [37] * 8


def test_no_active_limit_and_no_refresh():
    got = sizes(16, max_epochs=6, warmup_epochs=0, interval=1, keep_ratio=0.5)
    assert got == [16, 8, 4, 2, 1, 1]


def test_single_sample():
    got = sizes(1, max_epochs=5, warmup_epochs=0, interval=1, keep_ratio=0.1,
                refresh_epochs=[3])
    assert got == [1] * 5


def test_refresh_and_drop_same_epoch_refresh_wins():
    got = sizes(10, max_epochs=4, warmup_epochs=1, interval=1, keep_ratio=0.5,
                refresh_epochs=[2])
    # after 2: drop (10->5) then refresh (->10); cyclic resets T_prev=2, drop after 3.
    assert got == [10, 10, 10, 5]


@pytest.mark.parametrize('semantics, expected', [('cyclic', 0.739), ('paper-literal', 0.956)])
def test_paper_imagenet_settings(semantics, expected):
    n = 1_281_167
    got = sizes(n, max_epochs=120, warmup_epochs=10, interval=2, keep_ratio=0.9,
                active_epochs=10, refresh_epochs=[30, 60, 90], semantics=semantics)
    assert round(training_cost(got, n), 3) == expected
    assert got[12] == math.ceil(0.9 * n)  # epoch 13, first drop after epoch 12


@pytest.mark.parametrize('kwargs, error, words', [
    (dict(max_epochs=10, keep_ratio=0.0), ValueError, 'keep_ratio must be in (0, 1]'),
    (dict(max_epochs=10, keep_ratio=1.01), ValueError, 'keep_ratio must be in (0, 1]'),
    (dict(max_epochs=10, keep_ratio=float('nan')), ValueError, 'keep_ratio'),
    (dict(max_epochs=10, keep_ratio='0.5'), TypeError, 'keep_ratio must be a number'),
    (dict(max_epochs=10, interval=0), ValueError, 'interval must be >= 1'),
    (dict(max_epochs=10, warmup_epochs=-1), ValueError, 'warmup_epochs must be >= 0'),
    (dict(max_epochs=10, warmup_epochs=10), ValueError, 'warmup_epochs must be < max_epochs'),
    (dict(max_epochs=0), ValueError, 'max_epochs must be >= 1'),
    (dict(max_epochs=10, active_epochs=0), ValueError, 'active_epochs must be >= 1'),
    (dict(max_epochs=10, refresh_epochs=[0]), ValueError, 'refresh_epochs must be >= 1'),
    (dict(max_epochs=10, refresh_epochs=[11]), ValueError, 'refresh_epochs must lie in 1..10'),
    (dict(max_epochs=10, refresh_epochs=[3, 3]), ValueError, 'must be distinct'),
    (dict(max_epochs=10, refresh_epochs=[2.5]), TypeError, 'refresh_epochs must hold integers'),
    (dict(max_epochs=10, interval=True), TypeError, 'interval must be an integer'),
    (dict(max_epochs=10, semantics='literal'), ValueError, "semantics must be one of"),
])
def test_invalid_settings_name_the_parameter(kwargs, error, words):
    with pytest.raises(error, match=words.replace('(', r'\(').replace(')', r'\)')
                       .replace('[', r'\[').replace(']', r'\]')):
        DaRSchedule(**kwargs)


def test_num_samples_must_be_positive():
    with pytest.raises(ValueError, match='num_samples must be >= 1'):
        plan_subset_sizes(DaRSchedule(max_epochs=3), 0)
