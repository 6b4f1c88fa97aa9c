# CIFAR-10 in torchvision's layout: data/cifar10/cifar-10-batches-py/. The split is
# decoded into memory once; pad-4 random crop, flip and normalisation run batched in
# the model's data preprocessor (see BatchAugmentPreprocessor). The test split is the
# evaluation set, as in the paper.
data_root = 'data/cifar10'
# scoped_default_collate is mmengine's default_collate that also works in a config
# inheriting this one as dar_transfer::... (dar_transfer/pretrain/collate.py).
train_dataloader = dict(
    batch_size=128, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='scoped_default_collate'),
    dataset=dict(type='CIFARDataset', data_root=data_root, variant='cifar10', split='train'))
val_dataloader = dict(
    batch_size=500, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='scoped_default_collate'),
    dataset=dict(type='CIFARDataset', data_root=data_root, variant='cifar10', split='test'))
val_evaluator = dict(type='TopKAccuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
