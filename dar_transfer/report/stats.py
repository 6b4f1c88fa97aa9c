"""Statistics of the report and the probes: pure functions, each formula stated once.

- :func:`paired_t_interval`: the t interval of the mean of per-seed differences;
- :func:`welch_interval`: Welch's interval of a difference of means (unequal variances);
- :func:`t_interval`: a mean difference with an SD estimated elsewhere (pooled, Stein);
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
    unknown; ``method`` is ``'paired t'``, ``'pooled t'`` (the SD pooled over the
    variants that share the reference's seeds, :func:`paired_comparisons`), ``'stein'``
    (a campaign's two-stage rule, :mod:`dar_transfer.report.precision`), ``'welch'`` or
    ``'none'``. ``sd``/``df``: the SD of paired differences the interval used and its
    degrees of freedom (None for Welch and without a spread).
    """

    delta: float
    low: float | None
    high: float | None
    n: int
    method: str
    sd: float | None = None
    df: float | None = None

    @property
    def pooled(self) -> bool:
        return self.method == 'pooled t'

    @property
    def excludes_zero(self) -> bool | None:
        if self.low is None or self.high is None:
            return None
        return self.low > 0 or self.high < 0


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f'confidence must be in (0, 1), got {confidence}')


def paired_t_interval(differences: list[float], confidence: float = 0.95) -> Interval:
    """Mean of paired differences d_i with the interval d̄ ± t_{n-1, 1-α/2} · s_d / √n
    (Student 1908; Wasserman, *All of Statistics*, 2004, §10.1), as
    ``scipy.stats.ttest_1samp(d, 0).confidence_interval``. With n < 2 the interval is
    unknown (None bounds); n equal differences give a zero-width interval.
    """
    _check_confidence(confidence)
    d = np.asarray(differences, dtype=float)
    if d.size == 0:
        raise ValueError('paired_t_interval needs at least one difference, got none')
    mean = float(d.mean())
    if d.size < 2:
        return Interval(mean, None, None, int(d.size), 'paired t')
    sd, df = float(d.std(ddof=1)), d.size - 1
    if sd == 0:  # scipy's t is undefined here (0 / 0); the spread is 0
        return Interval(mean, mean, mean, int(d.size), 'paired t', 0.0, df)
    low, high = scipy_stats.ttest_1samp(d, 0.0).confidence_interval(confidence)
    return Interval(mean, float(low), float(high), int(d.size), 'paired t', sd, df)


def welch_interval(baseline: list[float], variant: list[float],
                   confidence: float = 0.95) -> Interval:
    """Δ = x̄_b - x̄_a with Welch's interval Δ ± t_ν · √(s_a²/n_a + s_b²/n_b), ν from
    the Welch-Satterthwaite equation (Welch 1947), as ``scipy.stats.ttest_ind(b, a,
    equal_var=False).confidence_interval``. ``n`` is the smaller sample size; with fewer
    than two values on a side the interval is unknown. Two constant samples give a
    zero-width interval (ν is then undefined and not needed).
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
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return Interval(delta, delta, delta, n, 'welch')
    low, high = scipy_stats.ttest_ind(b, a, equal_var=False).confidence_interval(confidence)
    return Interval(delta, float(low), float(high), n, 'welch')


def t_interval(delta: float, sd: float, n: int, df: float,
               confidence: float = 0.95) -> tuple[float, float]:
    """δ ± t_{df, 1-α/2} · sd / √n: the interval of a mean of ``n`` paired differences
    whose SD ``sd`` was estimated on ``df`` degrees of freedom (a pooled SD, or Stein's
    first-stage SD), through ``scipy.stats.t.interval``."""
    _check_confidence(confidence)
    if sd == 0:
        return delta, delta
    low, high = scipy_stats.t.interval(confidence, df, loc=delta, scale=sd / math.sqrt(n))
    return float(low), float(high)


def compare(baseline: dict, variant: dict, confidence: float = 0.95) -> Interval:
    """Variant minus baseline from values keyed by seed.

    With at least two shared seeds: :func:`paired_t_interval` over the shared seeds
    (unshared ones are left out, as a paired design requires). Otherwise Welch over all
    values; with one value a side, only the difference. Keys of None (seed unknown)
    never pair.
    """
    shared = _shared(baseline, variant)
    if len(shared) >= 2:
        return paired_t_interval([variant[k] - baseline[k] for k in shared], confidence)
    result = welch_interval(list(baseline.values()), list(variant.values()), confidence)
    if result.low is None:
        return Interval(result.delta, None, None, result.n, 'none')
    return result


def _shared(reference: dict, values: dict) -> list:
    return sorted((k for k in reference if k is not None and k in values), key=str)


def block_sd(table: dict[str, dict]) -> tuple[float, int] | None:
    """SD of a paired difference, pooled over the variants of a randomised block design.

    ``table`` maps a variant to its values by block (seed). The additive model
    y_vb = μ + α_v + β_b + ε is fitted by least squares (statsmodels' OLS on variant and
    block indicators); a difference of two variants within a block then has variance
    2σ², so the SD of paired differences is √(2 s²) with s² the residual mean square, on
    the residual degrees of freedom (a randomised complete block design; Montgomery,
    *Design and Analysis of Experiments*, §4.1). Blocks seen by fewer than two variants
    carry no within-block information and are left out. Returns (SD, df), or None
    without residual degrees of freedom.
    """
    import statsmodels.api as sm

    counts: dict = {}
    for values in table.values():
        for block in values:
            if block is not None:
                counts[block] = counts.get(block, 0) + 1
    cells = [(v, b, y) for v, values in table.items() for b, y in values.items()
             if b is not None and counts[b] >= 2]
    variants = sorted({v for v, _, _ in cells}, key=str)
    blocks = sorted({b for _, b, _ in cells}, key=str)
    if len(variants) < 2 or len(cells) <= len(variants) + len(blocks) - 1:
        return None
    design = np.zeros((len(cells), len(variants) + len(blocks) - 1))
    design[:, 0] = 1.0
    for row, (v, b, _) in enumerate(cells):
        if variants.index(v):
            design[row, variants.index(v)] = 1.0
        if blocks.index(b):
            design[row, len(variants) - 1 + blocks.index(b)] = 1.0
    fit = sm.OLS(np.array([y for _, _, y in cells], dtype=float), design).fit()
    if fit.df_resid < 1:
        return None
    return math.sqrt(2 * max(float(fit.mse_resid), 0.0)), int(round(fit.df_resid))


def paired_comparisons(reference: dict, variants: dict[str, dict],
                       confidence: float = 0.95) -> dict[str, Interval]:
    """Each variant minus the reference, from values keyed by seed (block).

    Where at least two variants share two or more seeds with the reference, their
    intervals use the SD pooled over all of them and the reference (:func:`block_sd`,
    method ``'pooled t'``): with three seeds a comparison's own SD rests on 2 degrees of
    freedom and can come out absurdly small or large by chance. A lone paired variant
    keeps its own SD (:func:`compare`); variants without shared seeds get Welch's.
    """
    pool = {name: values for name, values in variants.items()
            if len(_shared(reference, values)) >= 2}
    pooled = None
    if len(pool) >= 2:
        pooled = block_sd({('reference',): reference, **{(n,): v for n, v in pool.items()}})
    out = {}
    for name, values in variants.items():
        if name not in pool or pooled is None:
            out[name] = compare(reference, values, confidence)
            continue
        shared = _shared(reference, values)
        delta = float(np.mean([values[k] - reference[k] for k in shared]))
        sd, df = pooled
        low, high = t_interval(delta, sd, len(shared), df, confidence)
        out[name] = Interval(delta, low, high, len(shared), 'pooled t', sd, df)
    return out


def sd_interval(sd: float, df: float, confidence: float = 0.95) -> tuple[float, float]:
    """The interval of a normal population's SD from a sample SD on ``df`` degrees of
    freedom: √(df·s² / χ²_{df, 1-α/2}) to √(df·s² / χ²_{df, α/2}) (e.g. Wasserman, *All
    of Statistics*, 2004, §10.6), through ``scipy.stats.chi2``. At 2 df it spans 0.52 s
    to 6.3 s: an SD from three seeds says little."""
    _check_confidence(confidence)
    if df < 1:
        raise ValueError(f'sd_interval needs df >= 1, got {df}')
    alpha = 1 - confidence
    return (sd * math.sqrt(df / scipy_stats.chi2.ppf(1 - alpha / 2, df)),
            sd * math.sqrt(df / scipy_stats.chi2.ppf(alpha / 2, df)))


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
