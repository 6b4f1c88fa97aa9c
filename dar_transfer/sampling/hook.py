"""``DaRHook``: feeds training losses to :class:`DaRSampler` and drops/refreshes it."""
from __future__ import annotations

import torch
from mmengine.dataset import ClassBalancedDataset, ConcatDataset, RepeatDataset
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from ..errors import UsageError
from ..utils.checkpoint_hook import WeightsOnlyCheckpointHook
from . import recorder
from .dar_log import DaRLog
from .policies import DAR_POLICIES, WEIGHTED_POLICIES
from .progress import (
    check_iteration_schedulers,
    iterations_before_first_change,
    iterations_per_epoch,
)
from .sampler import DaRSampler

CHECKPOINT_KEY = 'dar'
STATE_VERSION = 1
WRAPPERS = (ConcatDataset, RepeatDataset, ClassBalancedDataset)


@HOOKS.register_module()
class DaRHook(Hook):
    """Drop-and-Refresh: score samples by their training loss, shrink and refresh S.

    Unlike a plain sampler hook (``DistSamplerSeedHook``), it owns the per-sample loss
    buffers that the model fills through :func:`dar_transfer.record_sample_losses`,
    applies the DaR contract to the train loader's :class:`DaRSampler` after every
    epoch, writes ``{work_dir}/dar_log.jsonl``, saves and restores the DaR state in
    checkpoints, and sets mmengine's ``max_iters`` (and so the ETA) from the planned
    subset sizes. Its priority is above ``CheckpointHook`` so the checkpoint written
    after epoch t holds the subset for epoch t + 1. A runner without
    :class:`~dar_transfer.utils.checkpoint_hook.WeightsOnlyCheckpointHook` gets one, so
    that ``resume`` works in any runner (a plain mmengine ``Runner``, mmpretrain's
    ``tools/train.py``) under torch's weights-only loading, with no allow-list widened.

    The same events run the policies beside DaR (``'infobatch'``, ``'rs2'``,
    ``'reweight'``): the hook hands the sampler each epoch's reduced scores and routes
    the sampler's per-sample loss weights to the model through the message hub
    (:func:`dar_transfer.weighted_sample_losses`). InfoBatch's subset sizes depend on
    the losses, so its ``max_iters`` is re-estimated after every epoch.

    Args:
        log_file (str): name of the per-epoch log in the work_dir.
            Defaults to ``'dar_log.jsonl'``.
    """

    priority = 'NORMAL'

    def __init__(self, log_file: str = 'dar_log.jsonl') -> None:
        self.log_file = log_file
        self.sampler: DaRSampler | None = None
        self.recorder: recorder.SampleLossRecorder | None = None
        self.log: DaRLog | None = None
        self.planned_sizes: list[int] = []
        self.trained_samples = 0
        self.finished_epochs = 0
        self.loaded_state: dict | None = None

    # -- runner events ---------------------------------------------------------------
    def before_run(self, runner) -> None:
        # Runner.train calls before_run before load_or_resume, so the hook added here
        # restores the checkpoint being resumed as well as writing this run's ones.
        if not any(isinstance(hook, WeightsOnlyCheckpointHook) for hook in runner.hooks):
            runner.register_hook(WeightsOnlyCheckpointHook())
            runner.logger.info('DaRHook: added WeightsOnlyCheckpointHook, so checkpoints '
                               "load with torch's weights-only loader and resume works")

    def before_train(self, runner) -> None:
        self.sampler = self._find_sampler(runner)
        self.sampler.configure(runner.max_epochs)
        self.recorder = recorder.SampleLossRecorder(self.sampler.num_samples_total)
        self.planned_sizes = self.sampler.planned_sizes()
        self._restore_if_resumed(runner)
        self._set_honest_max_iters(runner, check_schedulers=True)
        if is_main_process():
            self.log = DaRLog(f'{runner.work_dir}/{self.log_file}', resumed_epoch=runner.epoch,
                              moved_suffix=f'before-{runner.timestamp}')

    def before_train_epoch(self, runner) -> None:
        self.recorder.set_weights(self.sampler.loss_weights)
        recorder.activate(runner.message_hub, self.recorder)
        runner.message_hub.update_scalar('train/dar/subset_size', self.sampler.subset_size)
        runner.message_hub.update_scalar('train/dar/cost', self._cost(self.trained_samples))

    def after_train_epoch(self, runner) -> None:
        recorder.activate(runner.message_hub, None)
        epoch = runner.epoch + 1
        self._check_weights_applied(epoch)
        trained = self.sampler.subset_size
        # Every epoch, on every rank: the epoch's checkpoint then holds all ranks' losses.
        self.recorder.merge()
        decision = self.sampler.step(epoch, self._scores_if_needed(epoch))
        if decision.drop or decision.refresh or self.sampler.policy not in DAR_POLICIES:
            self.recorder.reset()  # DaR: means since S changed; the others: per epoch
        self.trained_samples += trained
        self.finished_epochs = epoch
        if self.sampler.policy == 'infobatch' and epoch < runner.max_epochs:
            self._set_honest_max_iters(runner, check_schedulers=False)
        if self.log is not None:
            record = {
                'epoch': epoch, 'subset_size': trained,
                'cost_so_far': self._cost(self.trained_samples),
                'dropped': decision.drop, 'refreshed': decision.refresh,
                'next_subset_size': self.sampler.subset_size,
                'num_samples': self.sampler.num_samples_total, 'policy': self.sampler.policy}
            if self.sampler.policy == 'infobatch' and self.sampler.below_mean is not None:
                # Measures the share that `dar-transfer plan` calibrates prune_ratio with.
                record['below_mean_share'] = (self.sampler.below_mean
                                              / self.sampler.num_samples_total)
            self.log.append(record)

    def after_train(self, runner) -> None:
        recorder.activate(runner.message_hub, None)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.sampler is None:
            return
        checkpoint[CHECKPOINT_KEY] = {
            'version': STATE_VERSION, 'finished_epochs': self.finished_epochs,
            'trained_samples': self.trained_samples, 'sampler': self.sampler.state_dict(),
            'recorder': self.recorder.state_dict()}

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        # Only kept here: before_train decides whether this is a resume or a load_from.
        self.loaded_state = checkpoint.get(CHECKPOINT_KEY)

    # -- helpers ---------------------------------------------------------------------
    def _find_sampler(self, runner) -> DaRSampler:
        loader = runner.train_dataloader
        batch_sampler = getattr(loader, 'batch_sampler', None)
        for candidate in (loader.sampler, getattr(batch_sampler, 'sampler', None)):
            if isinstance(candidate, DaRSampler):
                break
        else:
            raise UsageError(
                "DaRHook is in custom_hooks but train_dataloader's sampler is "
                f'{type(loader.sampler).__name__}; set train_dataloader.sampler='
                "dict(type='DaRSampler', ...) with the DaR parameters")
        if isinstance(loader.dataset, WRAPPERS):
            raise UsageError(
                f'DaR cannot score samples through {type(loader.dataset).__name__}: its '
                'sample_idx is the wrapped data set\'s index, not the sampler\'s. Use the '
                'data set directly')
        return candidate

    def _restore_if_resumed(self, runner) -> None:
        if runner.epoch == 0:  # a fresh run, possibly load_from: start DaR afresh
            return
        state = self.loaded_state
        if state is None:
            raise UsageError(
                f'resuming at epoch {runner.epoch} from a checkpoint without DaR state; '
                'it was not written by a run with DaRHook. Resume from a DaR run\'s '
                'checkpoint, or use load_from to start a new DaR run from its weights')
        if state.get('version') != STATE_VERSION or state['finished_epochs'] != runner.epoch:
            raise UsageError(
                f'the checkpoint\'s DaR state (version {state.get("version")}, '
                f'{state.get("finished_epochs")} epochs) does not match the resumed epoch '
                f'{runner.epoch}; resume from an epoch checkpoint of the same run')
        self.sampler.load_state_dict(state['sampler'])
        self.recorder.load_state_dict(state['recorder'])
        self.trained_samples = state['trained_samples']
        self.finished_epochs = state['finished_epochs']

    def _set_honest_max_iters(self, runner, *, check_schedulers: bool) -> None:
        """Iterations run so far plus those planned from the next epoch on.

        The next epoch's size is the sampler's real subset; later ones are planned
        (exact, or InfoBatch's expectation).
        """
        batch_sampler = runner.train_dataloader.batch_sampler
        if not hasattr(batch_sampler, 'batch_size') or batch_sampler.batch_size is None:
            runner.logger.warning('DaRHook: cannot plan iterations for batch sampler '
                                  f'{type(batch_sampler).__name__}; the ETA will be too long')
            return

        def iterations(sizes: list[int]) -> list[int]:
            return iterations_per_epoch(
                sizes, world_size=self.sampler.world_size, round_up=self.sampler.round_up,
                batch_size=batch_sampler.batch_size, drop_last=batch_sampler.drop_last)

        if check_schedulers:
            check_iteration_schedulers(
                _flatten(runner.param_schedulers),
                iterations_before_first_change(iterations(self.planned_sizes)))
        ahead = []
        if self.finished_epochs < len(self.planned_sizes):
            ahead = [self.sampler.subset_size, *self.planned_sizes[self.finished_epochs + 1:]]
        # EpochBasedTrainLoop offers no setter: it fixes max_iters from the first epoch.
        runner.train_loop._max_iters = runner.iter + sum(iterations(ahead))

    def _check_weights_applied(self, epoch: int) -> None:
        if self.sampler.policy in WEIGHTED_POLICIES and self.recorder.weighted_calls == 0:
            raise RuntimeError(
                f"policy={self.sampler.policy!r} weights each sample's loss, but in epoch "
                f"{epoch} the model's loss() never applied the weights: replace "
                "record_sample_losses with per_sample = dar_transfer.weighted_sample_losses("
                "data_samples['sample_idx'], per_sample) (see "
                'dar_transfer.pretrain.classifier)')

    def _scores_if_needed(self, epoch: int) -> torch.Tensor | None:
        if not self.sampler.needs_scores(epoch):
            return None
        scores, _ = self.recorder.merged_scores()  # merged in after_train_epoch
        member_scores = scores[self.sampler.subset]
        seen = ~torch.isnan(member_scores)
        if not seen.any():
            raise RuntimeError(
                f'policy {self.sampler.policy!r} needs losses after epoch {epoch} but no '
                "per-sample losses were recorded; the model's loss() must call "
                "dar_transfer.record_sample_losses(data_samples['sample_idx'], "
                "per_sample_loss) or dar_transfer.weighted_sample_losses (see "
                "dar_transfer.pretrain.classifier), or use policy='random' or 'rs2'")
        if not torch.isfinite(member_scores[seen]).all():
            bad = int((~torch.isfinite(member_scores[seen])).sum())
            raise FloatingPointError(
                f'{bad} samples had a non-finite training loss before the selection after '
                f'epoch '
                f'{epoch}: training diverged. Lower the learning rate or clip gradients and '
                'resume from the last checkpoint, which is intact')
        return scores

    def _cost(self, trained_samples: int) -> float:
        return trained_samples / (len(self.planned_sizes) * self.sampler.num_samples_total)


def _flatten(schedulers) -> list:
    if schedulers is None:
        return []
    if isinstance(schedulers, dict):
        return [s for group in schedulers.values() for s in group]
    return list(schedulers)
