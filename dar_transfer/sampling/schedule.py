"""The Drop-and-Refresh schedule as pure functions: no torch, no runner.

The contract (docs/design/schedule.md; the DaR paper's Algorithm 1 and its text):
epochs are numbered 1..E, the subset S starts as all N samples and
``T_start = T_prev = W``. After training epoch ``t``:

1. drop: if ``t > W`` and ``t - T_prev == I`` and ``t - T_start < a``, then
   ``T_prev = t`` and S keeps the ``ceil(p * |S|)`` highest-scoring members;
2. refresh: if ``t`` is in R, then ``T_start = t`` and S becomes all N; under
   ``'cyclic'`` semantics also ``T_prev = t``.

The printed Algorithm 1 never resets ``T_prev`` at a refresh (``'paper-literal'``), so
no drop happens after the first refresh; the paper's text describes a new drop stage
after every refresh (``'cyclic'``, the default).

:class:`DaRSchedule` decides *when* to drop and refresh; :func:`plan_subset_sizes` runs
those decisions on sizes alone, and the sampler runs the same decisions on real
subsets, so the planner and a training run cannot disagree.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..errors import UsageError, UsageTypeError

SEMANTICS = ('cyclic', 'paper-literal')


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageTypeError(f'{name} must be an integer, got {value!r} ({type(value).__name__})')
    if value < minimum:
        raise UsageError(f'{name} must be >= {minimum}, got {value}')
    return value


def check_keep_ratio(keep_ratio: object) -> float:
    """Validate ``keep_ratio`` (p) and return it as a float in (0, 1]."""
    if isinstance(keep_ratio, bool) or not isinstance(keep_ratio, (int, float)):
        raise UsageTypeError(f'keep_ratio must be a number in (0, 1], got {keep_ratio!r}')
    if not (0 < keep_ratio <= 1):  # also rejects NaN
        raise UsageError(f'keep_ratio must be in (0, 1], got {keep_ratio}')
    return float(keep_ratio)


def kept_size(size: int, keep_ratio: float) -> int:
    """``ceil(keep_ratio * size)`` computed exactly.

    The ratio is read as the decimal the user wrote (``0.1`` is exactly 1/10), so
    floating-point error cannot round an exact product up: 0.1 of 30 is 3, not 4.
    """
    ratio = Fraction(repr(float(keep_ratio)))
    return math.ceil(ratio * size)


def check_parameters(*, warmup_epochs: int, interval: int, keep_ratio: float,
                     active_epochs: int | None, refresh_epochs: Iterable[int],
                     semantics: str) -> None:
    """Validate the DaR parameters that do not depend on ``max_epochs``.

    The sampler calls this when it is built, before the runner's ``max_epochs`` is
    known; :class:`DaRSchedule` adds the checks against ``max_epochs``.
    """
    _check_int('warmup_epochs', warmup_epochs, 0)
    _check_int('interval', interval, 1)
    check_keep_ratio(keep_ratio)
    if active_epochs is not None:
        _check_int('active_epochs', active_epochs, 1)
    if isinstance(refresh_epochs, (str, bytes)) or not isinstance(refresh_epochs, Iterable):
        raise UsageTypeError(f'refresh_epochs must be a list of epochs, got {refresh_epochs!r}')
    epochs = list(refresh_epochs)
    for epoch in epochs:
        if isinstance(epoch, bool) or not isinstance(epoch, int):
            raise UsageTypeError(f'refresh_epochs must hold integers, got {epoch!r}')
        if epoch < 1:
            raise UsageError(f'refresh_epochs must be >= 1 (epochs are 1-based), got {epoch}')
    repeated = sorted({e for e in epochs if epochs.count(e) > 1})
    if repeated:
        raise UsageError(f'refresh_epochs must be distinct, got {repeated} more than once')
    if semantics not in SEMANTICS:
        raise UsageError(f'semantics must be one of {SEMANTICS}, got {semantics!r}')


@dataclass(frozen=True)
class Decision:
    """What happens after one epoch: whether S is dropped and/or refreshed."""

    drop: bool
    refresh: bool


@dataclass
class ScheduleState:
    """The two counters of Algorithm 1 (``T_start``, ``T_prev``), 0-based never."""

    t_start: int
    t_prev: int

    def state_dict(self) -> dict:
        return {'t_start': self.t_start, 't_prev': self.t_prev}


@dataclass(frozen=True)
class DaRSchedule:
    """When DaR drops and refreshes, for a run of ``max_epochs`` epochs.

    Args:
        max_epochs (int): E, the number of training epochs.
        warmup_epochs (int): W >= 0, epochs trained on all data before any drop.
            Must be < E. Defaults to 0.
        interval (int): I >= 1, epochs between two drops. Defaults to 1.
        keep_ratio (float): p in (0, 1], the share of S kept at a drop.
            Defaults to 1.0 (never shrinks; useful to measure overhead).
        active_epochs (int, optional): a >= 1, drops happen only while
            ``t - T_start < a``; None means no limit. Defaults to None.
        refresh_epochs (Sequence[int]): R, distinct epochs in 1..E after which S
            is refreshed to all data. Defaults to ().
        semantics (str): ``'cyclic'`` (a drop stage follows every refresh, as the
            paper's text says) or ``'paper-literal'`` (Algorithm 1 as printed).
            Defaults to ``'cyclic'``.
    """

    max_epochs: int
    warmup_epochs: int = 0
    interval: int = 1
    keep_ratio: float = 1.0
    active_epochs: int | None = None
    refresh_epochs: tuple[int, ...] = ()
    semantics: str = 'cyclic'

    def __post_init__(self) -> None:
        _check_int('max_epochs', self.max_epochs, 1)
        check_parameters(warmup_epochs=self.warmup_epochs, interval=self.interval,
                         keep_ratio=self.keep_ratio, active_epochs=self.active_epochs,
                         refresh_epochs=self.refresh_epochs, semantics=self.semantics)
        object.__setattr__(self, 'keep_ratio', float(self.keep_ratio))
        object.__setattr__(self, 'refresh_epochs', tuple(sorted(self.refresh_epochs)))
        if self.warmup_epochs >= self.max_epochs:
            raise UsageError(
                f'warmup_epochs must be < max_epochs ({self.max_epochs}), got '
                f'{self.warmup_epochs}: with no epoch after warm-up, DaR never drops')
        late = [e for e in self.refresh_epochs if e > self.max_epochs]
        if late:
            raise UsageError(f'refresh_epochs must lie in 1..{self.max_epochs} (max_epochs), '
                             f'got {late[0]}')

    def initial_state(self) -> ScheduleState:
        return ScheduleState(t_start=self.warmup_epochs, t_prev=self.warmup_epochs)

    def decide(self, epoch: int, state: ScheduleState) -> Decision:
        """Apply the contract after 1-based ``epoch``; updates ``state`` in place."""
        if not 1 <= epoch <= self.max_epochs:
            raise ValueError(f'epoch must lie in 1..{self.max_epochs}, got {epoch}')
        drop = (epoch > self.warmup_epochs
                and epoch - state.t_prev == self.interval
                and (self.active_epochs is None
                     or epoch - state.t_start < self.active_epochs))
        if drop:
            state.t_prev = epoch
        refresh = epoch in self.refresh_epochs
        if refresh:
            state.t_start = epoch
            if self.semantics == 'cyclic':
                state.t_prev = epoch
        return Decision(drop=drop, refresh=refresh)


def plan_subset_sizes(schedule: DaRSchedule, num_samples: int) -> list[int]:
    """Size of the subset trained in each epoch 1..E (index 0 is epoch 1)."""
    _check_int('num_samples', num_samples, 1)
    state = schedule.initial_state()
    size = num_samples
    sizes = []
    for epoch in range(1, schedule.max_epochs + 1):
        sizes.append(size)
        decision = schedule.decide(epoch, state)
        if decision.drop:
            size = kept_size(size, schedule.keep_ratio)
        if decision.refresh:
            size = num_samples
    return sizes


def training_cost(sizes: Sequence[int], num_samples: int) -> float:
    """Share of full-data training: ``sum_t |S_t| / (E * N)``."""
    return sum(sizes) / (len(sizes) * num_samples)
