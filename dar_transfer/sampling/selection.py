"""Which members of the subset survive a drop: the hardest, or a random control.

Both functions are deterministic given their inputs, so every rank that holds the
same reduced scores (or the same seed) derives the identical subset.
"""
from __future__ import annotations

import numpy as np
import torch

# Independent random streams derived from the shared seed; a stream id keeps the
# shuffle of epoch t and the random drop after epoch t uncorrelated.
SHUFFLE_STREAM = 0
SELECTION_STREAM = 1


def seeded_generator(seed: int, epoch: int, stream: int) -> torch.Generator:
    """A local CPU generator for (seed, epoch, stream); never touches global RNGs."""
    state = np.random.SeedSequence([seed % 2**63, epoch, stream]).generate_state(2, np.uint64)
    generator = torch.Generator()
    generator.manual_seed(int(state[0] >> np.uint64(1)))
    return generator


def select_hardest(subset: torch.Tensor, scores: torch.Tensor, keep: int) -> torch.Tensor:
    """The ``keep`` members of ``subset`` with the highest score, ties to lower index.

    Args:
        subset (Tensor): sorted int64 dataset indices of the current subset.
        scores (Tensor): float scores of all N samples (only members are read).
            Unscored members (NaN) rank above every scored one: there is no evidence
            that they are easy.
        keep (int): how many to keep, 1 <= keep <= len(subset).

    Returns:
        Tensor: the kept dataset indices, sorted ascending.
    """
    member_scores = scores[subset].nan_to_num(nan=float('inf'))
    # A linear-time selection instead of a sort (8x faster at ImageNet scale): keep all
    # above the keep-th largest score, then fill with the lowest-index ties at it.
    threshold = torch.kthvalue(member_scores, len(subset) - keep + 1).values
    kept = member_scores > threshold
    ties = torch.nonzero(member_scores == threshold).squeeze(1)
    kept[ties[:keep - int(kept.sum())]] = True
    return subset[kept]  # a mask keeps the subset's ascending order


def select_random(subset: torch.Tensor, keep: int, generator: torch.Generator) -> torch.Tensor:
    """``keep`` members of ``subset`` chosen uniformly at random, sorted ascending."""
    chosen = torch.randperm(len(subset), generator=generator)[:keep]
    return torch.sort(subset[chosen]).values


# Streams of the policies beside DaR (see SHUFFLE_STREAM above).
PRUNE_STREAM = 2
PASS_STREAM = 3


def infobatch_prune(scores: torch.Tensor, prune_ratio: float,
                    generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, int]:
    """InfoBatch's draw: prune below-mean samples with probability ``prune_ratio``.

    Qin et al., ICLR 2024: the threshold is the mean score; kept below-mean samples get
    weight ``1 / (1 - prune_ratio)`` so the expected gradient is unchanged.

    Args:
        scores (Tensor): the last recorded loss of all N samples, NaN where a sample
            has never been trained. Unseen samples are kept with weight 1 and left out
            of the mean (InfoBatch starts every score high, so they are never pruned).
        prune_ratio (float): probability in [0, 1) of pruning a below-mean sample.
        generator (Generator): local generator, seeded alike on every rank.

    Returns:
        tuple: the kept indices (sorted), the weights of all N samples (float32) and
        the number of below-mean samples.
    """
    seen = ~torch.isnan(scores)
    below = torch.zeros_like(seen)
    if seen.any():
        below[seen] = scores[seen] < scores[seen].mean()
    # One draw per sample, whether below the mean or not: the draw of a sample does not
    # depend on the others' scores.
    pruned = below & (torch.rand(len(scores), generator=generator) < prune_ratio)
    weights = torch.ones(len(scores), dtype=torch.float32)
    weights[below & ~pruned] = 1 / (1 - prune_ratio)
    return torch.nonzero(~pruned).squeeze(1), weights, int(below.sum())


def loss_proportional_weights(scores: torch.Tensor) -> torch.Tensor:
    """Weights proportional to each sample's score, with mean 1 over the data set.

    The DaR paper's hard-example re-weighting control (Sec. 5). Unscored samples (NaN)
    get weight 1; the scored ones share the rest, so the mean over all N is 1. A data
    set whose scores are all zero gets weight 1 everywhere.
    """
    weights = torch.ones(len(scores), dtype=torch.float32)
    seen = ~torch.isnan(scores)
    mean = scores[seen].double().mean() if seen.any() else torch.tensor(0.0)
    if mean > 0:
        weights[seen] = (scores[seen].double() / mean).float()
    return weights


def draw_without_replacement(remaining: torch.Tensor, keep: int, num_samples: int,
                             generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """RS2's draw: the next ``keep`` samples of the current pass over the data set.

    Okanovic et al., 2023 (RS2 without replacement). ``remaining`` holds the pass's
    samples not yet trained, in drawing order. When fewer than ``keep`` remain, the
    epoch takes all of them and the rest from a fresh permutation (``generator``), which
    starts the next pass; samples taken at the end of the old pass stay in the new one.

    Returns:
        tuple: the epoch's subset (sorted) and the new ``remaining``.
    """
    taken = remaining[:keep]
    remaining = remaining[keep:]
    if len(taken) < keep:
        fresh = torch.randperm(num_samples, generator=generator)
        in_epoch = torch.zeros(num_samples, dtype=torch.bool)
        in_epoch[taken] = True
        extra = fresh[~in_epoch[fresh]][:keep - len(taken)]
        in_epoch[extra] = True
        taken = torch.cat([taken, extra])
        remaining = fresh[~torch.isin(fresh, extra)]
    return torch.sort(taken).values, remaining
