"""Stop adding seeds on precision, with an interval the stopping cannot bias.

A campaign that adds paired seeds until an interval is narrow enough must not let the
data that decide when to stop also set the interval's width. The naive rule (add a
seed, recompute the t interval, stop once its half-width reaches the target) stops
when the SD happens to come out small, and its 95% intervals then miss a true zero
7-8% of the time (:func:`simulate_null` shows it). Stein's two-stage procedure does not:
the first ``n0`` seeds give the SD s1 on ``df`` degrees of freedom; s1 and the target
half-width h fix the number of seeds N = max(n0, ⌈(t_{df, 1-α/2} · s1 / h)²⌉) (capped
by the budget); the interval is the mean over all N seeds ± t_{df, 1-α/2} · s1 / √N.
For normal data s1 is independent of the mean of the N seeds, so the interval has
exactly its nominal coverage whatever N came out (Stein, "A two-sample test for a
linear hypothesis whose power is independent of the variance", Ann. Math. Statist. 16,
1945). With several variants sharing the reference, s1 is the SD pooled over them
(:func:`dar_transfer.report.stats.block_sd`), on its own degrees of freedom.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats as scipy_stats

from ..errors import UsageError
from .stats import Interval, t_interval


@dataclass(frozen=True)
class SteinPlan:
    """What the first stage fixed for one comparison: the SD s1 of paired differences
    over the first ``n0`` seeds, its degrees of freedom, the target half-width and the
    seeds N the interval will use (``capped``: the budget bound N below what the target
    asked for, so the final half-width will exceed the target)."""

    sd: float
    df: int
    n0: int
    half_width: float
    seeds: int
    capped: bool

    def as_dict(self) -> dict:
        return {'sd': self.sd, 'df': self.df, 'n0': self.n0, 'half_width': self.half_width,
                'seeds': self.seeds, 'capped': self.capped}


def stein_seeds(sd: float, df: int, n0: int, half_width: float, max_seeds: int,
                confidence: float = 0.95) -> SteinPlan:
    """N = max(n0, ⌈(t_{df} · s1 / h)²⌉), at most ``max_seeds`` (see the module)."""
    if not half_width > 0:
        raise ValueError(f'the target half-width must be > 0, got {half_width}')
    if df < 1:
        raise ValueError(f'the first-stage SD needs >= 1 degree of freedom, got {df}')
    if max_seeds < n0:
        raise ValueError(f'max_seeds ({max_seeds}) is below the first stage ({n0} seeds)')
    quantile = float(scipy_stats.t.ppf(0.5 + confidence / 2, df))
    wanted = max(n0, math.ceil((quantile * sd / half_width) ** 2 - 1e-9))
    return SteinPlan(sd, df, n0, half_width, min(wanted, max_seeds), wanted > max_seeds)


def stein_interval(differences: list[float], plan: SteinPlan,
                   confidence: float = 0.95) -> Interval:
    """The mean of the paired differences of the first ``plan.seeds`` seeds ± t_{df} ·
    s1 / √N. Fewer differences than planned (a campaign still running) give the
    interval over those, still with s1: honest, only wider than planned."""
    d = np.asarray(differences, dtype=float)[:plan.seeds]
    if d.size == 0:
        raise ValueError('stein_interval needs at least one difference, got none')
    delta = float(d.mean())
    low, high = t_interval(delta, plan.sd, int(d.size), plan.df, confidence)
    return Interval(delta, low, high, int(d.size), 'stein', plan.sd, plan.df)


def simulate_null(rule: str, *, campaigns: int = 10_000, n0: int = 3, max_seeds: int = 8,
                  half_width: float = 1.0, confidence: float = 0.95, seed: int = 0) -> float:
    """The share of 95% intervals that exclude a true difference of 0 when paired
    differences are N(0, 1) and seeds are added by ``rule``: ``'stein'`` (this module) or
    ``'naive'`` (add a seed, recompute the t interval, stop at the target or the cap).
    ``half_width`` is in units of the true SD. A correct rule gives 1 - ``confidence``."""
    if rule not in ('stein', 'naive'):
        raise ValueError(f"rule must be 'stein' or 'naive', got {rule!r}")
    rng = np.random.default_rng(seed)
    d = rng.standard_normal((campaigns, max_seeds))
    level = 0.5 + confidence / 2
    if rule == 'stein':
        s1 = d[:, :n0].std(axis=1, ddof=1)
        quantile = scipy_stats.t.ppf(level, n0 - 1)
        seeds = np.clip(np.ceil((quantile * s1 / half_width) ** 2), n0, max_seeds).astype(int)
        means = np.cumsum(d, axis=1)[np.arange(campaigns), seeds - 1] / seeds
        return float(np.mean(np.abs(means) > quantile * s1 / np.sqrt(seeds)))
    stopped = np.zeros(campaigns, dtype=bool)
    excluded = np.zeros(campaigns, dtype=bool)
    for n in range(n0, max_seeds + 1):
        mean, sd = d[:, :n].mean(axis=1), d[:, :n].std(axis=1, ddof=1)
        half = scipy_stats.t.ppf(level, n - 1) * sd / math.sqrt(n)
        stop = ~stopped & ((half <= half_width) | (n == max_seeds))
        excluded[stop] = np.abs(mean[stop]) > half[stop]
        stopped |= stop
    return float(excluded.mean())


def read_plans(path: str | Path) -> dict[tuple[str, str], SteinPlan]:
    """The plans a precision campaign wrote (``precision.json``), by (task, variant)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
        return {(entry['task'], entry['variant']): SteinPlan(
            float(entry['sd']), int(entry['df']), int(entry['n0']),
            float(entry['half_width']), int(entry['seeds']), bool(entry['capped']))
            for entry in data['plans']}
    except FileNotFoundError:
        raise FileNotFoundError(f'{path} not found: a precision campaign writes it in its '
                                'folder once its first seeds finish') from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise UsageError(f'{path} is not a precision plan ({error!r}); delete it and rerun '
                         '`dar-transfer campaign run ... --until-precision` to rebuild it from '
                         'the first seeds') from error
