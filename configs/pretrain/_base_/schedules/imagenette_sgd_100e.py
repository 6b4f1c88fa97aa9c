# gpu preset: 100 epochs, SGD momentum 0.9, lr 0.05 for a batch of 128 (0.1 per 256)
# after a five-epoch linear warm-up, divided by 10 at epochs 50 and 75 (where DaR
# refreshes); weight decay 1e-4. All by epoch, as DaR requires.
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[50, 75], gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
