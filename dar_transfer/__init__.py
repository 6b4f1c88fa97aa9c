"""dar-transfer: Drop-and-Refresh sampling and the transfer evaluation of its backbones.

Importing the package registers its mmengine components (configs:
``custom_imports=dict(imports=['dar_transfer'])``).
"""
from . import pretrain  # noqa: F401  (registers the models)
from .sampling import DaRHook, DaRSampler, record_sample_losses, weighted_sample_losses
from .utils import checkpoint_hook  # noqa: F401  (registers WeightsOnlyCheckpointHook)

__version__ = '0.1.0'
__all__ = ['DaRHook', 'DaRSampler', 'record_sample_losses', 'weighted_sample_losses']
