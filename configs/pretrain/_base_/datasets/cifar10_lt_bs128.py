# CIFAR-10-LT (Cao et al. 2019, LDAM): the CIFAR-10 train split in torchvision's layout
# (data/cifar10/cifar-10-batches-py/) subsampled on the fly so class k keeps
# int(5000 * (1/100)^(k/9)) images: 5000, 2997, ..., 50, 12,406 in all (the first
# images of each class in batch order). Evaluation on the balanced CIFAR-10 test split,
# top-1/top-5 and top-1 by shot group. Change the imbalance (10, 50, 100) in
# train_dataset: the metric counts the training class sizes from the same dict. With
# --cfg-options, set both copies: train_dataloader.dataset.imbalance=50
# val_evaluator.1.train_dataset.imbalance=50 (and the same for data_root).
data_root = 'data/cifar10'
train_dataset = dict(type='CIFARDataset', data_root=data_root, variant='cifar10',
                     split='train', imbalance=100)
# scoped_default_collate is mmengine's default_collate that also works in a config
# inheriting this one as dar_transfer::... (dar_transfer/pretrain/collate.py).
train_dataloader = dict(
    batch_size=128, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='scoped_default_collate'),
    dataset=train_dataset)
val_dataloader = dict(
    batch_size=500, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='scoped_default_collate'),
    dataset=dict(type='CIFARDataset', data_root=data_root, variant='cifar10', split='test'))
# Shot groups: ImageNet-LT's "many > 100, few < 20" would put 8 of CIFAR-10-LT's 10
# classes in many-shot and none in few-shot, so we split them 3/4/3 instead: many
# > 1500 images (5000, 2997, 1796), few < 200 (139, 83, 50), medium in between.
val_evaluator = [
    dict(type='TopKAccuracy', topk=(1, 5)),
    dict(type='ShotAccuracy', train_dataset=train_dataset, many_threshold=1500,
         few_threshold=200),
]
test_dataloader = val_dataloader
test_evaluator = val_evaluator
