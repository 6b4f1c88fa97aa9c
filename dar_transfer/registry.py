"""The ``dar_transfer`` scope's registries: empty children of mmengine's root registries.

mmengine builds every dict a config inherits from a ``pkg::`` base under
``_scope_=pkg``: it imports ``pkg.registry`` and searches the registry tree for a child
with that scope (``Registry.switch_scope_and_registry``). Without one it warns, once per
component built, and falls back to the registry at hand. These children hold nothing of
their own: the toolkit's components stay registered in mmengine's roots, where configs
with ``default_scope='mmengine'`` (ours, and a user's plain runner) find them, and a
lookup in a child falls through to its parent. mmdet's and mmpretrain's ``registry.py``
give their scopes the same tree; theirs also hold their components.
"""
from mmengine import registry as mmengine_registry
from mmengine.registry import Registry

SCOPE = 'dar_transfer'


def _child(parent: Registry) -> Registry:
    # A registry of a scope in MODULE2PACKAGE with no locations makes mmengine call
    # ``dar_transfer.utils.register_all_modules`` on first lookup; the package itself is
    # where importing registers everything.
    return Registry(parent.name, parent=parent, scope=SCOPE, locations=[SCOPE])


RUNNERS = _child(mmengine_registry.RUNNERS)
RUNNER_CONSTRUCTORS = _child(mmengine_registry.RUNNER_CONSTRUCTORS)
LOOPS = _child(mmengine_registry.LOOPS)
HOOKS = _child(mmengine_registry.HOOKS)
STRATEGIES = _child(mmengine_registry.STRATEGIES)
LOG_PROCESSORS = _child(mmengine_registry.LOG_PROCESSORS)
DATASETS = _child(mmengine_registry.DATASETS)
DATA_SAMPLERS = _child(mmengine_registry.DATA_SAMPLERS)
TRANSFORMS = _child(mmengine_registry.TRANSFORMS)
MODELS = _child(mmengine_registry.MODELS)
MODEL_WRAPPERS = _child(mmengine_registry.MODEL_WRAPPERS)
WEIGHT_INITIALIZERS = _child(mmengine_registry.WEIGHT_INITIALIZERS)
OPTIMIZERS = _child(mmengine_registry.OPTIMIZERS)
OPTIM_WRAPPERS = _child(mmengine_registry.OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _child(mmengine_registry.OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child(mmengine_registry.PARAM_SCHEDULERS)
METRICS = _child(mmengine_registry.METRICS)
EVALUATOR = _child(mmengine_registry.EVALUATOR)
TASK_UTILS = _child(mmengine_registry.TASK_UTILS)
VISUALIZERS = _child(mmengine_registry.VISUALIZERS)
VISBACKENDS = _child(mmengine_registry.VISBACKENDS)
INFERENCERS = _child(mmengine_registry.INFERENCERS)
FUNCTIONS = _child(mmengine_registry.FUNCTIONS)
