# 300 epochs, SGD momentum 0.9 (Nesterov), lr 0.1 for batch 128, divided by 10 at 150
# and 225; weight decay 1e-4.
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4,
                                    nesterov=True))
param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[150, 225], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=128)
