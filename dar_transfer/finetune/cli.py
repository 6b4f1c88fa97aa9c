"""``dar-transfer finetune``: train, validate and test a downstream config.

The config is a plain OpenMMLab config (for example one written by ``dar-transfer
export``); its ``default_scope`` picks the library, whose registries mmengine loads.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import time
from numbers import Number
from pathlib import Path

from ..errors import UsageError
from ..utils.checkpoint_loading import trusted_files
from ..utils.distributed import shutdown_distributed
from ..utils.machine import machine
from ..utils.provenance import uses_generated_data
from ..utils.runner_setup import add_runner_arguments, build_config, finish_config
from .ema import keep_weight_averages

SCOPES = ('mmdet', 'mmpose', 'mmseg')
# Iterations between checks of the training loss: a fine-tuning is a few thousand at
# most, and the check is a device synchronisation on GPUs.
FINITE_LOSS_INTERVAL = 10
logger = logging.getLogger('dar_transfer')


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'finetune', help='fine-tune and test a downstream (mmdet/mmpose/mmseg) config',
        description='Fine-tune a downstream config with its library\'s runner, then test it.')
    parser.add_argument('config', help='an mmdet, mmpose or mmseg config, e.g. '
                                       'checkpoints/NAME_det.py')
    add_runner_arguments(parser)
    parser.set_defaults(func=main)
    return parser


def plain_metrics(metrics: dict) -> dict:
    """Metrics as JSON-ready floats (mmpose and mmseg return numpy scalars)."""
    return {k: float(v) if isinstance(v, Number) or hasattr(v, 'item') else v
            for k, v in metrics.items()}


def run(cfg, config: str) -> dict:
    """Train, then test, a finished config; writes ``finetune_summary.json``."""
    from mmengine.dist import is_main_process
    from mmengine.runner import Runner

    from ..pretrain.finite_loss import FiniteLossHook
    from .bn_hook import ReestimateBatchNormHook

    started = time.monotonic()
    runner = Runner.from_cfg(cfg)
    # mmdet, mmpose and mmseg train on through a NaN loss and then test a broken model,
    # which can come out as no metrics at all (mmdet: no detections); stop the run.
    if not any(isinstance(hook, FiniteLossHook) for hook in runner.hooks):
        runner.register_hook(FiniteLossHook(interval=FINITE_LOSS_INTERVAL))
    runner.train()
    if keep_weight_averages(runner):
        logger.info('testing the EMAHook weight average of %s', config)
    metrics = plain_metrics(runner.test())
    if not any(isinstance(v, float) and math.isfinite(v) for v in metrics.values()):
        # an undertrained detector that finds nothing gives no metric either, so this
        # is a warning; the summary's empty test tells the report the same
        logger.warning('testing %s gave no finite metric (%s): the model found nothing, '
                       'or is broken (look for a loss that became NaN in its log)',
                       config, metrics or 'none at all')
    provenance = cfg.get('dar_provenance') or {}
    # Seeds and the backbone's source let the report pair runs across variants by seed.
    summary = {'config': config, 'scope': cfg.get('default_scope'), 'test': metrics,
               'seed': runner.seed, 'backbone_source': provenance.get('source'),
               'pretrain_seed': provenance.get('pretrain_seed'),
               'wall_seconds': round(time.monotonic() - started, 1),
               'generated_data': uses_generated_data(cfg), 'machine': machine()}
    shifts = [vars(hook.shift) for hook in runner.hooks
              if isinstance(hook, ReestimateBatchNormHook) and hook.shift is not None]
    if shifts:  # the test used statistics estimated again, not those training ended with
        summary['batch_norm_reestimated'] = shifts[-1]
    if is_main_process():
        path = Path(runner.work_dir) / 'finetune_summary.json'
        path.write_text(json.dumps(summary, indent=2) + '\n')
        logger.info('finished %s: %s; summary in %s', config,
                    ', '.join(f'{k} {v:.4f}' for k, v in metrics.items()
                              if isinstance(v, float)), path)
    return summary


def load_config(args: argparse.Namespace):
    """The config of ``args``, checked for a downstream scope and finished."""
    cfg = build_config(args.config, args.cfg_options, work_dir=args.work_dir)
    scope = cfg.get('default_scope')
    if scope not in SCOPES:
        raise UsageError(f'{args.config} has default_scope {scope!r}; finetune runs configs of '
                         f'{", ".join(SCOPES)} (inherit one, e.g. from dar-transfer export)')
    return finish_config(cfg, resume=args.resume, amp=args.amp, launcher=args.launcher,
                        amp_dtype=getattr(args, 'amp_dtype', 'float16'),
                        trusted=trusted_files(args))


def main(args: argparse.Namespace) -> int:
    run(load_config(args), args.config)
    shutdown_distributed(exit_process=True)
    return 0
