# DaR for the 14-epoch Imagenette cpu preset at 83% of the baseline's cost: a short
# warm-up (W=2), a drop every epoch (I=1), three active epochs per drop (a=3), refreshes
# at the lr drops (7, 11), keep ratio solved for 83% on Imagenette's 9,469 images:
#   dar-transfer plan --num-samples 9469 --epochs 14 --warmup 2 --interval 1 \
#       --active 3 --refresh 7 11 --target-cost 0.83      # -> keep 0.8297, cost 0.830
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, warmup_epochs=2, interval=1,
    keep_ratio=0.8297, active_epochs=3, refresh_epochs=[7, 11], policy='hardest')
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# DaR configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
