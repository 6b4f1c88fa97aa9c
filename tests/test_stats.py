"""The report's statistics against cases computed by hand (t quantiles from tables)."""
import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from dar_transfer.report.stats import (
    bootstrap_top1,
    compare,
    kendall_tau_b,
    paired_t_interval,
    welch_interval,
)


def test_paired_t_interval_by_hand():
    # d = 1, 2, 3: mean 2, s = 1, t(0.975, 2) = 4.3027 -> 2 ± 4.3027 / √3 = 2 ± 2.4841.
    result = paired_t_interval([1.0, 2.0, 3.0])
    assert (result.delta, result.n, result.method) == (2.0, 3, 'paired t')
    assert result.low == pytest.approx(-0.4841, abs=1e-4)
    assert result.high == pytest.approx(4.4841, abs=1e-4)
    assert result.excludes_zero is False
    # d = 1.0, 1.2, 0.8, 1.0: s = √(0.08 / 3) = 0.16330, t(0.975, 3) = 3.1824
    # -> 1 ± 3.1824 · 0.16330 / 2 = 1 ± 0.25985.
    tight = paired_t_interval([1.0, 1.2, 0.8, 1.0])
    assert (tight.low, tight.high) == (pytest.approx(0.74015, abs=1e-4),
                                       pytest.approx(1.25985, abs=1e-4))
    assert tight.excludes_zero is True


def test_one_difference_has_no_interval():
    result = paired_t_interval([0.5])
    assert result.low is None and result.excludes_zero is None


def test_welch_interval_by_hand():
    # a = 1, 2, 3 (mean 2, s² = 1); b = 2, 4, 6, 8 (mean 5, s² = 20/3).
    # s_a²/n_a = 1/3, s_b²/n_b = 5/3, se = √2; ν = 4 / ((1/9)/2 + (25/9)/3) = 4.0755.
    result = welch_interval([1, 2, 3], [2, 4, 6, 8])
    dof = 4 / ((1 / 9) / 2 + (25 / 9) / 3)
    assert dof == pytest.approx(4.0755, abs=1e-4)
    half = scipy_stats.t.ppf(0.975, dof) * math.sqrt(2)
    assert result.delta == 3.0 and result.method == 'welch'
    assert (result.low, result.high) == (pytest.approx(3 - half), pytest.approx(3 + half))
    # The same interval as scipy's own Welch test (an independent implementation).
    reference = scipy_stats.ttest_ind([2, 4, 6, 8], [1, 2, 3], equal_var=False)
    low, high = reference.confidence_interval(0.95)
    assert (result.low, result.high) == (pytest.approx(low), pytest.approx(high))


def test_compare_pairs_shared_seeds_and_falls_back_to_welch():
    baseline = {0: 70.0, 1: 72.0, 2: 74.0}
    shifted = {0: 70.5, 1: 72.5, 2: 74.5, 3: 90.0}  # seed 3 has no partner: left out
    paired = compare(baseline, shifted)
    assert paired.method == 'paired t' and paired.n == 3
    assert (paired.delta, paired.low, paired.high) == (0.5, 0.5, 0.5)
    # The same shift without shared seeds: Welch sees the seed-to-seed spread.
    welch = compare(baseline, {10: 70.5, 11: 72.5, 12: 74.5})
    assert welch.method == 'welch' and welch.low < 0 < welch.high
    lone = compare({0: 1.0}, {1: 2.0})
    assert (lone.method, lone.delta, lone.low) == ('none', 1.0, None)
    # Unknown seeds (None) never pair.
    assert compare({None: 1.0, 1: 2.0}, {None: 1.5, 1: 2.5}).method == 'welch'


def test_kendall_tau_b_by_hand():
    # 6 pairs, one discordant (2-3): (5 - 1) / 6.
    assert kendall_tau_b([1, 2, 3, 4], [1, 3, 2, 4]).tau == pytest.approx(4 / 6)
    # Ties: n_c = 4, n_d = 0, one tie in x and one in y -> 4 / √(5 · 5) = 0.8.
    assert kendall_tau_b([1, 2, 2, 3], [1, 2, 3, 3]).tau == pytest.approx(0.8)
    assert kendall_tau_b([1, 1, 1], [1, 2, 3]).tau is None
    assert kendall_tau_b([1.0], [2.0]).n == 1
    with pytest.raises(ValueError, match='one length'):
        kendall_tau_b([1, 2], [1])


def test_bootstrap_top1_is_seeded_and_covers_the_estimate():
    correct = np.arange(400) % 2 == 0
    top1, low, high = bootstrap_top1(correct, seed=3)
    assert top1 == 50.0
    # Normal approximation: 1.96 · √(0.25 / 400) = 4.9 points.
    assert low == pytest.approx(45.1, abs=1.0) and high == pytest.approx(54.9, abs=1.0)
    assert bootstrap_top1(correct, seed=3) == (top1, low, high)
    assert bootstrap_top1(np.ones(10, bool)) == (100.0, 100.0, 100.0)
    with pytest.raises(ValueError, match='resamples must be >= 1'):
        bootstrap_top1(correct, resamples=0)
