# DaR for the 120-epoch ImageNet schedule at the paper's reported cost of 86%.
# The paper states W=10, I=2, p=0.9, a=10, refresh at the lr drops (30, 60, 90), but
# those give 73.9% (cyclic) or 95.6% (Algorithm 1 as printed), not 86%. We keep the
# stated W, I, a and R and solve the keep ratio for 86%:
#   dar-transfer plan --num-samples 1281167 --epochs 120 --warmup 10 --interval 2 \
#       --active 10 --refresh 30 60 90 --target-cost 0.86     # -> keep 0.9500, cost 0.860
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, warmup_epochs=10, interval=2,
    keep_ratio=0.95, active_epochs=10, refresh_epochs=[30, 60, 90], policy='hardest')
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# DaR configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
