"""Test the weight average a config's ``EMAHook`` kept, not the last iterate.

mmengine's ``EMAHook`` builds its average in ``before_run``, as a copy of the model, and
``Runner.test()`` calls ``before_run`` again. So a runner that trains and then tests,
as ``dar-transfer finetune`` does, would test the last iterate with an average made from
it a moment before: the average is thrown away unseen (measured: box AP and mask AP
equal to the run without the hook, to the last digit). OpenMMLab's ``tools/test.py``
does not lose it, because it reads the checkpoint, whose ``state_dict`` ``EMAHook``
fills with the average. Copying the average into the model before the test gives the
same weights the checkpoint holds.
"""
from __future__ import annotations

import itertools

import torch


def keep_weight_averages(runner) -> int:
    """Copy each ``EMAHook``'s average into the model it averages (the parameters, and
    the buffers where the hook averages them too); returns how many hooks there were."""
    from mmengine.hooks import EMAHook

    hooks = [hook for hook in runner.hooks if isinstance(hook, EMAHook)]
    for hook in hooks:
        average, model = hook.ema_model, hook.src_model
        pairs = zip(average.module.parameters(), model.parameters(), strict=True)
        if average.update_buffers:  # otherwise the average's buffers are its start copy
            pairs = itertools.chain(pairs, zip(average.module.buffers(), model.buffers(),
                                               strict=True))
        with torch.no_grad():
            for mean, value in pairs:
                value.copy_(mean)
    return len(hooks)
