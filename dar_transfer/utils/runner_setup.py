"""Config handling shared by the ``pretrain`` and ``finetune`` verbs.

What OpenMMLab's tools/train.py does (load, ``--cfg-options``, work_dir, resume, AMP,
launcher), plus checks that turn a newcomer's usual mistakes (a typo in a key, a
missing data root) into messages that say what is wrong and where.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from mmengine.config import Config, DictAction

from ..errors import UsageError
from .checkpoint_loading import (
    CHECKED_SCHEME,
    TRUSTED_SCHEME,
    add_trust_argument,
    check_trust_is_used,
    load_checkpoint,
)
from .distributed import init_distributed

# Top-level keys a Runner config may hold (Runner.from_cfg's arguments): an override
# of a key that is neither here nor in the config is most likely a typo.
RUNNER_KEYS = {
    'model', 'work_dir', 'train_dataloader', 'val_dataloader', 'test_dataloader',
    'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr', 'optim_wrapper', 'param_scheduler',
    'val_evaluator', 'test_evaluator', 'default_hooks', 'custom_hooks', 'data_preprocessor',
    'load_from', 'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
    'visualizer', 'default_scope', 'randomness', 'experiment_name', 'custom_imports',
    'model_wrapper_cfg', 'compile',
}


def add_runner_arguments(parser: argparse.ArgumentParser) -> None:
    """The options OpenMMLab's tools/train.py has, shared by pretrain and finetune."""
    parser.add_argument('--work-dir', help='where logs and checkpoints go '
                                           '(default: work_dirs/<config name>)')
    parser.add_argument('--resume', nargs='?', const='auto', default=None, metavar='CHECKPOINT',
                        help='resume from CHECKPOINT, or from the latest in the work_dir')
    parser.add_argument('--amp', action='store_true', help='mixed precision (needs a GPU)')
    parser.add_argument('--amp-dtype', choices=['float16', 'bfloat16'], default='float16',
                        help='autocast dtype with --amp; bfloat16 needs no loss scaling '
                             '(Ampere or newer)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher (pytorch: under torchrun)')
    add_trust_argument(parser)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        metavar='KEY=VALUE',
                        help='override config entries, e.g. train_cfg.max_epochs=2')


def build_config(path: str, overrides: dict | None, *, work_dir: str | None) -> Config:
    """Load a config, apply ``--cfg-options`` (parsed by ``DictAction``), set the work_dir."""
    if not Path(path).is_file():
        raise FileNotFoundError(f'config file {path} not found')
    cfg = Config.fromfile(path)
    overrides = overrides or {}
    for key in overrides:
        top = key.split('.')[0]
        if top not in cfg and top not in RUNNER_KEYS:
            raise UsageError(f'--cfg-options {key}: the config has no {top!r} (a typo?); '
                             f'its top-level keys are {", ".join(sorted(cfg.keys()))}')
    cfg.merge_from_dict(overrides)
    cfg.work_dir = work_dir or cfg.get('work_dir') or str(Path('work_dirs') / Path(path).stem)
    # mmengine keeps loggers and visualizers as named global instances: two runs in one
    # process (the demo, a notebook) with the same names would write into the first
    # run's files. Unique names keep each run's logs in its own work_dir.
    unique = f'{Path(path).stem}-{os.getpid()}-{time.time_ns()}'
    cfg.setdefault('experiment_name', unique)
    if isinstance(cfg.get('visualizer'), dict):
        cfg.visualizer.name = f'visualizer-{cfg.experiment_name}'
    return cfg


def check_data_roots(cfg: Config) -> None:
    """Fail before building anything when a dataloader's data root is missing."""
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        dataset = loader.get('dataset', {}) if loader else {}
        root = dataset.get('data_root') if hasattr(dataset, 'get') else None
        if root and not Path(root).exists():
            raise FileNotFoundError(
                f'{name}.dataset.data_root {root!r} does not exist; point it at the data '
                f'with --cfg-options {name}.dataset.data_root=/path/to/data')


def finish_config(cfg: Config, *, resume: str | None, amp: bool, launcher: str,
                  amp_dtype: str = 'float16', trusted: set[Path] | None = None) -> Config:
    """Resume, mixed precision and the launcher, checked before the Runner is built."""
    import torch

    if resume == 'auto':
        cfg.resume, cfg.load_from = True, _last_checkpoint(Path(cfg.work_dir))
    elif resume is not None:
        cfg.resume, cfg.load_from = True, resume
    route_checkpoints(cfg, trusted=trusted or set(),
                      load_from_name='--resume checkpoint' if resume else 'load_from')
    if amp:
        if not torch.cuda.is_available():
            raise UsageError('--amp needs a GPU (mmengine\'s AmpOptimWrapper); drop --amp on '
                             'a CPU-only machine')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.dtype = amp_dtype
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    check_data_roots(cfg)
    hooks = cfg.get('custom_hooks') or []
    if not any(h.get('type') == 'WeightsOnlyCheckpointHook' for h in hooks):
        cfg.custom_hooks = [*hooks, dict(type='WeightsOnlyCheckpointHook')]
    setup = init_distributed(launcher)
    cfg.launcher = setup.launcher
    cfg.merge_from_dict(setup.cfg_overrides)
    return cfg


def _last_checkpoint(work_dir: Path) -> str:
    """The checkpoint mmengine's ``resume=True`` would pick: the one ``last_checkpoint`` names."""
    pointer = work_dir / 'last_checkpoint'
    if not pointer.exists():
        raise FileNotFoundError(f'--resume: no checkpoint to resume in {work_dir} (no '
                                'last_checkpoint file); pass a checkpoint path')
    path = pointer.read_text().strip()
    if not Path(path).is_file():
        raise FileNotFoundError(f'--resume: {pointer} names {path}, which does not exist; '
                                'pass a checkpoint path')
    return path


def route_checkpoints(cfg: Config, *, trusted: set[Path], load_from_name: str) -> None:
    """Check every local checkpoint the run will read, and make mmengine read it through
    :func:`~dar_transfer.utils.checkpoint_loading.load_checkpoint`.

    The file is loaded once here, so a refused or corrupt file stops the run before
    anything is built; mmengine then loads it through the ``dar-checked://`` scheme (or
    ``dar-trusted://`` for a file passed to ``--trust-checkpoint``). URLs and
    ``open-mmlab://`` names are left to mmengine.
    """
    backbone = (cfg.get('model') or {}).get('backbone') or {}
    init_cfg = (backbone.get('init_cfg') if hasattr(backbone, 'get') else None) or {}
    entries = [(cfg, 'load_from', load_from_name)]
    if hasattr(init_cfg, 'get') and init_cfg.get('checkpoint'):
        entries.append((init_cfg, 'checkpoint', 'model.backbone.init_cfg.checkpoint'))
    entries = [(holder, key, name) for holder, key, name in entries
               if holder.get(key) and '://' not in str(holder.get(key))]
    check_trust_is_used(trusted, [holder[key] for holder, key, _ in entries])
    for holder, key, name in entries:
        path = holder[key]
        resolved = Path(path).resolve()
        trust = resolved in trusted
        load_checkpoint(path, trusted=trust, what=name)
        holder[key] = f'{TRUSTED_SCHEME if trust else CHECKED_SCHEME}{resolved}'
