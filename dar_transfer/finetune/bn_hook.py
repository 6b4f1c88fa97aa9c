"""``ReestimateBatchNormHook``: estimate batch-norm statistics again before the test.

A segmentation fine-tuning on small random crops ends with running statistics of crops;
the test is on whole images. For most backbones the two agree well enough, for some they
do not, and the test collapses while the weights are fine (section 11 of
``benchmarks/README.md``: DaR's seed-4 CamVid run, mIoU 25.87 as trained and 34.97 with
whole-image statistics on the same weights). This hook makes the test use statistics of
the kind of input it tests: before the test loop it replaces every batch-norm layer's
running statistics with their average over the training images seen through the test
pipeline (``pipeline='test'``), or through the training one (``'train'``, "precise BN"),
the weights fixed. The checkpoints keep what training ended with; the hook runs again
on every test (not on validation), so ``tools/test.py`` on a checkpoint gives the same
numbers.

Use it in a config::

    custom_imports = dict(imports=['dar_transfer.finetune.bn_hook'])
    custom_hooks = [dict(type='ReestimateBatchNormHook', pipeline='test', batch_size=8)]
"""
from __future__ import annotations

import copy

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from .bn_stats import StatsShift, batch_norm_layers, reestimate_batch_norm

PIPELINES = ('test', 'train')


def statistics_loader_cfg(cfg, pipeline: str, batch_size: int, *, shuffle: bool = False):
    """The training images as a dataloader config, through the test pipeline (whole images
    at the test scale) or the training one (what training saw: crops, flips)."""
    if pipeline not in PIPELINES:
        raise ValueError(f'pipeline must be one of {PIPELINES}, not {pipeline!r}')
    if 'train_dataloader' not in cfg:
        raise ValueError('ReestimateBatchNormHook estimates statistics on the training images, '
                         'and the config has no train_dataloader: add it (the test does not '
                         'train on it), or remove the hook')
    loader = copy.deepcopy(cfg.train_dataloader)
    # every training image once, in order (an InfiniteSampler would never end the pass)
    loader.sampler = dict(type='DefaultSampler', shuffle=shuffle)
    loader.batch_size = batch_size
    loader.persistent_workers = False
    if pipeline == 'test':
        if 'test_dataloader' not in cfg:
            raise ValueError("ReestimateBatchNormHook(pipeline='test') reads the test pipeline "
                             "from test_dataloader, and the config has none: add it, or use "
                             "pipeline='train'")
        loader.dataset.pipeline = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
    return loader


def forward_for_statistics(model, batch) -> None:
    """One batch through the model as training would normalise it, losses not computed."""
    data = model.data_preprocessor(batch, True)
    model(**data, mode='tensor')


def reestimate_on_training_images(model, cfg, pipeline: str, batch_size: int, *,
                                  passes: int = 1, seed: int | None = None) -> StatsShift:
    """Estimate ``model``'s batch-norm statistics again on the training images of ``cfg``
    through ``pipeline`` (``'train'`` draws them in a shuffled order, as training did),
    ``passes`` times over; the weights stay fixed. Returns how far the statistics moved."""
    from mmengine.runner import Runner

    loader = Runner.build_dataloader(
        statistics_loader_cfg(cfg, pipeline, batch_size, shuffle=pipeline == 'train'),
        seed=seed)
    batches = (batch for _ in range(passes) for batch in loader)
    return reestimate_batch_norm(model, batches, forward_for_statistics,
                                 max_batches=passes * len(loader))


@HOOKS.register_module()
class ReestimateBatchNormHook(Hook):
    """Before each test, estimate the batch-norm statistics again on the training images.

    Args:
        pipeline: ``'test'`` (whole images at the test scale) or ``'train'``.
        batch_size: images a batch while estimating.
        passes: passes over the training images (more for a random training pipeline).
    """

    # LOW: after EMAHook (NORMAL) has swapped its average in, in before_test_epoch too, so
    # the statistics are those of the weights tested
    priority = 'LOW'

    def __init__(self, pipeline: str = 'test', batch_size: int = 8, passes: int = 1) -> None:
        if pipeline not in PIPELINES:
            raise ValueError(f'ReestimateBatchNormHook: pipeline must be one of {PIPELINES}, '
                             f'not {pipeline!r}')
        if batch_size < 2:
            # a batch of one makes every channel's variance come from one image's pixels
            raise ValueError('ReestimateBatchNormHook: batch_size must be at least 2, '
                             f'not {batch_size}')
        if passes < 1:
            raise ValueError(f'ReestimateBatchNormHook: passes must be at least 1, not {passes}')
        self.pipeline, self.batch_size, self.passes = pipeline, batch_size, passes
        self.shift: StatsShift | None = None

    def before_test_epoch(self, runner) -> None:
        from mmengine.model import is_model_wrapper

        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        self.shift = reestimate_on_training_images(model, runner.cfg, self.pipeline,
                                                   self.batch_size, passes=self.passes,
                                                   seed=runner.seed)
        _average_over_ranks(model)
        runner.logger.info(
            f'batch-norm statistics estimated again on {self.shift.batches} batches of '
            f'{self.batch_size} training images ({self.pipeline} pipeline) in '
            f'{self.shift.layers} layers ({self.shift.unused_layers} that the test forward '
            f'does not reach kept theirs): mean moved {self.shift.mean_shift_median:.2f} '
            f'old SDs (median; largest {self.shift.mean_shift_max:.2f}), variance '
            f'{self.shift.var_ratio_median:.2f}x (median; largest {self.shift.var_ratio_max:.2f}x)')


def _average_over_ranks(model) -> None:
    """Each rank saw its own share of the images: give every rank their mean, so that all
    ranks test one model (the variance term ignores the spread of the ranks' means)."""
    from mmengine.dist import all_reduce_params, get_world_size

    if get_world_size() > 1:
        layers = batch_norm_layers(model)
        all_reduce_params([t for m in layers for t in (m.running_mean, m.running_var)],
                          op='mean')
