# DaR for the 90-epoch cosine ImageNet-LT schedule at the paper's ImageNet cost of 86%.
# A cosine schedule has no lr drops to refresh at, so we refresh every 30 epochs (30,
# 60) as the 120-epoch ImageNet schedule does, keep W=10, I=2, a=10 and solve the keep
# ratio for 86% on ImageNet-LT's 115,846 training images:
#   dar-transfer plan --num-samples 115846 --epochs 90 --warmup 10 --interval 2 \
#       --active 10 --refresh 30 60 --target-cost 0.86      # -> keep 0.9479, cost 0.860
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, warmup_epochs=10, interval=2,
    keep_ratio=0.9479, active_epochs=10, refresh_epochs=[30, 60], policy='hardest')
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# DaR configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
