# InfoBatch (Qin et al., ICLR 2024) for the 14-epoch Imagenette schedule at about 83% of
# the baseline's cost; the last floor(0.125 * 14) epochs train on all data. The cost
# depends on the losses: the planner needs the share of samples below the mean loss.
# Assuming half (0.5) gave prune_ratio 0.3967, and that run (seed 0, benchmarks/README.md
# section 9) paid 0.794: its dar_log.jsonl measured a below-mean share of 0.603 on average
# over epochs 1-12 (0.505 to 0.663). Recalibrated with that share, as section 8 did for
# CIFAR-10:
#   dar-transfer plan --num-samples 9469 --epochs 14 --policy infobatch --target-cost 0.83 \
#       --below-mean-share 0.603                # -> prune_ratio 0.3289 (approximate)
planned_below_mean_share = 0.603
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, policy='infobatch', prune_ratio=0.3289,
    anneal=0.125)
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# Configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
