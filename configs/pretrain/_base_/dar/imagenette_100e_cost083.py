# DaR for the 100-epoch Imagenette gpu preset at 83% of the baseline's cost: the
# paper's ImageNet structure (W=10, I=2, a=10) with refreshes at the lr drops (50, 75),
# keep ratio solved for 83% on Imagenette's 9,469 images:
#   dar-transfer plan --num-samples 9469 --epochs 100 --warmup 10 --interval 2 \
#       --active 10 --refresh 50 75 --target-cost 0.83    # -> keep 0.9381, cost 0.830
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, warmup_epochs=10, interval=2,
    keep_ratio=0.9381, active_epochs=10, refresh_epochs=[50, 75], policy='hardest')
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# DaR configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
