"""dar-transfer: Drop-and-Refresh sampling and the transfer evaluation of its backbones.

Importing the package registers its mmengine components (configs:
``custom_imports=dict(imports=['dar_transfer'])``) and the ``dar_transfer::`` config
scope, so that a config anywhere can say ``_base_ = 'dar_transfer::pretrain/...'``
(``dar_transfer.utils.packaged_configs`` says how, also for OpenMMLab's tools/train.py).
"""
from . import pretrain  # noqa: F401  (registers the models)
from .sampling import DaRHook, DaRSampler, record_sample_losses, weighted_sample_losses
from .utils import checkpoint_hook  # noqa: F401  (registers WeightsOnlyCheckpointHook)
from .utils.packaged_configs import register_config_scope

# The config scope is a registration too, in mmengine's table of config scopes: see
# register_config_scope for why it is not a function the user has to call.
register_config_scope()

__version__ = '0.1.0'
__all__ = ['DaRHook', 'DaRSampler', 'record_sample_losses', 'weighted_sample_losses']
