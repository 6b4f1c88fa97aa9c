# The DaR paper's hard-example re-weighting control (Sec. 5) for the CIFAR schedule:
# every image every epoch (cost 1.0), each loss weighted by the image's mean loss of the
# previous epoch, normalised to mean 1 over the data set. The model applies the weights
# through dar_transfer.weighted_sample_losses (ImageClassifier does).
dar_sampler = dict(_delete_=True, type='DaRSampler', shuffle=True, policy='reweight')
dar_hooks = [dict(type='DaRHook'), dict(type='FiniteLossHook', interval=50)]
# Configs put dar_sampler in train_dataloader.sampler and dar_hooks in custom_hooks.
