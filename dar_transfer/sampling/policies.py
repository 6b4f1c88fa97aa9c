"""The sampling policies beside DaR, as pure functions: no torch, no runner.

``DaRSampler`` runs five policies. Two follow DaR's drop/refresh contract
(:mod:`dar_transfer.sampling.schedule`); three do not:

- ``'reweight'`` (the DaR paper's Sec. 5 control): every sample every epoch (cost 1.0);
  each sample's loss is multiplied by its mean loss of the previous epoch, normalised to
  mean 1 over the data set.
- ``'infobatch'`` (Qin et al., "InfoBatch: Lossless Training Speed Up by Unbiased
  Dynamic Data Pruning", ICLR 2024): before each epoch, samples whose last recorded loss
  is below the mean are pruned at random with probability ``prune_ratio``; kept
  below-mean samples get loss weight ``1 / (1 - prune_ratio)``. The last ``anneal``
  share of epochs trains on all data (InfoBatch prunes while the 0-based epoch is below
  ``delta * E`` with ``delta = 1 - anneal``, so the last ``floor(anneal * E)`` epochs
  are full). Its cost depends on the losses, so it can only be estimated in advance.
- ``'rs2'`` (Okanovic et al., "Repeated Random Sampling for Minimizing the
  Time-to-Accuracy of Learning", 2023, without replacement): each epoch trains on a
  fresh ``ceil(keep_ratio * N)`` samples, drawn without replacement across epochs until
  the data set is exhausted; then a new pass starts.

This module holds what can be decided without data: validation, epoch counts, planned
(or, for InfoBatch, expected) subset sizes and the calibration of ``prune_ratio`` to a
target cost. The random draws live in :mod:`dar_transfer.sampling.selection`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..errors import UsageError, UsageTypeError
from .schedule import kept_size

DAR_POLICIES = ('hardest', 'random')
POLICIES = (*DAR_POLICIES, 'infobatch', 'rs2', 'reweight')
# Policies whose per-sample loss weights are not all 1: the model must apply them.
WEIGHTED_POLICIES = ('infobatch', 'reweight')
# InfoBatch's published defaults (ratio=0.5, delta=0.875).
INFOBATCH_PRUNE_RATIO = 0.5
INFOBATCH_ANNEAL = 0.125
# Without measured losses the calibration assumes half the samples lie below the mean;
# right-skewed loss distributions put more there (the dar_log records the real share).
DEFAULT_BELOW_MEAN_SHARE = 0.5


def check_policy(policy: object) -> str:
    if policy not in POLICIES:
        raise UsageError(f'policy must be one of {POLICIES}, got {policy!r}')
    return policy


def _check_unit_interval(name: str, value: object, *, closed_high: bool = False) -> float:
    allowed = '[0, 1]' if closed_high else '[0, 1)'
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageTypeError(f'{name} must be a number in {allowed}, got {value!r}')
    inside = 0 <= value <= 1 if closed_high else 0 <= value < 1  # also rejects NaN
    if not inside:
        raise UsageError(f'{name} must be in {allowed}, got {value}')
    return float(value)


def check_prune_ratio(prune_ratio: object) -> float:
    """InfoBatch's pruning probability for below-mean samples, in [0, 1)."""
    return _check_unit_interval('prune_ratio', prune_ratio)


def check_anneal(anneal: object) -> float:
    """Share of the last epochs that InfoBatch trains on all data, in [0, 1)."""
    return _check_unit_interval('anneal', anneal)


def check_below_mean_share(share: object) -> float:
    value = _check_unit_interval('below_mean_share', share, closed_high=True)
    if value == 0:
        raise UsageError('below_mean_share must be in (0, 1], got 0: with no sample below '
                         'the mean InfoBatch never prunes')
    return value


@dataclass(frozen=True)
class PolicyParams:
    """A policy and the parameters that only it uses (None where not used).

    Args:
        policy (str): one of :data:`POLICIES`.
        prune_ratio (float, optional): InfoBatch only; None means InfoBatch's default
            0.5. Defaults to None.
        anneal (float, optional): InfoBatch only; None means InfoBatch's default 0.125.
            Defaults to None.
    """

    policy: str
    prune_ratio: float | None = None
    anneal: float | None = None

    def __post_init__(self) -> None:
        check_policy(self.policy)
        if self.policy == 'infobatch':
            ratio = INFOBATCH_PRUNE_RATIO if self.prune_ratio is None else self.prune_ratio
            anneal = INFOBATCH_ANNEAL if self.anneal is None else self.anneal
            object.__setattr__(self, 'prune_ratio', check_prune_ratio(ratio))
            object.__setattr__(self, 'anneal', check_anneal(anneal))
            return
        for name in ('prune_ratio', 'anneal'):
            if getattr(self, name) is not None:
                raise UsageError(f"{name} applies only to policy='infobatch', got {name}="
                                 f'{getattr(self, name)!r} with policy={self.policy!r}')


def check_dar_only_parameters(policy: str, given: dict[str, object]) -> None:
    """Reject DaR schedule parameters that a non-DaR policy would silently ignore.

    Args:
        policy (str): the policy.
        given (dict): DaR parameter name -> value, only those that differ from their
            defaults. ``keep_ratio`` is allowed for ``'rs2'`` (its per-epoch share).
    """
    if policy in DAR_POLICIES:
        return
    for name, value in given.items():
        if name == 'keep_ratio' and policy == 'rs2':
            continue
        used_by = "policy='hardest', 'random' or 'rs2'" if name == 'keep_ratio' else \
            "policy='hardest' or 'random' (DaR's schedule)"
        raise UsageError(f'{name} applies only to {used_by}, got {name}={value!r} with '
                         f'policy={policy!r}')


def full_data_epochs(max_epochs: int, anneal: float) -> int:
    """How many of the last epochs InfoBatch trains on all data: ``floor(anneal * E)``.

    Computed exactly from the decimal the user wrote, so 0.125 of 40 is 5, never 4.
    """
    return math.floor(Fraction(repr(float(anneal))) * max_epochs)


def infobatch_prunes_before(epoch: int, max_epochs: int, anneal: float) -> bool:
    """Whether InfoBatch may prune the subset trained in 1-based ``epoch``."""
    return epoch <= max_epochs - full_data_epochs(max_epochs, anneal)


def plan_policy_sizes(params: PolicyParams, max_epochs: int, num_samples: int, *,
                      keep_ratio: float = 1.0,
                      below_mean_share: float = DEFAULT_BELOW_MEAN_SHARE) -> list[int]:
    """Per-epoch subset sizes of a non-DaR policy (index 0 is epoch 1).

    Exact for ``'rs2'`` and ``'reweight'``. For ``'infobatch'`` an expectation: epoch 1
    is full (no sample has a loss yet), the pruning epochs lose
    ``prune_ratio * below_mean_share`` of the data on average, the annealing epochs are
    full.
    """
    if params.policy in DAR_POLICIES:
        raise UsageError(f'policy {params.policy!r} follows the DaR schedule; plan it with '
                         'plan_subset_sizes')
    if params.policy == 'reweight':
        return [num_samples] * max_epochs
    if params.policy == 'rs2':
        return [kept_size(num_samples, keep_ratio)] * max_epochs
    check_below_mean_share(below_mean_share)
    expected = round(num_samples * (1 - params.prune_ratio * below_mean_share))
    return [expected if epoch > 1 and infobatch_prunes_before(epoch, max_epochs, params.anneal)
            else num_samples for epoch in range(1, max_epochs + 1)]


@dataclass(frozen=True)
class PruneRatioEstimate:
    """An InfoBatch ``prune_ratio`` estimated for a target cost (approximate)."""

    prune_ratio: float
    expected_cost: float
    reachable: bool
    min_cost: float


def estimate_prune_ratio(max_epochs: int, anneal: float, target_cost: float, *,
                         below_mean_share: float = DEFAULT_BELOW_MEAN_SHARE,
                         ) -> PruneRatioEstimate:
    """The ``prune_ratio`` whose expected InfoBatch cost is ``target_cost``.

    Expected cost, with P pruning epochs (epoch 1 never prunes) and below-mean share b:
    ``1 - (P - 1) * prune_ratio * b / E``, solved for ``prune_ratio``. An estimate only:
    the real below-mean share changes as training goes, and the real cost is what
    ``dar_log.jsonl`` records (its ``below_mean_share`` field measures b).
    ``reachable`` is False when the target would need ``prune_ratio >= 1``; the
    estimate is then capped just below 1.
    """
    if not 0 < target_cost <= 1:
        raise UsageError(f'target cost must be in (0, 1], got {target_cost}')
    check_anneal(anneal)
    share = check_below_mean_share(below_mean_share)
    pruning = max_epochs - full_data_epochs(max_epochs, anneal) - 1
    highest = 1 - 1e-4  # prune_ratio must stay below 1; finer than any config needs
    min_cost = 1 - pruning * highest * share / max_epochs
    if pruning <= 0:
        return PruneRatioEstimate(0.0, 1.0, target_cost == 1, 1.0)
    ratio = (1 - target_cost) * max_epochs / (pruning * share)
    reachable = ratio < 1
    ratio = round(min(ratio, highest), 4)
    return PruneRatioEstimate(ratio, 1 - pruning * ratio * share / max_epochs, reachable,
                              min_cost)


def solve_rs2_keep_ratio(num_samples: int, target_cost: float, step: float = 1e-4) -> float:
    """RS2's keep ratio on a ``step`` grid whose exact cost is closest to ``target_cost``.

    RS2 trains ``ceil(keep_ratio * N)`` samples every epoch, so its cost is that over N.
    """
    if not 0 < target_cost <= 1:
        raise UsageError(f'target cost must be in (0, 1], got {target_cost}')
    steps = round(1 / step)
    candidates = {max(1, min(steps, math.floor(target_cost * steps) + d)) for d in (0, 1)}
    best = min(sorted(candidates),
               key=lambda k: abs(kept_size(num_samples, k / steps) / num_samples - target_cost))
    return best / steps
