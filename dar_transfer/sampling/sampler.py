"""``DaRSampler``: a ``DefaultSampler`` that iterates the current DaR subset."""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence, Sized

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from mmengine.registry import DATA_SAMPLERS
from torch.utils.data import Sampler

from ..errors import UsageError
from .policies import (
    DAR_POLICIES,
    POLICIES,
    PolicyParams,
    check_dar_only_parameters,
    infobatch_prunes_before,
    plan_policy_sizes,
)
from .progress import shard_size
from .schedule import (
    DaRSchedule,
    Decision,
    ScheduleState,
    check_parameters,
    kept_size,
    plan_subset_sizes,
)
from .selection import (
    PASS_STREAM,
    PRUNE_STREAM,
    SELECTION_STREAM,
    SHUFFLE_STREAM,
    draw_without_replacement,
    infobatch_prune,
    loss_proportional_weights,
    seeded_generator,
    select_hardest,
    select_random,
)

# Version 2 added the policies 'infobatch', 'rs2' and 'reweight'; version-1 states
# (policies 'hardest' and 'random' only) are migrated on load.
STATE_VERSION = 2
DAR_DEFAULTS = dict(warmup_epochs=0, interval=1, keep_ratio=1.0, active_epochs=None,
                    refresh_epochs=(), semantics='cyclic')


@DATA_SAMPLERS.register_module()
class DaRSampler(Sampler):
    """Yields this rank's shard of a seeded shuffle of the current DaR subset.

    Differs from mmengine's ``DefaultSampler`` in three ways: it iterates a subset S
    of the data set that :class:`DaRHook` shrinks and refreshes between epochs (the
    contract in docs/design/schedule.md, after the DaR paper's Algorithm 1); ``len()``
    follows S; and with ``round_up=False`` it drops the tail of the shuffle (instead of
    giving ranks unequal shards), so every rank always runs the same number of
    iterations.

    The sampler holds the subset and the schedule counters; :class:`DaRHook` feeds it
    the scores and the runner's ``max_epochs``. Everything it needs to resume is in
    :meth:`state_dict`.

    Args:
        dataset (Sized): The data set.
        shuffle (bool): Shuffle S each epoch. Defaults to True.
        seed (int, optional): Seed shared by all ranks for shuffling and for the
            random policy; None draws one and synchronises it from rank 0.
            Defaults to None.
        round_up (bool): Pad S by repeating its shuffle so it divides evenly among
            ranks; False drops the remainder instead. Defaults to True.
        warmup_epochs (int): W, epochs on all data before the first drop. Defaults to 0.
        interval (int): I, epochs between drops. Defaults to 1.
        keep_ratio (float): p in (0, 1], the share of S kept at each drop.
            Defaults to 1.0.
        active_epochs (int, optional): a, drop only while fewer than ``a`` epochs have
            passed since the warm-up or the last refresh. Defaults to None (no limit).
        refresh_epochs (Sequence[int]): R, 1-based epochs after which S is reset to
            all data (typically the learning-rate drops). Defaults to ().
        policy (str): ``'hardest'`` keeps the highest mean training loss (DaR);
            ``'random'`` keeps a uniformly random share of the same size, the
            equal-budget control. Three policies do not follow DaR's schedule (see
            :mod:`dar_transfer.sampling.policies`): ``'infobatch'`` (InfoBatch's
            random pruning of below-mean samples, with loss weights), ``'rs2'`` (a
            fresh ``keep_ratio`` share each epoch, without replacement across epochs)
            and ``'reweight'`` (all data, losses weighted by the previous epoch's).
            The DaR parameters above are rejected with them, except ``keep_ratio``
            for ``'rs2'``. Defaults to ``'hardest'``.
        semantics (str): ``'cyclic'`` or ``'paper-literal'``; see
            :mod:`dar_transfer.sampling.schedule`. Defaults to ``'cyclic'``.
        prune_ratio (float, optional): ``'infobatch'`` only: probability in [0, 1) of
            pruning a sample whose last loss is below the mean. Defaults to None
            (InfoBatch's 0.5).
        anneal (float, optional): ``'infobatch'`` only: share in [0, 1) of the last
            epochs trained on all data. Defaults to None (InfoBatch's 0.125).
    """

    def __init__(self, dataset: Sized, *, shuffle: bool = True, seed: int | None = None,
                 round_up: bool = True, warmup_epochs: int = 0, interval: int = 1,
                 keep_ratio: float = 1.0, active_epochs: int | None = None,
                 refresh_epochs: Sequence[int] = (), policy: str = 'hardest',
                 semantics: str = 'cyclic', prune_ratio: float | None = None,
                 anneal: float | None = None) -> None:
        check_parameters(warmup_epochs=warmup_epochs, interval=interval,
                         keep_ratio=keep_ratio, active_epochs=active_epochs,
                         refresh_epochs=refresh_epochs, semantics=semantics)
        if policy not in POLICIES:
            raise UsageError(f'DaRSampler policy must be one of {POLICIES}, got {policy!r}')
        dar_params = dict(warmup_epochs=warmup_epochs, interval=interval,
                          keep_ratio=keep_ratio, active_epochs=active_epochs,
                          refresh_epochs=tuple(refresh_epochs), semantics=semantics)
        check_dar_only_parameters(policy, {k: v for k, v in dar_params.items()
                                           if v != DAR_DEFAULTS[k]})
        self.policy_params = PolicyParams(policy, prune_ratio=prune_ratio, anneal=anneal)
        if len(dataset) < 1:
            raise UsageError('DaRSampler got an empty data set; check the data root and '
                             'annotation file of train_dataloader.dataset')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.num_samples_total = len(dataset)
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.round_up = round_up
        self.dar_params = dar_params
        self.policy = policy
        self.epoch = 0
        self.subset = torch.arange(self.num_samples_total)
        self.schedule: DaRSchedule | None = None
        self.schedule_state: ScheduleState | None = None
        # Per-sample loss weights of the next epoch (None: all 1), for the weighted
        # policies; RS2's samples not yet drawn in the current pass; InfoBatch's last
        # recorded loss of each sample (NaN: never trained) and its last below-mean count.
        self.loss_weights: torch.Tensor | None = None
        self.remaining = torch.zeros(0, dtype=torch.long)
        self.last_scores: torch.Tensor | None = None
        self.below_mean: int | None = None

    def configure(self, max_epochs: int) -> DaRSchedule:
        """Bind the schedule to the runner's ``max_epochs``; done by the hook.

        For ``'rs2'`` this also draws epoch 1's subset (a resume then overwrites it).
        """
        self.schedule = DaRSchedule(max_epochs=max_epochs, **self.dar_params)
        self.schedule_state = self.schedule.initial_state()
        if self.policy == 'rs2':
            self.remaining = torch.zeros(0, dtype=torch.long)
            self._draw_rs2(1)
        if self.policy == 'infobatch':
            self.last_scores = torch.full((self.num_samples_total,), float('nan'))
        return self.schedule

    def planned_sizes(self) -> list[int]:
        """Per-epoch subset sizes: exact, except InfoBatch's (an expectation)."""
        if self.schedule is None:
            raise RuntimeError('DaRSampler.planned_sizes() before configure()')
        if self.policy in DAR_POLICIES:
            return plan_subset_sizes(self.schedule, self.num_samples_total)
        return plan_policy_sizes(self.policy_params, self.schedule.max_epochs,
                                 self.num_samples_total, keep_ratio=self.schedule.keep_ratio)

    def needs_scores(self, epoch: int) -> bool:
        """Whether :meth:`step` after 1-based ``epoch`` reads the reduced scores."""
        if self.schedule is None or epoch >= self.schedule.max_epochs:
            return self.policy == 'hardest' and self.will_drop(epoch)
        if self.policy == 'reweight':
            return True
        if self.policy == 'infobatch':
            return infobatch_prunes_before(epoch + 1, self.schedule.max_epochs,
                                           self.policy_params.anneal)
        return self.policy == 'hardest' and self.will_drop(epoch)

    @property
    def subset_size(self) -> int:
        return len(self.subset)

    def _shard_size(self) -> int:
        return shard_size(self.subset_size, self.world_size, self.round_up)

    def __iter__(self) -> Iterator[int]:
        if self.schedule is None:
            raise RuntimeError(
                "DaRSampler is iterated but no DaRHook configured it: add custom_hooks="
                "[dict(type='DaRHook')] to the config (the hook scores samples and drops "
                'and refreshes the subset)')
        order = self.subset
        if self.shuffle:
            generator = seeded_generator(self.seed, self.epoch, SHUFFLE_STREAM)
            order = order[torch.randperm(len(order), generator=generator)]
        total = self._shard_size() * self.world_size
        if total > len(order):
            order = order.repeat(math.ceil(total / len(order)))
        return iter(order[self.rank:total:self.world_size].tolist())

    def __len__(self) -> int:
        return self._shard_size()

    def set_epoch(self, epoch: int) -> None:
        """Set the 0-based epoch that seeds the next shuffle."""
        self.epoch = epoch

    def step(self, epoch: int, scores: torch.Tensor | None) -> Decision:
        """Apply the contract after 1-based ``epoch`` (drop, then refresh).

        Args:
            epoch (int): the epoch just trained, 1-based.
            scores (Tensor, optional): mean training loss of every sample (NaN if
                unseen); needed only when a ``'hardest'`` drop happens.
        """
        if self.schedule is None or self.schedule_state is None:
            raise RuntimeError('DaRSampler.step() before configure(); DaRHook does both')
        if self.policy not in DAR_POLICIES:
            return self._step_policy(epoch, scores)
        decision = self.schedule.decide(epoch, self.schedule_state)
        if decision.drop:
            keep = kept_size(self.subset_size, self.schedule.keep_ratio)
            if self.policy == 'hardest':
                if scores is None:
                    raise RuntimeError('a hardest-policy drop needs scores')
                self.subset = select_hardest(self.subset, scores, keep)
            else:
                generator = seeded_generator(self.seed, epoch, SELECTION_STREAM)
                self.subset = select_random(self.subset, keep, generator)
        if decision.refresh:
            self.subset = torch.arange(self.num_samples_total)
        return decision

    def _step_policy(self, epoch: int, scores: torch.Tensor | None) -> Decision:
        """Choose epoch ``epoch + 1``'s subset and weights under a non-DaR policy.

        Every input is identical on all ranks (reduced scores, the shared seed), so
        every rank derives the same subset and weights.
        """
        if not 1 <= epoch <= self.schedule.max_epochs:
            raise ValueError(f'epoch must lie in 1..{self.schedule.max_epochs}, got {epoch}')
        self.below_mean = None  # set again by an InfoBatch draw
        if epoch == self.schedule.max_epochs:
            return Decision(drop=False, refresh=False)  # no epoch follows
        if self.policy == 'rs2':
            self._draw_rs2(epoch + 1)
            return Decision(drop=True, refresh=False)
        if self.needs_scores(epoch) and scores is None:
            raise RuntimeError(f'policy {self.policy!r} needs scores after epoch {epoch}')
        if self.policy == 'reweight':
            self.loss_weights = loss_proportional_weights(scores)
            return Decision(drop=False, refresh=False)
        return self._step_infobatch(epoch, scores)

    def _step_infobatch(self, epoch: int, scores: torch.Tensor | None) -> Decision:
        was_full = self.subset_size == self.num_samples_total
        if scores is None:  # the annealing epochs: all data, unweighted
            self.subset = torch.arange(self.num_samples_total)
            self.loss_weights = None
            return Decision(drop=False, refresh=not was_full)
        # A sample keeps its last recorded loss through the epochs it is pruned.
        self.last_scores = torch.where(torch.isnan(scores), self.last_scores, scores)
        generator = seeded_generator(self.seed, epoch + 1, PRUNE_STREAM)
        self.subset, self.loss_weights, self.below_mean = infobatch_prune(
            self.last_scores, self.policy_params.prune_ratio, generator)
        return Decision(drop=self.subset_size < self.num_samples_total, refresh=False)

    def _draw_rs2(self, epoch: int) -> None:
        keep = kept_size(self.num_samples_total, self.dar_params['keep_ratio'])
        generator = seeded_generator(self.seed, epoch, PASS_STREAM)
        self.subset, self.remaining = draw_without_replacement(
            self.remaining, keep, self.num_samples_total, generator)

    def will_drop(self, epoch: int) -> bool:
        """Whether the contract drops after 1-based ``epoch`` (state unchanged)."""
        if (self.schedule is None or self.schedule_state is None
                or self.policy not in DAR_POLICIES):
            return False
        probe = ScheduleState(**self.schedule_state.state_dict())
        return self.schedule.decide(epoch, probe).drop

    def state_dict(self) -> dict:
        """Tensors and plain values only, so weights-only loading accepts it."""
        return {
            'version': STATE_VERSION,
            'num_samples': self.num_samples_total,
            'seed': self.seed,
            'policy': self.policy,
            'params': {**self.dar_params,
                       'refresh_epochs': list(self.dar_params['refresh_epochs']),
                       'prune_ratio': self.policy_params.prune_ratio,
                       'anneal': self.policy_params.anneal},
            'subset': self.subset.clone(),
            'schedule_state': (self.schedule_state.state_dict()
                               if self.schedule_state is not None else None),
            'loss_weights': None if self.loss_weights is None else self.loss_weights.clone(),
            'remaining': self.remaining.clone(),
            'last_scores': None if self.last_scores is None else self.last_scores.clone(),
            'below_mean': self.below_mean,
        }

    def load_state_dict(self, state: dict) -> None:
        state = _migrate(state)
        if state['num_samples'] != self.num_samples_total:
            raise UsageError(
                f'the checkpoint\'s DaR state is for {state["num_samples"]} samples but the '
                f'training set has {self.num_samples_total}; resume with the same data set')
        saved = {**state['params'], 'refresh_epochs': tuple(state['params']['refresh_epochs'])}
        current = {**self.dar_params, 'prune_ratio': self.policy_params.prune_ratio,
                   'anneal': self.policy_params.anneal}
        if saved != current or state['policy'] != self.policy:
            raise UsageError(
                f'the checkpoint was trained with DaR settings {saved} (policy '
                f'{state["policy"]!r}) but the config has {current} (policy '
                f'{self.policy!r}); resuming would mix two schedules. Restore the old '
                'settings or start a new run')
        self.seed = state['seed']
        self.subset = state['subset'].clone().long()
        if self.schedule is not None and state['schedule_state'] is not None:
            self.schedule_state = ScheduleState(**state['schedule_state'])
        weights, scores = state['loss_weights'], state['last_scores']
        self.loss_weights = None if weights is None else weights.clone().float()
        self.remaining = state['remaining'].clone().long()
        self.last_scores = None if scores is None else scores.clone().float()
        self.below_mean = state['below_mean']


def _migrate(state: dict) -> dict:
    """Bring an older sampler state to :data:`STATE_VERSION`, or say why not."""
    version = state.get('version')
    if version == 1:  # policies 'hardest' and 'random'; nothing else existed
        state = {**state, 'version': 2,
                 'params': {**state['params'], 'prune_ratio': None, 'anneal': None},
                 'loss_weights': None, 'remaining': torch.zeros(0, dtype=torch.long),
                 'last_scores': None, 'below_mean': None}
    if state.get('version') != STATE_VERSION:
        raise UsageError(f'DaRSampler state version {version!r} is not one this version of '
                         f'dar-transfer reads (1 or {STATE_VERSION}); the checkpoint was '
                         'written by a newer dar-transfer')
    return state
