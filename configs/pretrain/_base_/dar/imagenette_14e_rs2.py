# RS2 without replacement (Okanovic et al., 2023) for the 14-epoch Imagenette schedule
# at 83% of the baseline's cost: a fresh 83% of the data each epoch, without replacement
# across epochs until every image has been seen. The cost is exact:
#   dar-transfer plan --num-samples 9469 --epochs 14 --policy rs2 --keep 0.83
dar_sampler = dict(
    _delete_=True, type='DaRSampler', shuffle=True, policy='rs2', keep_ratio=0.83)
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# Configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
