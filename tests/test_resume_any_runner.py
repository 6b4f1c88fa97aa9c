"""DaR resumes in any runner: the README's "DaR in your own mmengine config" snippet in a
plain mmengine Runner (what OpenMMLab's tools/train.py builds), with no
WeightsOnlyCheckpointHook in the config, under torch's weights-only loading."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import helpers  # noqa: F401  (registers TinyConvClassifier)
import pytest
import torch
from mmengine.runner import Runner
from test_distributed import free_port

from dar_transfer.sampling.dar_log import DaRLog
from dar_transfer.sampling.recorder import SampleLossRecorder
from dar_transfer.utils.checkpoint_hook import WeightsOnlyCheckpointHook

WORKER = Path(__file__).parent / 'dist_resume_worker.py'

# A user's own plain mmengine config: DefaultSampler, no dar-transfer anywhere.
BASE = """
model = dict(type='TinyConvClassifier')
train_dataloader = dict(
    dataset=dict(type='SyntheticImageDataset', num_samples=48),
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_size=8, num_workers=0, collate_fn=dict(type='default_collate'))
train_cfg = dict(by_epoch=True, max_epochs=6)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9))
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1),
                     logger=dict(type='LoggerHook', interval=1))
randomness = dict(seed=0)
default_scope = 'mmengine'
"""
# The README's snippet, at toy scale: a drop after epochs 3 and 5 (sizes 48, 48, 48, 24,
# 24, 12), each scored on the losses of the epochs since the subset last changed.
SNIPPET = """
_base_ = './base.py'
custom_imports = dict(imports=['dar_transfer'], allow_failed_imports=False)
train_dataloader = dict(sampler=dict(
    _delete_=True, type='DaRSampler', warmup_epochs=1, interval=2, keep_ratio=0.5,
    active_epochs=10, refresh_epochs=[], policy='hardest'))
custom_hooks = [dict(type='DaRHook')]
"""
SIZES = [48, 48, 48, 24, 24, 12]


def two_ranks(config: Path, work_dir: Path, record: Path,
              *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
         '--master_addr', '127.0.0.1', '--master_port', str(free_port()), str(WORKER),
         str(config), str(work_dir), str(record), *extra],
        capture_output=True, text=True, timeout=300, env={**os.environ, 'OMP_NUM_THREADS': '1'})


def subsets(record: Path, rank: int) -> list[dict]:
    path = Path(f'{record}.rank{rank}.jsonl')
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.slow
def test_readme_snippet_resumes_in_a_plain_runner_on_two_ranks(tmp_path):
    (tmp_path / 'base.py').write_text(BASE)
    config = tmp_path / 'dar.py'
    config.write_text(SNIPPET)

    whole = two_ranks(config, tmp_path / 'whole', tmp_path / 'whole')
    assert whole.returncode == 0, whole.stderr[-3000:]

    stopped = two_ranks(config, tmp_path / 'resumed', tmp_path / 'before', '--stop-after', '2')
    assert stopped.returncode != 0  # os._exit on both ranks, after epoch 2's checkpoint
    work = tmp_path / 'resumed'
    assert (work / 'epoch_2.pth').is_file() and not (work / 'epoch_3.pth').exists()
    # DaRHook added WeightsOnlyCheckpointHook on its own: torch's default loader reads it.
    torch.load(work / 'epoch_2.pth', weights_only=True)

    resumed = two_ranks(config, work, tmp_path / 'after', '--resume')
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'Weights only load failed' not in resumed.stderr

    for rank in (0, 1):
        expected = subsets(tmp_path / 'whole', rank)
        assert [len(line['subset']) for line in expected] == SIZES
        got = subsets(tmp_path / 'before', rank) + subsets(tmp_path / 'after', rank)
        assert [line['epoch'] for line in got] == [1, 2, 3, 4, 5, 6]  # resumed at epoch 3
        assert got == expected
    assert subsets(tmp_path / 'whole', 0) == subsets(tmp_path / 'whole', 1)

    def comparable(log):
        return [(x['epoch'], x['subset_size'], x['cost_so_far']) for x in log]
    assert (comparable(DaRLog.read(work / 'dar_log.jsonl'))
            == comparable(DaRLog.read(tmp_path / 'whole' / 'dar_log.jsonl')))


def bare_runner(work_dir: Path, custom_hooks: list[dict]) -> Runner:
    return Runner(model={'type': 'TinyConvClassifier'}, work_dir=str(work_dir),
                  custom_hooks=custom_hooks, default_scope='mmengine',
                  experiment_name=f'test-{uuid.uuid4().hex[:8]}')


def test_dar_hook_adds_the_weights_only_hook_once(tmp_path):
    runner = bare_runner(tmp_path / 'plain', [{'type': 'DaRHook'}])
    runner.call_hook('before_run')
    runner.call_hook('before_run')  # a second train() in the same runner adds none
    added = [h for h in runner.hooks if isinstance(h, WeightsOnlyCheckpointHook)]
    assert len(added) == 1
    # VERY_LOW, so it sees (and rewrites) what every other hook put in the checkpoint.
    names = [type(h).__name__ for h in runner.hooks]
    assert names.index('WeightsOnlyCheckpointHook') > names.index('CheckpointHook')

    own = bare_runner(tmp_path / 'own', [{'type': 'DaRHook'},
                                         {'type': 'WeightsOnlyCheckpointHook'}])
    own.call_hook('before_run')
    assert sum(isinstance(h, WeightsOnlyCheckpointHook) for h in own.hooks) == 1


def test_recorder_checkpoints_hold_the_merged_losses():
    # What rank 0 writes must not depend on which rank writes it: only losses merged
    # over all ranks (after each epoch) go into the state dict.
    recorder = SampleLossRecorder(4)
    recorder.add(torch.tensor([0, 2]), torch.tensor([1.0, 3.0]))
    recorder.merge()  # one process: the all-reduce is the identity
    recorder.add(torch.tensor([1]), torch.tensor([5.0]))  # not merged yet
    state = recorder.state_dict()
    assert state['sums'].tolist() == [1.0, 0.0, 3.0, 0.0]
    assert state['counts'].tolist() == [1, 0, 1, 0]
    restored = SampleLossRecorder(4)
    restored.load_state_dict(state)
    scores, seen = restored.reduced_scores()
    assert seen == 2 and scores[[0, 2]].tolist() == [1.0, 3.0] and scores[1].isnan()
