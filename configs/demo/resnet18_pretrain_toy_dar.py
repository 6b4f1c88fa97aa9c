# DaR for the demo's 12-epoch schedule: warm-up 2, a drop every epoch for 3 epochs after
# each start, refresh at the lr drops; keep ratio solved for a cost of 0.75 on the
# 320 training images:
#   dar-transfer plan --num-samples 320 --epochs 12 --warmup 2 --interval 1 --active 3 \
#       --refresh 6 9 --target-cost 0.75       # -> keep 0.6907, cost 0.751
_base_ = ['./resnet18_pretrain_toy.py']
train_dataloader = dict(sampler=dict(
    _delete_=True, type='DaRSampler', shuffle=True, warmup_epochs=2, interval=1,
    keep_ratio=0.6907, active_epochs=3, refresh_epochs=[6, 9], policy='hardest'))
custom_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=5)]
