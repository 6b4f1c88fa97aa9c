"""What a paired comparison could detect, what it would take to decide, and its verdict.

Pure functions over numbers; :mod:`dar_transfer.report.decision` applies them to the
report's comparisons.

- :func:`mde`: the minimum detectable effect, the true difference a paired t test at
  ``n`` seeds finds with 80% power at two-sided α = 0.05;
- :func:`n_for`: the paired seeds that find a given effect with that power;
- :func:`verdict`: the non-inferiority verdict of an interval at a margin;
- :func:`n_to_decide`: the seeds that would settle an undecided verdict.

Power comes from statsmodels' ``TTestPower`` (the non-central t distribution of the
one-sample t statistic of the paired differences, on n - 1 degrees of freedom). With an
SD pooled over several variants the interval uses more degrees of freedom than that, so
the MDE here is slightly conservative for it.
"""
from __future__ import annotations

import math
import warnings

from ..errors import UsageError

ALPHA = 0.05
POWER = 0.8
VERDICTS = ('superior', 'non-inferior', 'inferior', 'undecided')
# Target effects on each task's headline metric: what the DaR paper reports for its
# DaR-pretrained ResNet-50 against the 100%-cost one (FPN box AP +0.3, Mask R-CNN mask
# AP +0.3, PSPNet Cityscapes mIoU +0.5, SimpleBaseline keypoint AP +0.6).
PAPER_EFFECTS = {'det': 0.3, 'inst': 0.3, 'seg': 0.5, 'pose': 0.6}
EFFECT_SOURCE = ("the DaR paper's claimed gains (box AP +0.3, mask AP +0.3, mIoU +0.5, "
                 'keypoint AP +0.6)')
# Non-inferiority margins, in points of each task's headline metric: a judgement stated
# in advance, about three times the run-to-run noise OpenMMLab's maintainers quote for
# COCO box AP (0.2-0.3) and the noise they quote for Cityscapes mIoU (up to about 1).
DEFAULT_MARGINS = {'det': 1.0, 'inst': 1.0, 'seg': 1.0, 'pose': 0.5}
MARGIN_SOURCE = 'dar-transfer defaults (det, inst, seg 1.0 point; pose 0.5)'
MAX_SEEDS = 100_000  # beyond this "seeds needed" is reported as unreachable (None)


def _power():
    from statsmodels.stats.power import TTestPower

    return TTestPower()


def _check_sd(sd: float) -> None:
    if not sd >= 0:
        raise ValueError(f'sd must be a number >= 0, got {sd}')


def mde(sd: float | None, n: int, *, alpha: float = ALPHA, power: float = POWER
        ) -> float | None:
    """The smallest true mean difference a two-sided paired t test at ``n`` seeds finds
    with probability ``power``: the effect size statsmodels' ``TTestPower.solve_power``
    gives, times ``sd``. None for an unknown SD or n < 2 (no test exists)."""
    if sd is None or n < 2:
        return None
    _check_sd(sd)
    size = _power().solve_power(effect_size=None, nobs=n, alpha=alpha, power=power,
                                alternative='two-sided')
    return float(size) * sd


def n_for(effect: float, sd: float | None, *, alpha: float = ALPHA, power: float = POWER
          ) -> int | None:
    """Paired seeds a two-sided paired t test needs to find a true difference ``effect``
    with probability ``power`` (``TTestPower.solve_power`` for ``nobs``, rounded up, at
    least 2). 2 for a zero SD; None for an unknown SD or a zero effect."""
    if sd is None or effect == 0:
        return None
    _check_sd(sd)
    if sd == 0:
        return 2
    with warnings.catch_warnings():
        # past about 10^4 seeds statsmodels' root finder gives up (nan, with a warning):
        # reported as unreachable below
        warnings.simplefilter('ignore')
        nobs = _power().solve_power(effect_size=abs(effect) / sd, nobs=None, alpha=alpha,
                                    power=power, alternative='two-sided')
    if not math.isfinite(nobs) or nobs > MAX_SEEDS:
        return None
    return max(2, math.ceil(nobs - 1e-9))


def oriented(delta: float, low: float | None, high: float | None, higher_is_better: bool
             ) -> tuple[float, float | None, float | None]:
    """The difference and its interval turned so that a positive value is a gain."""
    if higher_is_better:
        return delta, low, high
    return -delta, None if high is None else -high, None if low is None else -low


def verdict(low: float | None, high: float | None, margin: float | None) -> str | None:
    """Non-inferiority of variant minus reference (oriented: higher is better) from its
    interval: ``superior`` (lower bound above 0), ``non-inferior`` (above -margin),
    ``inferior`` (upper bound below -margin), else ``undecided``. The margin is the loss
    one accepts, stated before looking (Piaggio et al., CONSORT extension for
    non-inferiority trials, JAMA 2012). None without a margin or an interval."""
    if margin is None or low is None or high is None:
        return None
    if not margin > 0:
        raise ValueError(f'a non-inferiority margin must be > 0, got {margin}')
    if low > 0:
        return 'superior'
    if low > -margin:
        return 'non-inferior'
    if high < -margin:
        return 'inferior'
    return 'undecided'


def n_to_decide(delta: float, sd: float | None, margin: float | None, *,
                alpha: float = ALPHA, power: float = POWER) -> int | None:
    """Paired seeds that would decide non-inferiority with probability ``power`` if the
    true (oriented) difference were the observed ``delta`` and the SD ``sd``: a one-sided
    t test at α/2 (the side of a two-sided 1-α interval) of the distance |delta + margin|
    between the difference and the margin. None where it cannot be computed or where the
    difference sits on the margin (no number of seeds decides it)."""
    if sd is None or margin is None:
        return None
    return n_for(delta + margin, sd, alpha=alpha, power=power) if sd > 0 else 2


def parse_task_values(items: list[str] | None, option: str,
                      defaults: dict[str, float]) -> dict[str, float]:
    """``['det=0.3', 'seg=0.5']`` over ``defaults``; UsageError names a malformed item."""
    out = dict(defaults)
    for item in items or []:
        name, sep, value = str(item).partition('=')
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not name or not math.isfinite(number) or number <= 0:
            raise UsageError(f'{option}: {item!r} is not TASK=POINTS with POINTS > 0, e.g. '
                             f'{option} det=0.3 seg=0.5')
        out[name] = number
    return out
