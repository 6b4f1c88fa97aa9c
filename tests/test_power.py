"""Power, pooling, non-inferiority, Stein's rule and the transfer score, against
scipy / statsmodels computed another way, and cases whose answer is known."""
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as scipy_stats

from dar_transfer.errors import UsageError
from dar_transfer.report import power
from dar_transfer.report.precision import (
    SteinPlan,
    simulate_null,
    stein_interval,
    stein_seeds,
)
from dar_transfer.report.stats import block_sd, paired_comparisons, paired_t_interval


def test_paired_interval_is_scipys_ttest_rel():
    a = np.array([40.1, 38.7, 41.9, 39.5])
    b = np.array([40.9, 38.2, 43.0, 40.6])
    result = paired_t_interval(list(b - a))
    low, high = scipy_stats.ttest_rel(b, a).confidence_interval(0.95)
    assert (result.low, result.high) == (pytest.approx(low), pytest.approx(high))
    assert result.sd == pytest.approx(np.std(b - a, ddof=1)) and result.df == 3


def test_block_sd_is_the_two_way_anova_residual():
    # variant x seed table; residual mean square from statsmodels' formula ANOVA
    # (an independent route through patsy), sd of a paired difference = sqrt(2 MSE).
    import pandas as pd
    import statsmodels.formula.api as smf

    table = {'base': {0: 39.0, 1: 41.5, 2: 38.2}, 'dar': {0: 40.1, 1: 40.2, 2: 37.0},
             'random': {0: 38.4, 1: 42.3, 2: 38.0}}
    frame = pd.DataFrame([(v, s, y) for v, d in table.items() for s, y in d.items()],
                         columns=['variant', 'seed', 'y'])
    fit = smf.ols('y ~ C(variant) + C(seed)', frame).fit()
    sd, df = block_sd(table)
    assert df == 4 == fit.df_resid
    assert sd == pytest.approx(math.sqrt(2 * fit.mse_resid))
    # The pooled interval of one variant: mean paired difference ± t(4) sd / sqrt(3).
    intervals = paired_comparisons(table['base'], {'dar': table['dar'],
                                                   'random': table['random']})
    dar = intervals['dar']
    half = scipy_stats.t.ppf(0.975, 4) * sd / math.sqrt(3)
    assert dar.method == 'pooled t' and dar.pooled and dar.df == 4
    assert (dar.low, dar.high) == (pytest.approx(dar.delta - half),
                                   pytest.approx(dar.delta + half))
    # A lone paired variant keeps its own SD.
    alone = paired_comparisons(table['base'], {'dar': table['dar']})['dar']
    assert alone.method == 'paired t' and alone.df == 2


def test_mde_and_seeds_needed_against_the_noncentral_t():
    # Section 9's det numbers: SD 1.68 at n = 3 -> MDE 5.5; +0.3 needs about 249 seeds.
    assert power.mde(1.68, 3) == pytest.approx(5.48, abs=0.01)
    assert power.n_for(0.3, 1.68) == 249
    # The same MDE straight from scipy's non-central t: power at that effect is 0.8.
    n, d = 5, power.mde(1.0, 5)
    crit = scipy_stats.t.ppf(0.975, n - 1)
    nc = d * math.sqrt(n)
    achieved = scipy_stats.nct.sf(crit, n - 1, nc) + scipy_stats.nct.cdf(-crit, n - 1, nc)
    assert achieved == pytest.approx(0.8, abs=1e-4)
    assert power.mde(None, 3) is None and power.mde(1.0, 1) is None
    assert power.n_for(0.0, 1.0) is None and power.n_for(1.0, 0.0) == 2


@pytest.mark.parametrize('low, high, expected', [
    (0.1, 1.0, 'superior'), (-0.4, 0.9, 'non-inferior'), (-2.5, -1.2, 'inferior'),
    (-1.5, 0.4, 'undecided'), (-1.5, -0.6, 'undecided')])
def test_non_inferiority_verdicts_each_way(low, high, expected):
    assert power.verdict(low, high, 1.0) == expected


def test_verdict_turns_lower_is_better_metrics_around():
    # top-1 error down by 0.5 [-0.9, -0.1] is a gain: superior once oriented.
    delta, low, high = power.oriented(-0.5, -0.9, -0.1, higher_is_better=False)
    assert (delta, low, high) == (0.5, 0.1, 0.9)
    assert power.verdict(low, high, 1.0) == 'superior'
    assert power.verdict(None, None, 1.0) is None and power.verdict(0, 1, None) is None
    with pytest.raises(ValueError, match='margin'):
        power.verdict(0.1, 0.2, 0.0)


def test_seeds_to_decide_shrink_as_the_difference_leaves_the_margin():
    near = power.n_to_decide(-0.8, 1.0, 1.0)  # 0.2 above -margin
    far = power.n_to_decide(0.0, 1.0, 1.0)  # 1.0 above it
    assert near > far >= 2
    assert power.n_to_decide(-1.0, 1.0, 1.0) is None  # on the margin: nothing decides it


def test_task_values_parse_and_refuse_with_the_fix():
    assert power.parse_task_values(['det=0.5'], '--effect', {'seg': 1.0}) == \
        {'seg': 1.0, 'det': 0.5}
    for bad in ('det', 'det=x', 'det=-1', '=1'):
        with pytest.raises(UsageError, match='TASK=POINTS'):
            power.parse_task_values([bad], '--margin', {})


def test_report_names_the_margins_and_effects_it_used():
    from dar_transfer.report.decision import build_decision

    assert build_decision([]).margin_source == power.MARGIN_SOURCE
    given = build_decision([], margins={**power.DEFAULT_MARGINS, 'det': 2.0},
                           effects={'det': 0.5})
    assert given.margin_source == 'as given (det 2, inst 1, pose 0.5, seg 1)'
    assert given.effect_source == 'as given (det 0.5)'


def test_stein_seeds_and_interval():
    # t(0.975, 2) = 4.3027: s1 = 0.5, h = 1 -> (2.151)^2 = 4.63 -> 5 seeds.
    plan = stein_seeds(0.5, 2, 3, 1.0, 8)
    assert (plan.seeds, plan.capped) == (5, False)
    assert stein_seeds(2.0, 2, 3, 1.0, 8) == SteinPlan(2.0, 2, 3, 1.0, 8, True)
    assert stein_seeds(0.01, 2, 3, 1.0, 8).seeds == 3  # never below the first stage
    result = stein_interval([1.0, 2.0, 0.0, 1.0, 1.0, 9.0], plan)  # the 6th is past N
    half = scipy_stats.t.ppf(0.975, 2) * 0.5 / math.sqrt(5)
    assert result.n == 5 and result.delta == 1.0 and result.method == 'stein'
    assert (result.low, result.high) == (pytest.approx(1 - half), pytest.approx(1 + half))
    with pytest.raises(ValueError, match='half-width'):
        stein_seeds(1.0, 2, 3, 0.0, 8)


def test_stopping_rules_under_a_true_null():
    # 10,000 simulated campaigns each (n0 = 3, at most 8 seeds, target 1 SD): Stein's
    # rule keeps its 5%; the naive rule (stop once the recomputed CI is narrow) does not.
    stein = simulate_null('stein', campaigns=10_000, seed=1)
    naive = simulate_null('naive', campaigns=10_000, seed=1)
    assert 0.04 <= stein <= 0.06
    assert naive > 0.06
    assert simulate_null('naive', campaigns=10_000, seed=2, half_width=0.5) > 0.06


def _runs(values: dict[str, dict[str, list[float]]]):
    """RunRecords: {variant: {task: [value per seed]}} (scratch unpaired, as export's
    --random-init leaves it)."""
    from dar_transfer.report.records import RunRecord

    metric = {'det': 'box AP', 'seg': 'mIoU'}
    return [RunRecord(Path(f'/runs/{v}/{t}/{s}'), t, 'resnet18', v, s, 0.83, 'finished',
                      {metric[t]: x}, 'test', pretrain_seed=None if v == 'scratch' else s)
            for v, tasks in values.items() for t, xs in tasks.items()
            for s, x in enumerate(xs)]


def test_transfer_score_known_answers():
    from dar_transfer.report.score import build_scores
    from dar_transfer.report.tables import build_tables

    values = {'scratch': {'det': [10.0, 10.0, 10.0], 'seg': [20.0, 20.0, 20.0]},
              'baseline': {'det': [30.0, 30.0, 30.0], 'seg': [40.0, 40.0, 40.0]},
              'same': {'det': [30.0, 30.0, 30.0], 'seg': [40.0, 40.0, 40.0]},
              # +2 points on det (10% of its 20-point benefit), -4 on seg (-20%)
              'shifted': {'det': [32.0, 32.0, 32.0], 'seg': [36.0, 36.0, 36.0]}}
    scores, note = build_scores(build_tables(_runs(values)))
    assert note is None
    by = {s.variant: s for s in scores}
    assert by['same'].score == pytest.approx(100) and by['same'].ci == (100, 100)
    assert by['same'].p_improvement == 0.5  # every pair ties
    assert by['shifted'].score == pytest.approx((110 + 80) / 2)
    assert by['shifted'].ci == (pytest.approx(95), pytest.approx(95))  # no seed spread
    assert by['shifted'].p_improvement == pytest.approx(0.5)  # wins det, loses seg
    # With seed-to-seed spread the interval opens and covers the estimate.
    values['noisy'] = {'det': [28.0, 31.0, 34.0], 'seg': [38.0, 41.0, 40.0]}
    noisy = {s.variant: s for s in build_scores(build_tables(_runs(values)))[0]}['noisy']
    assert noisy.ci[0] < noisy.score < noisy.ci[1]
    # Without a scratch row there is no score, and the note says why.
    del values['scratch']
    scores, note = build_scores(build_tables(_runs(values)))
    assert scores == [] and 'from-scratch row' in note


def test_improvement_formula_is_rliables():
    from rliable import metrics

    from dar_transfer.report.score import _improvement

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4, 3)).round(1), rng.normal(size=(5, 3)).round(1)
    assert _improvement(*x.T, *y.T) == pytest.approx(metrics.probability_of_improvement(x, y))


def test_sd_interval_spans_the_known_factors():
    from dar_transfer.report.stats import sd_interval

    low, high = sd_interval(1.0, 2)  # DESIGN-round fact: 0.52 to 6.3 at 2 df
    assert (round(low, 2), round(high, 1)) == (0.52, 6.3)
    low, high = sd_interval(2.0, 30)
    assert low < 2.0 < high and high / low < 2
