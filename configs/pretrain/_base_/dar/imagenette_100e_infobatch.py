# InfoBatch (Qin et al., ICLR 2024) for the 100-epoch Imagenette schedule at about 83% of
# the baseline's cost; the last floor(0.125 * 100) epochs train on all data. The cost
# depends on the losses, so prune_ratio is an estimate (half the samples assumed below
# the mean; dar_log.jsonl records the real cost and share):
#   dar-transfer plan --num-samples 9469 --epochs 100 --policy infobatch --target-cost 0.83
#                                               # -> prune_ratio 0.3908 (approximate)
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, policy='infobatch', prune_ratio=0.3908,
    anneal=0.125)
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# Configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
