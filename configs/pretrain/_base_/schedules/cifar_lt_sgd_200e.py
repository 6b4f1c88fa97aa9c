# The CIFAR-LT schedule of LDAM (Cao et al. 2019): 200 epochs, SGD momentum 0.9, lr 0.1
# for batch 128, weight decay 2e-4, a linear warm-up over the first 5 epochs (by epoch,
# from 0.2 x lr), then divided by 10 at epochs 160 and 180. All by epoch, as DaR requires.
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=2e-4))
param_scheduler = [
    dict(type='LinearLR', by_epoch=True, start_factor=0.2, begin=0, end=5),
    dict(type='MultiStepLR', by_epoch=True, milestones=[160, 180], gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
