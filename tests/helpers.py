"""Tiny models and a Runner factory for running real mmengine Runners in tests."""
from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

import torch
from mmengine.model import BaseModel
from mmengine.registry import MODELS
from mmengine.runner import Runner
from torch import nn

import dar_transfer  # noqa: F401  (registers DaRSampler, DaRHook, ImageClassifier)
from dar_transfer import record_sample_losses


def load_benchmark(name: str):
    """A script of ``benchmarks/`` (not a package) as a module, e.g. ``archive_campaign``."""
    path = Path(__file__).parents[1] / 'benchmarks' / f'{name}.py'
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hardness(indices: torch.Tensor, num_samples: int) -> torch.Tensor:
    """A fixed per-sample loss: a permutation of 0..N-1 (37 is coprime to test sizes)."""
    return ((indices * 37) % num_samples).float()


@MODELS.register_module(force=True)
class IndexLossModel(BaseModel):
    """Its per-sample loss is ``hardness(sample_idx)``: the hardest samples are known."""

    def __init__(self, num_samples: int, record: bool = True) -> None:
        super().__init__()
        self.num_samples = num_samples
        self.record = record
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        indices = data_samples['sample_idx']
        per_sample = hardness(indices, self.num_samples) + 0 * self.weight
        if self.record:
            record_sample_losses(indices, per_sample)
        if mode == 'loss':
            return {'loss': per_sample.mean()}
        return per_sample


def make_runner(work_dir, *, num_samples=48, max_epochs=4, sampler=None, model=None,
                with_hook=True, batch_size=8, custom_hooks=(), param_scheduler=None,
                resume=False, seed=0, **kwargs) -> Runner:
    sampler = sampler if sampler is not None else {}
    sampler = {'type': 'DaRSampler', 'seed': seed, **sampler}
    model = model or {'type': 'IndexLossModel', 'num_samples': num_samples}
    # As dar-transfer pretrain/finetune add it: checkpoints torch's default loader reads.
    hooks = [{'type': 'WeightsOnlyCheckpointHook'}]
    hooks += [{'type': 'DaRHook'}] if with_hook else []
    return Runner(
        model=model,
        work_dir=str(work_dir),
        train_dataloader={
            'dataset': {'type': 'SyntheticImageDataset', 'num_samples': num_samples},
            'sampler': sampler, 'batch_size': batch_size, 'num_workers': 0,
            'collate_fn': {'type': 'default_collate'}},
        train_cfg={'by_epoch': True, 'max_epochs': max_epochs},
        optim_wrapper={'optimizer': {'type': 'SGD', 'lr': 0.01, 'momentum': 0.9}},
        param_scheduler=param_scheduler,
        custom_hooks=[*hooks, *custom_hooks],
        default_hooks={'checkpoint': {'type': 'CheckpointHook', 'interval': 1},
                       'logger': {'type': 'LoggerHook', 'interval': 1}},
        resume=resume,
        randomness={'seed': seed},
        experiment_name=f'test-{uuid.uuid4().hex[:8]}',
        default_scope='mmengine',
        **kwargs)


@MODELS.register_module(force=True)
class TinyConvClassifier(BaseModel):
    """A trainable two-layer convnet with per-sample cross-entropy: real, changing
    losses at a fraction of a ResNet's cost on the CPU."""

    def __init__(self, num_classes: int = 4) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
                                      nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(8, num_classes)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        logits = self.head(self.features(inputs))
        if mode != 'loss':
            return logits
        per_sample = nn.functional.cross_entropy(logits, data_samples['gt_label'],
                                                 reduction='none')
        return {'loss': self.report_losses(data_samples['sample_idx'], per_sample).mean()}

    def report_losses(self, sample_idx, per_sample: torch.Tensor) -> torch.Tensor:
        """Hand the losses to DaR; returns what the batch loss averages."""
        record_sample_losses(sample_idx, per_sample)
        return per_sample
