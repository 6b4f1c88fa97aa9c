# DaR for the 300-epoch CIFAR schedule at the paper's CIFAR-10 cost of 83%: the
# ImageNet structure (W=10, I=2, a=10) with refreshes at the lr drops (150, 225) and
# the keep ratio solved for 83% on CIFAR's 50,000 training images:
#   dar-transfer plan --num-samples 50000 --epochs 300 --warmup 10 --interval 2 \
#       --active 10 --refresh 150 225 --target-cost 0.83     # -> keep 0.9501, cost 0.830
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, warmup_epochs=10, interval=2,
    keep_ratio=0.9501, active_epochs=10, refresh_epochs=[150, 225], policy='hardest')
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# DaR configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
