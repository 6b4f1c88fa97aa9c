"""``dar-transfer pretrain``: train a classifier from a config, like OpenMMLab's tools/train.py.

Ends by printing the final top-1/top-5 and the training cost (from ``dar_log.jsonl``;
1.0 without DaR) and writing them to ``{work_dir}/summary.json``.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from ..utils.checkpoint_loading import trusted_files
from ..utils.distributed import shutdown_distributed
from ..utils.machine import machine
from ..utils.packaged_configs import resolve_config
from ..utils.provenance import uses_generated_data
from ..utils.runner_setup import add_runner_arguments, build_config, finish_config

logger = logging.getLogger('dar_transfer')


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'pretrain', help='pretrain a classifier (baseline, DaR or random control)',
        description='Pretrain a classifier with mmengine from an OpenMMLab-style config.')
    parser.add_argument('config', help='config file, e.g. configs/pretrain/imagenet/'
                                       'resnet50_8xb32-120e_in1k_dar.py, or a packaged '
                                       'one by name: dar_transfer::pretrain/imagenet/...')
    add_runner_arguments(parser)
    parser.set_defaults(func=main)
    return parser


def read_cost(work_dir: Path) -> float:
    """The run's training cost: the last ``cost_so_far`` in dar_log.jsonl, else 1.0."""
    from ..sampling.dar_log import DaRLog

    log = DaRLog.read(work_dir / 'dar_log.jsonl')
    return log[-1]['cost_so_far'] if log else 1.0


def summarise(runner, config: str, *, wall_seconds: float | None = None) -> dict:
    """Final accuracy and cost of a finished run, as written to summary.json."""
    hub = runner.message_hub
    metrics = {}
    for key in ('top1', 'top5'):
        scalar = hub.log_scalars.get(f'val/accuracy/{key}')
        metrics[key] = None if scalar is None else float(scalar.current())
    work_dir = Path(runner.work_dir)
    # runner.seed is the seed the run used (mmengine draws one when the config has none);
    # the report pairs a variant's runs with the baseline's by it.
    return {'config': config, 'work_dir': str(work_dir), 'epochs': runner.epoch,
            'seed': runner.seed,
            'top1': metrics['top1'], 'top5': metrics['top5'], 'cost': read_cost(work_dir),
            'dar': (work_dir / 'dar_log.jsonl').exists(), 'wall_seconds': wall_seconds,
            'generated_data': uses_generated_data(runner.cfg), 'machine': machine()}


def run(cfg, config: str) -> dict:
    """Train a finished config (see :func:`main`) and write ``summary.json``."""
    from mmengine.dist import is_main_process
    from mmengine.runner import Runner

    runner = Runner.from_cfg(cfg)
    started = time.monotonic()  # the training loop only: building the runner imports
    runner.train()              # and initialises, a one-time cost in a process
    summary = summarise(runner, config, wall_seconds=round(time.monotonic() - started, 1))
    if is_main_process():
        path = Path(runner.work_dir) / 'summary.json'
        path.write_text(json.dumps(summary, indent=2) + '\n')
        top1 = 'n/a' if summary['top1'] is None else f'{summary["top1"]:.2f}'
        top5 = 'n/a' if summary['top5'] is None else f'{summary["top5"]:.2f}'
        logger.info('finished %s: top-1 %s, top-5 %s, cost %.3f; summary in %s',
                    config, top1, top5, summary['cost'], path)
    return summary


def main(args: argparse.Namespace) -> int:
    cfg = build_config(resolve_config(args.config), args.cfg_options, work_dir=args.work_dir)
    cfg = finish_config(cfg, resume=args.resume, amp=args.amp, launcher=args.launcher,
                        amp_dtype=getattr(args, 'amp_dtype', 'float16'),
                        trusted=trusted_files(args))
    run(cfg, args.config)
    shutdown_distributed(exit_process=True)
    return 0
