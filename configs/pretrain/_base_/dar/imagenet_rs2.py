# RS2 without replacement (Okanovic et al., 2023) for the 120-epoch ImageNet schedule at
# DaR's reported cost of 86%: a fresh 86% of the data each epoch, without replacement
# across epochs until every image has been seen. The cost is exact:
#   dar-transfer plan --epochs 120 --policy rs2 --keep 0.86
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, policy='rs2', keep_ratio=0.86)
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# Configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
