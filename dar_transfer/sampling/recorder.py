"""Per-sample training losses, recorded from the model's own forward pass.

A model opts in with one call in its ``loss()``::

    dar_transfer.record_sample_losses(data_samples['sample_idx'], per_sample_loss)

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

    Args:
        num_samples (int): N, the data set size.
    """

    def __init__(self, num_samples: int) -> None:
        self.num_samples = num_samples
        self.sums = torch.zeros(num_samples, dtype=torch.float32)
        self.counts = torch.zeros(num_samples, dtype=torch.int32)

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
        self.sums.zero_()
        self.counts.zero_()

    def reduced_scores(self) -> tuple[torch.Tensor, int]:
        """Mean loss per sample over all ranks (NaN where unseen), and samples seen.

        One collective: sums and counts travel together (counts as float32 are exact
        up to 2**24 recordings of one sample).
        """
        packed = torch.stack([self.sums, self.counts.to(torch.float32)])
        all_reduce(packed)
        sums, counts = packed.cpu()
        scores = torch.where(counts > 0, sums / counts.clamp(min=1), float('nan'))
        return scores, int((counts > 0).sum())

    def state_dict(self) -> dict:
        return {'sums': self.sums.cpu(), 'counts': self.counts.cpu()}

    def load_state_dict(self, state: dict) -> None:
        self.sums = state['sums'].to(torch.float32).clone()
        self.counts = state['counts'].to(torch.int32).clone()


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
