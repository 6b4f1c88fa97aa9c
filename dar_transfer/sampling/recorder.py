"""Per-sample training losses, recorded from the model's own forward pass.

A model opts in with one call in its ``loss()``::

    dar_transfer.record_sample_losses(data_samples['sample_idx'], per_sample_loss)

or, to also apply the per-sample loss weights of ``policy='infobatch'`` and
``policy='reweight'`` (the same call, returning the weighted losses)::

    per_sample_loss = dar_transfer.weighted_sample_losses(data_samples['sample_idx'],
                                                          per_sample_loss)

The call goes to the recorder that :class:`~dar_transfer.sampling.DaRHook` puts in the
current runner's message hub for each training epoch; without one (no DaR in this run,
or validation) it does nothing, so the same model trains with or without DaR. Going
through the message hub (not a module global) means a recorder left behind by a run
that crashed is never seen by the next runner in the same process.
"""
from __future__ import annotations

import torch
from mmengine.dist import all_reduce
from mmengine.logging import MessageHub

# Runtime-info key in the message hub; not resumed, so never written into checkpoints.
HUB_KEY = 'dar/loss_recorder'


class SampleLossRecorder:
    """Running sum and count of each sample's training losses since S last changed.

    Dense buffers of N float32 sums and N int counts live on the device of the losses,
    so recording adds no host-device synchronisation; they are float32 whatever the
    model's precision (AMP, bf16).

    Each rank records its own shard into ``sums`` / ``counts``; :meth:`merge` (called by
    ``DaRHook`` after every epoch, on every rank) adds all ranks' records into
    ``merged_sums`` / ``merged_counts``, identical on every rank. The state dict holds
    the merged buffers only: a checkpoint is written by rank 0 alone, and with the
    rank-local sums a resumed run would lose the other ranks' losses of the epochs
    before it stopped (and count rank 0's once per rank), so its next drop would keep a
    different subset than an uninterrupted run.

    Args:
        num_samples (int): N, the data set size.
    """

    def __init__(self, num_samples: int) -> None:
        self.num_samples = num_samples
        self.sums = torch.zeros(num_samples, dtype=torch.float32)
        self.counts = torch.zeros(num_samples, dtype=torch.int32)
        self.merged_sums = torch.zeros(num_samples, dtype=torch.float32)
        self.merged_counts = torch.zeros(num_samples, dtype=torch.int32)
        # This epoch's loss weights (None: all 1), set by DaRHook, and how many batches
        # the model weighted: a weighting policy checks that the model applies them.
        self.weights: torch.Tensor | None = None
        self.weighted_calls = 0

    def set_weights(self, weights: torch.Tensor | None) -> None:
        """Use ``weights`` (N floats, or None for all 1) from now on; restart the count."""
        if weights is not None and weights.shape != (self.num_samples,):
            raise ValueError(f'loss weights must hold one weight per sample '
                             f'({self.num_samples}), got shape {tuple(weights.shape)}')
        self.weights = weights
        self.weighted_calls = 0

    def weigh(self, sample_indices, per_sample_losses: torch.Tensor) -> torch.Tensor:
        """``per_sample_losses`` times this epoch's weights of ``sample_indices``."""
        self.weighted_calls += 1
        if self.weights is None:
            return per_sample_losses
        if self.weights.device != per_sample_losses.device:
            self.weights = self.weights.to(per_sample_losses.device)
        indices = torch.as_tensor(sample_indices, device=per_sample_losses.device).long()
        weights = self.weights[indices.reshape(-1)].to(per_sample_losses.dtype)
        return per_sample_losses * weights.reshape(per_sample_losses.shape)

    def add(self, sample_indices, per_sample_losses: torch.Tensor) -> None:
        losses = per_sample_losses.detach().reshape(-1).to(torch.float32)
        indices = torch.as_tensor(sample_indices, device=losses.device).reshape(-1).long()
        if indices.numel() != losses.numel():
            raise ValueError(
                f'record_sample_losses got {indices.numel()} sample indices but '
                f'{losses.numel()} losses; pass one loss per sample (reduction="none")')
        if self.sums.device != losses.device:
            self.sums = self.sums.to(losses.device)
            self.counts = self.counts.to(losses.device)
        self.sums.index_add_(0, indices, losses)
        self.counts.index_add_(0, indices, torch.ones_like(indices, dtype=torch.int32))

    def reset(self) -> None:
        for buffer in (self.sums, self.counts, self.merged_sums, self.merged_counts):
            buffer.zero_()

    def merge(self) -> None:
        """Add every rank's records since the last merge to the merged buffers.

        A collective: every rank calls it at the same point. Sums and counts travel
        together (counts as float32 are exact up to 2**24 recordings of one sample).
        """
        packed = torch.stack([self.sums, self.counts.to(torch.float32)])
        all_reduce(packed)
        sums, counts = packed.to(self.merged_sums.device)
        self.merged_sums += sums
        self.merged_counts += counts.to(torch.int32)
        self.sums.zero_()
        self.counts.zero_()

    def merged_scores(self) -> tuple[torch.Tensor, int]:
        """Mean merged loss per sample (NaN where unseen), and samples seen; no collective."""
        sums, counts = self.merged_sums.cpu(), self.merged_counts.cpu()
        scores = torch.where(counts > 0, sums / counts.clamp(min=1), float('nan'))
        return scores, int((counts > 0).sum())

    def reduced_scores(self) -> tuple[torch.Tensor, int]:
        """Mean loss per sample over all ranks (NaN where unseen), and samples seen.

        Merges first, so it is a collective as :meth:`merge` is.
        """
        self.merge()
        return self.merged_scores()

    def state_dict(self) -> dict:
        # The merged buffers only: the same on every rank, whichever writes the file.
        return {'sums': self.merged_sums.cpu(), 'counts': self.merged_counts.cpu()}

    def load_state_dict(self, state: dict) -> None:
        self.merged_sums = state['sums'].to(torch.float32).clone()
        self.merged_counts = state['counts'].to(torch.int32).clone()
        self.sums.zero_()
        self.counts.zero_()


def activate(message_hub: MessageHub, recorder: SampleLossRecorder | None) -> None:
    """Route :func:`record_sample_losses` to ``recorder`` (None switches it off)."""
    message_hub.update_info(HUB_KEY, recorder, resumed=False)


def record_sample_losses(sample_indices, per_sample_losses: torch.Tensor) -> None:
    """Record each sample's training loss for DaR's hardness score.

    Args:
        sample_indices (Tensor | Sequence[int]): dataset indices of the batch's
            samples (``sample_idx`` in mmengine datasets), one per loss.
        per_sample_losses (Tensor): the unreduced training loss, one per sample.
    """
    recorder = MessageHub.get_current_instance().get_info(HUB_KEY)
    if recorder is not None:
        recorder.add(sample_indices, per_sample_losses)


def weighted_sample_losses(sample_indices, per_sample_losses: torch.Tensor) -> torch.Tensor:
    """Record each sample's training loss and return it times the policy's loss weight.

    The one-line opt-in for every policy, weighted or not: it records the unweighted
    losses exactly as :func:`record_sample_losses` does, then multiplies them by the
    per-sample weights :class:`~dar_transfer.sampling.DaRHook` set for this epoch
    (``policy='infobatch'``: ``1 / (1 - prune_ratio)`` for kept below-mean samples;
    ``policy='reweight'``: the previous epoch's mean loss, normalised to mean 1). Without
    a weighting policy, outside training, or without DaR in the run, it returns
    ``per_sample_losses`` itself. Use it in place of ``record_sample_losses``::

        per_sample = dar_transfer.weighted_sample_losses(data_samples['sample_idx'],
                                                         per_sample)
        return {'loss': per_sample.mean()}

    Args:
        sample_indices (Tensor | Sequence[int]): dataset indices of the batch's
            samples (``sample_idx`` in mmengine datasets), one per loss.
        per_sample_losses (Tensor): the unreduced training loss, one per sample.

    Returns:
        Tensor: the weighted per-sample losses, same shape, dtype and device; gradients
        flow through them.
    """
    recorder = MessageHub.get_current_instance().get_info(HUB_KEY)
    if recorder is None:
        return per_sample_losses
    recorder.add(sample_indices, per_sample_losses)
    return recorder.weigh(sample_indices, per_sample_losses)
