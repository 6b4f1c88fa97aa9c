"""Two CPU processes under torchrun (gloo), as users launch: identical subsets, disjoint
shards, equal iteration counts, and a drop that uses the losses of both ranks."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from helpers import hardness

from dar_transfer.sampling.dar_log import DaRLog

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_two_ranks(worker: str, out: Path) -> None:
    """``worker OUT`` as two torchrun processes on gloo; fails the test with their stderr."""
    result = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
         '--master_addr', '127.0.0.1', '--master_port', str(free_port()),
         str(Path(__file__).parent / worker), str(out)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def test_two_ranks_agree(tmp_path):
    run_two_ranks('dist_worker.py', tmp_path)
    ranks = [json.loads((tmp_path / f'rank{r}.json').read_text()) for r in (0, 1)]
    n = 48
    expected_sizes = [48, 48, 24, 12]
    for epoch, size in enumerate(expected_sizes):
        first, second = (rank['epochs'][epoch] for rank in ranks)
        assert first['subset'] == second['subset'] and len(first['subset']) == size
        assert not set(first['shard']) & set(second['shard'])
        assert sorted(first['shard'] + second['shard']) == first['subset']
        assert first['iterations'] == second['iterations'] == -(-size // 2 // 8)
    # Each rank scored only its own shard; the drop used both (one all_reduce).
    final = ranks[0]['epochs'][-1]['subset']
    top = torch.sort(hardness(torch.arange(n), n), descending=True).indices[:12]
    assert final == sorted(top.tolist())
    assert ranks[0]['iter'] == ranks[0]['max_iters'] == ranks[1]['max_iters']
    log = DaRLog.read(tmp_path / 'dar_log.jsonl')  # rank 0 alone writes it
    assert [line['subset_size'] for line in log] == expected_sizes


def test_dist_pretrain_script_two_cpu_processes(tmp_path):
    """tools/dist_pretrain.sh, as a user runs it: torchrun, two ranks, gloo on the CPU."""
    from dar_transfer.demo.classification_data import write_image_folder

    data = write_image_folder(tmp_path / 'imagenet', num_classes=4,
                              per_class={'train': 6, 'val': 2}, size=40)
    options = [f'{loader}.{key}' for loader in ('train_dataloader', 'val_dataloader',
                                                 'test_dataloader')
               for key in (f'dataset.data_root={data}', 'num_workers=0',
                           'persistent_workers=False')]
    options += ['train_dataloader.batch_size=4', 'model.num_classes=4', 'train_cfg.max_epochs=3',
                'train_dataloader.dataset.pipeline.1.size=32',
                'val_dataloader.dataset.pipeline.1.size=36',
                'val_dataloader.dataset.pipeline.2.crop_size=32',
                'train_dataloader.sampler.warmup_epochs=1', 'train_dataloader.sampler.interval=1',
                'train_dataloader.sampler.keep_ratio=0.5',
                'train_dataloader.sampler.refresh_epochs=[]']
    script = Path(__file__).parents[1] / 'tools' / 'dist_pretrain.sh'
    config = Path(__file__).parents[1] / 'configs/pretrain/imagenet/resnet18_8xb32-120e_in1k_dar.py'
    result = subprocess.run(
        ['bash', str(script), str(config), '2', '--work-dir', str(tmp_path / 'work'),
         '--cfg-options', *options],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, 'PORT': str(free_port()), 'PYTHON': sys.executable,
             'OMP_NUM_THREADS': '1'})
    assert result.returncode == 0, result.stderr[-3000:]
    log = DaRLog.read(tmp_path / 'work' / 'dar_log.jsonl')
    assert [line['subset_size'] for line in log] == [24, 24, 12]
    summary = json.loads((tmp_path / 'work' / 'summary.json').read_text())
    assert summary['cost'] == pytest.approx(60 / 72) and summary['top1'] is not None
