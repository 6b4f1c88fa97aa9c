"""One rank of the resume-in-any-runner check; started by torchrun from
test_resume_any_runner.py.

``dist_resume_worker.py CONFIG WORK_DIR RECORD [--resume] [--stop-after N]`` builds a plain
mmengine ``Runner`` from CONFIG with ``Runner.from_cfg``, as OpenMMLab's ``tools/train.py``
does: no dar-transfer CLI, and no ``WeightsOnlyCheckpointHook`` in the config. With
``--stop-after N`` both ranks exit hard (``os._exit``, no clean-up) once epoch N's
checkpoint is written. Each rank appends one JSON line per trained epoch to
``RECORD.rank<R>.jsonl``: the epoch and its DaR subset.
"""
import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import helpers  # noqa: E402,F401  (registers TinyConvClassifier)
import torch.distributed as dist  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from dar_transfer.utils.distributed import init_distributed, shutdown_distributed  # noqa: E402

HARD_STOP_CODE = 17


class RecordSubsets(Hook):
    priority = 'LOW'  # after DaRHook and DistSamplerSeedHook have set the epoch's subset

    def __init__(self, record: str) -> None:
        self.record = record

    def before_train_epoch(self, runner) -> None:
        sampler = runner.train_dataloader.sampler
        line = {'epoch': runner.epoch + 1, 'subset': sampler.subset.tolist()}
        # Appended and closed per epoch, so a hard stop loses no line.
        with open(f'{self.record}.rank{runner.rank}.jsonl', 'a') as file:
            file.write(json.dumps(line) + '\n')


class HardStop(Hook):
    priority = 'LOWEST'  # after CheckpointHook (VERY_LOW) has written the epoch's file

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def after_train_epoch(self, runner) -> None:
        if runner.epoch + 1 == self.epoch:
            dist.barrier()  # rank 0 has finished writing the checkpoint
            os._exit(HARD_STOP_CODE)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('config')
    parser.add_argument('work_dir')
    parser.add_argument('record')
    parser.add_argument('--resume', action='store_true')
    parser.add_argument('--stop-after', type=int, default=None)
    args = parser.parse_args()
    # mmengine's 'pytorch' launcher needs a GPU; on the CPU the gloo group comes first.
    setup = init_distributed('pytorch')
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict({'work_dir': args.work_dir, 'resume': args.resume,
                         'launcher': setup.launcher, **setup.cfg_overrides})
    runner = Runner.from_cfg(cfg)
    runner.register_hook(RecordSubsets(args.record))
    if args.stop_after is not None:
        runner.register_hook(HardStop(args.stop_after))
    runner.train()
    shutdown_distributed(exit_process=True)


if __name__ == '__main__':
    main()
