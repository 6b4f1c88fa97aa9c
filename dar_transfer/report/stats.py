"""Statistics of the report and the probes: pure functions, each formula stated once.

- :func:`paired_t_interval`: the t interval of the mean of per-seed differences;
- :func:`welch_interval`: Welch's interval of a difference of means (unequal variances);
- :func:`compare`: pairs by seed when the variant shares at least two seeds with the
  baseline, else falls back to Welch;
- :func:`kendall_tau_b`: rank agreement with ties (Kendall 1945), through scipy.stats;
- :func:`bootstrap_top1`: percentile bootstrap interval of a top-1 accuracy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats


@dataclass(frozen=True)
class Interval:
    """A difference (variant minus baseline) with its confidence interval.

    ``low``/``high`` are None when fewer than two values per side leave the spread
    unknown; ``method`` is ``'paired t'``, ``'welch'`` or ``'none'``.
    """

    delta: float
    low: float | None
    high: float | None
    n: int
    method: str

    @property
    def excludes_zero(self) -> bool | None:
        if self.low is None or self.high is None:
            return None
        return self.low > 0 or self.high < 0


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f'confidence must be in (0, 1), got {confidence}')


def paired_t_interval(differences: list[float], confidence: float = 0.95) -> Interval:
    """Mean of paired differences d_i with the interval d̄ ± t_{n-1, 1-α/2} · s_d / √n.

    s_d is the sample standard deviation (n - 1 in the denominator) of the differences
    (Student 1908; e.g. Wasserman, *All of Statistics*, 2004, §10.1). With n < 2 the
    interval is unknown (None bounds).
    """
    _check_confidence(confidence)
    d = np.asarray(differences, dtype=float)
    if d.size == 0:
        raise ValueError('paired_t_interval needs at least one difference, got none')
    mean = float(d.mean())
    if d.size < 2:
        return Interval(mean, None, None, int(d.size), 'paired t')
    half = (float(scipy_stats.t.ppf(0.5 + confidence / 2, d.size - 1))
            * float(d.std(ddof=1)) / math.sqrt(d.size))
    return Interval(mean, mean - half, mean + half, int(d.size), 'paired t')


def welch_interval(baseline: list[float], variant: list[float],
                   confidence: float = 0.95) -> Interval:
    """Δ = x̄_b - x̄_a with Δ ± t_{ν, 1-α/2} · √(s_a²/n_a + s_b²/n_b), where
    ν = (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a-1) + (s_b²/n_b)²/(n_b-1))
    (Welch 1947, Satterthwaite 1946). ``n`` is the smaller sample size; with fewer than
    two values on a side the interval is unknown. Two constant samples give a zero-width
    interval (ν is then undefined and not needed).
    """
    _check_confidence(confidence)
    a, b = np.asarray(baseline, dtype=float), np.asarray(variant, dtype=float)
    if a.size == 0 or b.size == 0:
        raise ValueError(f'welch_interval needs values on both sides, got {a.size} '
                         f'and {b.size}')
    delta = float(b.mean() - a.mean())
    n = int(min(a.size, b.size))
    if n < 2:
        return Interval(delta, None, None, n, 'welch')
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    if va + vb == 0:
        return Interval(delta, delta, delta, n, 'welch')
    dof = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    half = float(scipy_stats.t.ppf(0.5 + confidence / 2, dof)) * math.sqrt(va + vb)
    return Interval(delta, delta - half, delta + half, n, 'welch')


def compare(baseline: dict, variant: dict, confidence: float = 0.95) -> Interval:
    """Variant minus baseline from values keyed by seed.

    With at least two shared seeds: :func:`paired_t_interval` over the shared seeds
    (unshared ones are left out, as a paired design requires). Otherwise Welch over all
    values; with one value a side, only the difference. Keys of None (seed unknown)
    never pair.
    """
    shared = sorted((k for k in baseline if k is not None and k in variant), key=str)
    if len(shared) >= 2:
        return paired_t_interval([variant[k] - baseline[k] for k in shared], confidence)
    result = welch_interval(list(baseline.values()), list(variant.values()), confidence)
    if result.low is None:
        return Interval(result.delta, None, None, result.n, 'none')
    return result


@dataclass(frozen=True)
class Tau:
    """Kendall's τ-b of two rankings, its two-sided p-value and the number of pairs."""

    tau: float | None
    p_value: float | None
    n: int


def kendall_tau_b(x: list[float], y: list[float]) -> Tau:
    """τ_b = (n_c - n_d) / √((n_0 - n_1)(n_0 - n_2)), with n_0 = n(n-1)/2 and n_1, n_2
    the tied pairs in x and y (Kendall 1945, "The treatment of ties in ranking
    problems"); scipy.stats.kendalltau computes it. Undefined (None) for n < 2 or a
    constant ranking.
    """
    if len(x) != len(y):
        raise ValueError(f'kendall_tau_b needs two rankings of one length, got {len(x)} '
                         f'and {len(y)}')
    if len(x) < 2 or len(set(x)) < 2 or len(set(y)) < 2:
        return Tau(None, None, len(x))
    result = scipy_stats.kendalltau(x, y, variant='b')
    return Tau(float(result.statistic), float(result.pvalue), len(x))


def bootstrap_top1(correct: np.ndarray, *, resamples: int = 2000, seed: int = 0,
                   confidence: float = 0.95) -> tuple[float, float, float]:
    """Top-1 (in %) with the percentile bootstrap interval over images (Efron and
    Tibshirani, *An Introduction to the Bootstrap*, 1993, §13.3).

    Resampling n images with replacement from a 0/1 vector and averaging is the same as
    drawing Binomial(n, p̂) / n, so the resamples are drawn that way (exact, and cheap
    for any n), from a local generator seeded with ``seed``.
    """
    _check_confidence(confidence)
    if resamples < 1:
        raise ValueError(f'resamples must be >= 1, got {resamples}')
    correct = np.asarray(correct, dtype=bool)
    if correct.size == 0:
        raise ValueError('bootstrap_top1 needs at least one prediction, got none')
    top1 = float(correct.mean())
    rng = np.random.default_rng(seed)
    draws = rng.binomial(correct.size, top1, size=resamples) / correct.size
    low, high = np.quantile(draws, [0.5 - confidence / 2, 0.5 + confidence / 2])
    return 100 * top1, 100 * float(low), 100 * float(high)
