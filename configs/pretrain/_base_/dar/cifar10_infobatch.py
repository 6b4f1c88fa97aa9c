# InfoBatch (Qin et al., ICLR 2024) for the 300-epoch CIFAR schedule, at about DaR's
# CIFAR-10 cost of 83%. Below-mean samples are pruned at random with probability
# prune_ratio (kept ones get loss weight 1/(1-prune_ratio)); the last anneal share of
# epochs (floor(0.125 * 300) = 37) trains on all data. InfoBatch's cost depends on the
# losses, so prune_ratio is an estimate (half the samples assumed below the mean):
#   dar-transfer plan --num-samples 50000 --epochs 300 --policy infobatch \
#       --target-cost 0.83                      # -> prune_ratio 0.3893 (approximate)
# The run's dar_log.jsonl records the real cost and below-mean share. InfoBatch's own
# default prune_ratio is 0.5.
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, policy='infobatch', prune_ratio=0.3893,
    anneal=0.125)
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# Configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
