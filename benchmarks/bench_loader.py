"""Data loading while DaR shrinks and refreshes the subset.

A DaR run on JPEGs in ImageFolder layout with two persistent loader workers: per
epoch, the time to the first batch, the epoch time, and whether the workers are the
same processes as in epoch 1. Drop and refresh epochs should look like the others:
the subset changes in the main process (the sampler), so workers neither restart nor
stall.

Usage: python benchmarks/bench_loader.py
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path

from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.runner import Runner

import dar_transfer  # noqa: F401
from dar_transfer.demo.classification_data import write_image_folder

REPO = Path(__file__).resolve().parents[1]


@HOOKS.register_module(force=True)
class LoaderTiming(Hook):
    """Epoch start -> first batch, epoch time, and the loader's worker processes."""

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self.epochs: list[dict] = []
        self.epoch_start = 0.0

    def before_train_epoch(self, runner) -> None:
        self.epoch_start = time.perf_counter()
        self.epochs.append({'epoch': runner.epoch + 1,
                            'subset_size': len(runner.train_dataloader.sampler.subset)})

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if batch_idx == 0:
            self.epochs[-1]['first_batch_s'] = time.perf_counter() - self.epoch_start

    def after_train_epoch(self, runner) -> None:
        record = self.epochs[-1]
        record['epoch_s'] = time.perf_counter() - self.epoch_start
        # Reading the iterator is a benchmark's privilege: torch exposes no worker list.
        iterator = getattr(runner.train_dataloader, '_iterator', None)
        record['worker_pids'] = sorted(w.pid for w in getattr(iterator, '_workers', []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=str(REPO / 'benchmarks/results/loader.json'))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = write_image_folder(Path(tmp) / 'data', num_classes=8,
                                  per_class={'train': 64}, size=96)
        pipeline = [dict(type='LoadImageFromFile'), dict(type='RandomResizedCrop', size=64),
                    dict(type='RandomFlip', prob=0.5), dict(type='PackClassificationInputs')]
        runner = Runner(
            model={'type': 'ImageClassifier', 'arch': 'resnet18', 'num_classes': 8,
                   'data_preprocessor': {'type': 'ImgDataPreprocessor', 'bgr_to_rgb': True}},
            work_dir=str(Path(tmp) / 'work'),
            train_dataloader={
                'dataset': {'type': 'ImageFolderDataset', 'data_root': str(data),
                            'pipeline': pipeline},
                'sampler': {'type': 'DaRSampler', 'seed': 0, 'warmup_epochs': 1,
                            'interval': 1, 'keep_ratio': 0.5, 'active_epochs': 2,
                            'refresh_epochs': [4, 6]},
                'batch_size': 32, 'num_workers': 2, 'persistent_workers': True,
                'collate_fn': {'type': 'default_collate'}},
            train_cfg={'by_epoch': True, 'max_epochs': 8},
            optim_wrapper={'optimizer': {'type': 'SGD', 'lr': 0.01, 'momentum': 0.9}},
            custom_hooks=[{'type': 'DaRHook'}, {'type': 'LoaderTiming'}],
            default_hooks={'checkpoint': None, 'logger': {'type': 'LoggerHook', 'interval': 100}},
            randomness={'seed': 0}, experiment_name=f'loader-{uuid.uuid4().hex[:8]}',
            log_level='WARNING')
        runner.train()
        timing = next(h for h in runner.hooks if isinstance(h, LoaderTiming)).epochs
    first_pids = timing[0]['worker_pids']
    print(f'{"epoch":>5} {"subset":>7} {"first batch (s)":>16} {"epoch (s)":>10} '
          f'{"same workers":>13}')
    for record in timing:
        print(f'{record["epoch"]:>5} {record["subset_size"]:>7} '
              f'{record["first_batch_s"]:>16.3f} {record["epoch_s"]:>10.2f} '
              f'{str(record["worker_pids"] == first_pids):>13}')
    Path(args.out).write_text(json.dumps(timing, indent=2))


if __name__ == '__main__':
    main()
