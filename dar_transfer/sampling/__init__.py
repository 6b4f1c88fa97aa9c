"""DaR sampling: the pure schedule, the mmengine sampler and hook, the loss recorder.

Importing this package registers ``DaRSampler`` and ``DaRHook`` in mmengine's
registries (configs: ``custom_imports=dict(imports=['dar_transfer.sampling'])``).
"""
from .hook import DaRHook
from .recorder import record_sample_losses, weighted_sample_losses
from .sampler import DaRSampler

__all__ = ['DaRHook', 'DaRSampler', 'record_sample_losses', 'weighted_sample_losses']
