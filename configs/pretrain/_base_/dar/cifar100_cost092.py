# DaR for the 300-epoch CIFAR schedule at the paper's CIFAR-100 cost of 92%, chosen as
# for CIFAR-10 (W=10, I=2, a=10, refresh 150 and 225) with the keep ratio solved:
#   dar-transfer plan --num-samples 50000 --epochs 300 --warmup 10 --interval 2 \
#       --active 10 --refresh 150 225 --target-cost 0.92     # -> keep 0.9774, cost 0.920
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, warmup_epochs=10, interval=2,
    keep_ratio=0.9774, active_epochs=10, refresh_epochs=[150, 225], policy='hardest')
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# DaR configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
