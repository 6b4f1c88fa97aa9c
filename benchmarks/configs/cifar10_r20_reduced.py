# CIFAR-10 ResNet-20, reduced protocol for 2 CPU cores: a class-balanced 10,000-image
# training subset (images 500-1499 of each class of the shared train archive) and a
# held-out 5,000-image validation slice (images 0-499 of each class), 30 epochs with
# the learning rate divided by 10 at 15 and 22 (the paper's 150/225 of 300, scaled).
# benchmarks/cifar_accuracy_at_cost.py sets data_root and the sampler per variant.
custom_imports = dict(imports=['dar_transfer'], allow_failed_imports=False)
default_scope = 'mmengine'
data_root = 'data/cifar10-jpeg'

model = dict(
    type='ImageClassifier', arch='cifar_resnet20', num_classes=10,
    data_preprocessor=dict(type='BatchAugmentPreprocessor', mean=[125.3, 123.0, 113.9],
                           std=[63.0, 62.1, 66.7], pad=4, flip=True, channels_last=True))

train_dataloader = dict(
    batch_size=128, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='InMemoryImageFolder', data_root=data_root, split='train',
                 per_class=(500, 1500)))
val_dataloader = dict(
    batch_size=500, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='InMemoryImageFolder', data_root=data_root, split='train',
                 per_class=(0, 500)))
val_evaluator = dict(type='TopKAccuracy', topk=(1, 5))

train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=30)
val_cfg = dict()
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4,
                                    nesterov=True))
param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[15, 22], gamma=0.1)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=30),
                     logger=dict(type='LoggerHook', interval=50))

# DaR: warm-up 2, a drop every epoch for 4 epochs after each start, refresh at the
# learning-rate drops; keep_ratio solved for the paper's CIFAR-10 cost of 0.83 with
#   dar-transfer plan --num-samples 10000 --epochs 30 --warmup 2 --interval 1 \
#       --active 4 --refresh 15 22 --target-cost 0.83      # -> keep 0.9165, cost 0.830
dar = dict(warmup_epochs=2, interval=1, keep_ratio=0.9165, active_epochs=4,
           refresh_epochs=[15, 22])
