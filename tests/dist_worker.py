"""One rank of the two-process DaR check; started by torchrun from test_distributed.py.

Writes ``rank<R>.json`` with, per epoch, the rank's shard, the subset and the number
of iterations it ran.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from helpers import make_runner  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.registry import HOOKS  # noqa: E402

from dar_transfer.utils.distributed import init_distributed, shutdown_distributed  # noqa: E402


@HOOKS.register_module(force=True)
class RecordShards(Hook):
    priority = 'LOW'  # after DistSamplerSeedHook has set the epoch

    def __init__(self, out):
        self.out = out
        self.epochs = []

    def before_train_epoch(self, runner):
        sampler = runner.train_dataloader.sampler
        self.epochs.append({'shard': list(sampler), 'subset': sampler.subset.tolist(),
                            'iterations': 0})

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.epochs[-1]['iterations'] += 1

    def after_train(self, runner):
        rank = runner.rank
        Path(self.out, f'rank{rank}.json').write_text(json.dumps(
            {'epochs': self.epochs, 'max_iters': runner.max_iters, 'iter': runner.iter}))


def main(out: str) -> None:
    setup = init_distributed('pytorch')
    runner = make_runner(out, num_samples=48, max_epochs=4, launcher=setup.launcher,
                         sampler={'warmup_epochs': 1, 'keep_ratio': 0.5},
                         custom_hooks=[{'type': 'RecordShards', 'out': out}],
                         cfg=setup.cfg_overrides)
    runner.train()
    shutdown_distributed(exit_process=True)  # a rank was seen to abort in teardown


if __name__ == '__main__':
    main(sys.argv[1])
