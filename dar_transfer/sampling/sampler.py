"""``DaRSampler``: a ``DefaultSampler`` that iterates the current DaR subset."""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence, Sized

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from mmengine.registry import DATA_SAMPLERS
from torch.utils.data import Sampler

from .progress import shard_size
from .schedule import DaRSchedule, Decision, ScheduleState, check_parameters, kept_size
from .selection import (
    SELECTION_STREAM,
    SHUFFLE_STREAM,
    seeded_generator,
    select_hardest,
    select_random,
)

POLICIES = ('hardest', 'random')
STATE_VERSION = 1


@DATA_SAMPLERS.register_module()
class DaRSampler(Sampler):
    """Yields this rank's shard of a seeded shuffle of the current DaR subset.

    Differs from mmengine's ``DefaultSampler`` in three ways: it iterates a subset S
    of the data set that :class:`DaRHook` shrinks and refreshes between epochs
    (DESIGN.md's contract, after the DaR paper's Algorithm 1); ``len()`` follows S;
    and with ``round_up=False`` it drops the tail of the shuffle (instead of giving
    ranks unequal shards), so every rank always runs the same number of iterations.

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
            equal-budget control. Defaults to ``'hardest'``.
        semantics (str): ``'cyclic'`` or ``'paper-literal'``; see
            :mod:`dar_transfer.sampling.schedule`. Defaults to ``'cyclic'``.
    """

    def __init__(self, dataset: Sized, *, shuffle: bool = True, seed: int | None = None,
                 round_up: bool = True, warmup_epochs: int = 0, interval: int = 1,
                 keep_ratio: float = 1.0, active_epochs: int | None = None,
                 refresh_epochs: Sequence[int] = (), policy: str = 'hardest',
                 semantics: str = 'cyclic') -> None:
        check_parameters(warmup_epochs=warmup_epochs, interval=interval,
                         keep_ratio=keep_ratio, active_epochs=active_epochs,
                         refresh_epochs=refresh_epochs, semantics=semantics)
        if policy not in POLICIES:
            raise ValueError(f'DaRSampler policy must be one of {POLICIES}, got {policy!r}')
        if len(dataset) < 1:
            raise ValueError('DaRSampler got an empty data set; check the data root and '
                             'annotation file of train_dataloader.dataset')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.num_samples_total = len(dataset)
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.round_up = round_up
        self.dar_params = dict(warmup_epochs=warmup_epochs, interval=interval,
                               keep_ratio=keep_ratio, active_epochs=active_epochs,
                               refresh_epochs=tuple(refresh_epochs), semantics=semantics)
        self.policy = policy
        self.epoch = 0
        self.subset = torch.arange(self.num_samples_total)
        self.schedule: DaRSchedule | None = None
        self.schedule_state: ScheduleState | None = None

    def configure(self, max_epochs: int) -> DaRSchedule:
        """Bind the schedule to the runner's ``max_epochs``; done by the hook."""
        self.schedule = DaRSchedule(max_epochs=max_epochs, **self.dar_params)
        self.schedule_state = self.schedule.initial_state()
        return self.schedule

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

    def will_drop(self, epoch: int) -> bool:
        """Whether the contract drops after 1-based ``epoch`` (state unchanged)."""
        if self.schedule is None or self.schedule_state is None:
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
                       'refresh_epochs': list(self.dar_params['refresh_epochs'])},
            'subset': self.subset.clone(),
            'schedule_state': (self.schedule_state.state_dict()
                               if self.schedule_state is not None else None),
        }

    def load_state_dict(self, state: dict) -> None:
        if state.get('version') != STATE_VERSION:
            raise ValueError(f'DaRSampler state version {state.get("version")!r} is not '
                             f'{STATE_VERSION}; this checkpoint was written by another version '
                             'of dar-transfer')
        if state['num_samples'] != self.num_samples_total:
            raise ValueError(
                f'the checkpoint\'s DaR state is for {state["num_samples"]} samples but the '
                f'training set has {self.num_samples_total}; resume with the same data set')
        saved = {**state['params'], 'refresh_epochs': tuple(state['params']['refresh_epochs'])}
        if saved != self.dar_params or state['policy'] != self.policy:
            raise ValueError(
                f'the checkpoint was trained with DaR settings {saved} (policy '
                f'{state["policy"]!r}) but the config has {self.dar_params} (policy '
                f'{self.policy!r}); resuming would mix two schedules. Restore the old '
                'settings or start a new run')
        self.seed = state['seed']
        self.subset = state['subset'].clone().long()
        if self.schedule is not None and state['schedule_state'] is not None:
            self.schedule_state = ScheduleState(**state['schedule_state'])
