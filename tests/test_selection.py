"""Drop selection and the sampler's shards, without a runner."""
import torch

from dar_transfer.sampling.sampler import DaRSampler
from dar_transfer.sampling.selection import seeded_generator, select_hardest, select_random


def test_select_hardest_keeps_highest_scores_ties_to_lower_index():
    subset = torch.tensor([0, 2, 3, 5, 7, 8])
    scores = torch.zeros(10)
    scores[[0, 2, 3, 5, 7, 8]] = torch.tensor([1.0, 5.0, 3.0, 3.0, 3.0, 0.5])
    scores[1] = 100.0  # not a member: never a candidate
    assert select_hardest(subset, scores, 1).tolist() == [2]
    assert select_hardest(subset, scores, 3).tolist() == [2, 3, 5]  # 3,5,7 tie: 3 and 5
    assert select_hardest(subset, scores, 6).tolist() == subset.tolist()


def test_select_hardest_keeps_unseen_members():
    subset = torch.arange(4)
    scores = torch.tensor([2.0, float('nan'), 1.0, 3.0])
    assert select_hardest(subset, scores, 2).tolist() == [1, 3]


def test_select_random_is_seeded_and_sized():
    subset = torch.arange(0, 100, 2)
    first = select_random(subset, 20, seeded_generator(7, 3, 1))
    again = select_random(subset, 20, seeded_generator(7, 3, 1))
    other = select_random(subset, 20, seeded_generator(8, 3, 1))
    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()
    assert len(set(first.tolist())) == 20 and set(first.tolist()) <= set(subset.tolist())


def test_generators_do_not_touch_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    seeded_generator(1, 2, 0)
    select_random(torch.arange(10), 5, seeded_generator(1, 2, 1))
    assert torch.equal(torch.rand(3), expected)


def shards(sampler, world_size):
    out = []
    for rank in range(world_size):
        sampler.rank, sampler.world_size = rank, world_size
        out.append(list(sampler))
        assert len(out[-1]) == len(sampler)
    return out


def test_shards_are_disjoint_cover_the_subset_and_equal_in_length():
    sampler = DaRSampler(list(range(50)), seed=3)
    sampler.configure(max_epochs=4)
    sampler.subset = torch.tensor([1, 4, 9, 16, 25, 36, 49])
    sampler.set_epoch(2)
    parts = shards(sampler, world_size=3)
    assert [len(p) for p in parts] == [3, 3, 3]  # 7 padded to 9
    flat = [i for p in parts for i in p]
    assert set(flat) == set(sampler.subset.tolist())
    assert len(flat) - len(set(flat)) == 2  # exactly the padding repeats
    no_pad = DaRSampler(list(range(50)), seed=3, round_up=False)
    no_pad.configure(max_epochs=4)
    no_pad.subset = sampler.subset
    parts = shards(no_pad, world_size=3)
    flat = [i for p in parts for i in p]
    assert [len(p) for p in parts] == [2, 2, 2] and len(set(flat)) == 6  # tail dropped


def test_shuffle_depends_on_seed_and_epoch_only():
    a, b = DaRSampler(list(range(30)), seed=5), DaRSampler(list(range(30)), seed=5)
    a.configure(max_epochs=4)
    b.configure(max_epochs=4)
    a.set_epoch(1)
    b.set_epoch(1)
    assert list(a) == list(b)
    b.set_epoch(2)
    assert list(a) != list(b)
    assert sorted(a) == list(range(30))


def test_select_hardest_matches_a_stable_sort_with_many_ties():
    generator = torch.Generator().manual_seed(0)
    for _ in range(50):
        size = int(torch.randint(1, 200, (1,), generator=generator))
        member_scores = torch.randint(0, 5, (size,), generator=generator).float()
        member_scores[torch.rand(size, generator=generator) < 0.1] = float('nan')
        subset = torch.sort(torch.randperm(2 * size, generator=generator)[:size]).values
        scores = torch.zeros(2 * size)
        scores[subset] = member_scores
        keep = int(torch.randint(1, size + 1, (1,), generator=generator))
        order = torch.sort(member_scores.nan_to_num(nan=float('inf')), descending=True,
                           stable=True).indices
        expected = torch.sort(subset[order[:keep]]).values
        assert torch.equal(select_hardest(subset, scores, keep), expected)
