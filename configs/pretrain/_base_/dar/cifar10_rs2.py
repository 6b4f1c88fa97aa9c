# RS2 without replacement (Okanovic et al., 2023) for the 300-epoch CIFAR schedule at
# DaR's CIFAR-10 cost of 83%: each epoch trains a fresh 83% of the data, drawn without
# replacement across epochs until every image has been seen. The cost is exact:
#   dar-transfer plan --num-samples 50000 --epochs 300 --policy rs2 --keep 0.83
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, policy='rs2', keep_ratio=0.83)
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# Configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
