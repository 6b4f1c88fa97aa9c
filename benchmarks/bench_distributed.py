"""Distributed DaR on the CPU: 1 vs 2 processes (gloo), throughput and identical subsets.

Each run trains the same DaR schedule on synthetic data under torchrun; every rank
writes the subset it holds after each epoch. On a 2-core machine the two-process run
gives each process one thread, the one-process run two threads, so the comparison is
of the same cores. Identical subsets on both ranks are the correctness figure.

Usage: python benchmarks/bench_distributed.py
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NUM_SAMPLES, EPOCHS = 3072, 5


def worker(out: Path) -> None:
    from mmengine.hooks import Hook
    from mmengine.registry import HOOKS
    from mmengine.runner import Runner

    import dar_transfer  # noqa: F401
    from dar_transfer.utils.distributed import init_distributed

    @HOOKS.register_module(force=True)
    class SubsetDigest(Hook):
        priority = 'VERY_LOW'

        def __init__(self) -> None:
            self.digests: list[str] = []
            self.start = 0.0

        def before_train(self, runner) -> None:
            self.start = time.perf_counter()

        def after_train_epoch(self, runner) -> None:
            subset = runner.train_dataloader.sampler.subset.numpy().tobytes()
            self.digests.append(hashlib.sha256(subset).hexdigest()[:16])

        def after_train(self, runner) -> None:
            Path(out, f'rank{runner.rank}.json').write_text(json.dumps({
                'digests': self.digests, 'seconds': time.perf_counter() - self.start,
                'iterations': runner.iter}))

    setup = init_distributed('pytorch')
    runner = Runner(
        model={'type': 'ImageClassifier', 'arch': 'cifar_resnet20', 'num_classes': 10,
               'data_preprocessor': {'type': 'BatchAugmentPreprocessor', 'mean': [0, 0, 0],
                                     'std': [1, 1, 1], 'channels_last': True}},
        work_dir=str(out),
        train_dataloader={'dataset': {'type': 'SyntheticImageDataset',
                                      'num_samples': NUM_SAMPLES, 'num_classes': 10,
                                      'image_size': 32},
                          'sampler': {'type': 'DaRSampler', 'seed': 0, 'warmup_epochs': 1,
                                      'interval': 1, 'keep_ratio': 0.7, 'active_epochs': 2,
                                      'refresh_epochs': [3]},
                          'batch_size': 64, 'num_workers': 0,
                          'collate_fn': {'type': 'default_collate'}},
        train_cfg={'by_epoch': True, 'max_epochs': EPOCHS},
        optim_wrapper={'optimizer': {'type': 'SGD', 'lr': 0.05, 'momentum': 0.9}},
        custom_hooks=[{'type': 'DaRHook'}, {'type': 'SubsetDigest'}],
        default_hooks={'checkpoint': None, 'logger': {'type': 'LoggerHook', 'interval': 1000}},
        launcher=setup.launcher, cfg=setup.cfg_overrides, randomness={'seed': 0},
        experiment_name=f'dist-{uuid.uuid4().hex[:8]}', log_level='WARNING')
    runner.train()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def launch(processes: int, out: Path) -> list[dict]:
    out.mkdir(parents=True)
    env = {**os.environ, 'OMP_NUM_THREADS': str(max(1, 2 // processes))}
    subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node',
                    str(processes), '--master_addr', '127.0.0.1', '--master_port',
                    str(free_port()), __file__, '--worker', str(out)],
                   check=True, env=env, capture_output=True, text=True)
    return [json.loads((out / f'rank{r}.json').read_text()) for r in range(processes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--out', default=str(REPO / 'benchmarks/results/distributed.json'))
    args = parser.parse_args()
    if args.worker:
        worker(Path(args.worker))
        return
    with tempfile.TemporaryDirectory() as tmp:
        one = launch(1, Path(tmp) / 'one')
        two = launch(2, Path(tmp) / 'two')
    from dar_transfer.sampling.schedule import DaRSchedule, plan_subset_sizes

    sizes = plan_subset_sizes(DaRSchedule(max_epochs=EPOCHS, warmup_epochs=1, interval=1,
                                          keep_ratio=0.7, active_epochs=2,
                                          refresh_epochs=(3,)), NUM_SAMPLES)
    images = sum(sizes)
    identical = two[0]['digests'] == two[1]['digests']
    rate = {name: images / max(r['seconds'] for r in runs)
            for name, runs in (('1 process', one), ('2 processes', two))}
    speedup = rate['2 processes'] / rate['1 process']
    print(f'1 process: {rate["1 process"]:.0f} images/s; 2 processes: '
          f'{rate["2 processes"]:.0f} images/s (ratio {speedup:.2f})')
    print(f'subsets identical on both ranks every epoch: {identical}; iterations per rank: '
          f'{[r["iterations"] for r in two]}')
    Path(args.out).write_text(json.dumps({'images': images, 'images_per_second': rate,
                                          'ranks_identical': identical,
                                          'one': one, 'two': two}, indent=2))


if __name__ == '__main__':
    main()
