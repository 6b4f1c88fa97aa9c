# InfoBatch (Qin et al., ICLR 2024) for the 120-epoch ImageNet schedule, at about DaR's
# reported ImageNet cost of 86%; the last floor(0.125 * 120) = 15 epochs train on all
# data. The cost depends on the losses, so prune_ratio is an estimate (half the samples
# assumed below the mean; dar_log.jsonl records the real cost and share):
#   dar-transfer plan --epochs 120 --policy infobatch --target-cost 0.86
#                                               # -> prune_ratio 0.3231 (approximate)
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, policy='infobatch', prune_ratio=0.3231,
    anneal=0.125)
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# Configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
