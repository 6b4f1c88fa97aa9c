# cpu preset: 14 epochs (about 18 min for ResNet-18 at 64 px on an idle 2-core CPU).
# SGD momentum 0.9, lr 0.1 for a batch of 64 after a one-epoch linear warm-up, divided
# by 10 at epochs 7 and 11 (where DaR refreshes); weight decay 1e-4. All by epoch, as
# DaR requires.
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[7, 11], gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=14, val_interval=1)
val_cfg = dict()
test_cfg = dict()
