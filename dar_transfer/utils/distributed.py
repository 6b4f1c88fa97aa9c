"""Distributed start-up that also works on CPU-only machines.

mmengine 0.10.7's ``launcher='pytorch'`` calls ``torch.cuda.set_device`` and so fails
without a GPU. On such a machine we start the gloo process group ourselves before the
Runner is built (the Runner then skips its own initialisation) and give the DDP
wrapper no device ids. With GPUs, mmengine's own launcher does everything.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import torch
import torch.distributed as dist

from ..errors import UsageError

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


@dataclass(frozen=True)
class DistributedSetup:
    """What the Runner config needs for the chosen launcher.

    Attributes:
        launcher (str): the value for ``Runner(launcher=...)``.
        cfg_overrides (dict): top-level config keys to set (CPU: the DDP wrapper).
    """

    launcher: str
    cfg_overrides: dict = field(default_factory=dict)


def init_distributed(launcher: str) -> DistributedSetup:
    """Prepare ``launcher`` for an mmengine Runner; returns how to configure it."""
    if launcher not in LAUNCHERS:
        raise UsageError(f'launcher must be one of {LAUNCHERS}, got {launcher!r}')
    if launcher != 'pytorch' or torch.cuda.is_available():
        return DistributedSetup(launcher)
    missing = [name for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
               if name not in os.environ]
    if missing:
        raise RuntimeError(
            f"launcher='pytorch' needs the environment torchrun sets ({', '.join(missing)} "
            'missing); start with torchrun --nproc_per_node N ... or use --launcher none')
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    return DistributedSetup(
        launcher, {'model_wrapper_cfg': {'type': 'MMDistributedDataParallel',
                                         'device_ids': None}})


def shutdown_distributed(*, exit_process: bool = False) -> None:
    """Wait for every rank, then close the process group, when one is open.

    A process that exits with gloo's threads still running can abort ("terminate called
    without an active exception") after its work is done, failing a finished run. Even
    with the group closed, a rank of ``dar-transfer pretrain`` under torchrun was seen to
    abort so in interpreter teardown (1 CI run of 4): with ``exit_process`` a rank that
    was in a group flushes its logs and output and leaves with ``os._exit(0)``, skipping
    the teardown, once every file of the run is written. Only the CLIs' last step uses it.
    """
    if not (dist.is_available() and dist.is_initialized()):
        return
    dist.barrier()
    dist.destroy_process_group()
    if exit_process:
        import logging
        import sys

        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
