# Runtime shared by every pretraining config (mmengine conventions).
default_scope = 'mmengine'
custom_imports = dict(imports=['dar_transfer'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    logger=dict(type='LoggerHook', interval=100),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3, save_last=True),
)
# Stops a diverged run (NaN loss) with a clear message instead of training on.
custom_hooks = [dict(type='FiniteLossHook', interval=50)]
env_cfg = dict(cudnn_benchmark=True, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
randomness = dict(seed=0, deterministic=False)
log_processor = dict(by_epoch=True, window_size=50)
log_level = 'INFO'
load_from = None
resume = False
