# DaR for the 200-epoch CIFAR-LT schedule at the paper's CIFAR-10 cost of 83%: the
# ImageNet structure (W=10, I=2, a=10), refreshes at the lr drops (160, 180) and the
# keep ratio solved for 83% on CIFAR-10-LT's 12,406 training images:
#   dar-transfer plan --num-samples 12406 --epochs 200 --warmup 10 --interval 2 \
#       --active 10 --refresh 160 180 --target-cost 0.83     # -> keep 0.9475, cost 0.830
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, warmup_epochs=10, interval=2,
    keep_ratio=0.9475, active_epochs=10, refresh_epochs=[160, 180], policy='hardest')
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# DaR configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
