"""One rank of the two-process check of the policies beside DaR; started by torchrun
from test_policy_runner.py.

Runs ``infobatch``, ``rs2`` and ``reweight`` one after another and writes
``<policy>/rank<R>.json`` with, per epoch, the rank's shard, the subset, the loss
weights and the number of iterations it ran.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import policy_helpers  # noqa: E402,F401  (registers WeightedIndexLossModel)
from helpers import make_runner  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.registry import HOOKS  # noqa: E402

from dar_transfer.utils.distributed import init_distributed, shutdown_distributed  # noqa: E402

POLICIES = {'infobatch': {'prune_ratio': 0.5, 'anneal': 0.25},
            'rs2': {'keep_ratio': 0.25}, 'reweight': {}}


@HOOKS.register_module(force=True)
class RecordPolicyShards(Hook):
    priority = 'LOW'  # after DistSamplerSeedHook has set the epoch and DaRHook the weights

    def __init__(self, out):
        self.out = out
        self.epochs = []

    def before_train_epoch(self, runner):
        sampler = runner.train_dataloader.sampler
        weights = sampler.loss_weights
        self.epochs.append({'shard': list(sampler), 'subset': sampler.subset.tolist(),
                            'weights': None if weights is None else weights.tolist(),
                            'iterations': 0})

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.epochs[-1]['iterations'] += 1

    def after_train(self, runner):
        Path(self.out, f'rank{runner.rank}.json').write_text(json.dumps(
            {'epochs': self.epochs, 'max_iters': runner.max_iters, 'iter': runner.iter}))


def main(out: str) -> None:
    setup = init_distributed('pytorch')
    for policy, params in POLICIES.items():
        work_dir = Path(out, policy)
        runner = make_runner(work_dir, num_samples=48, max_epochs=4, launcher=setup.launcher,
                             sampler={'policy': policy, **params},
                             model={'type': 'WeightedIndexLossModel', 'num_samples': 48},
                             custom_hooks=[{'type': 'RecordPolicyShards', 'out': str(work_dir)}],
                             cfg=setup.cfg_overrides)
        runner.train()
    shutdown_distributed(exit_process=True)  # a rank was seen to abort in teardown


if __name__ == '__main__':
    main(sys.argv[1])
