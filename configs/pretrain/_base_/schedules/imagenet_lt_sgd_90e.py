# The ImageNet-LT joint-training schedule of Kang et al. 2020 ("Decoupling
# Representation and Classifier", its 90-epoch setting): SGD momentum 0.9, lr 0.2 for a
# total batch of 512 (8 x 64), cosine decay to 0 over 90 epochs, weight decay 5e-4.
# OLTR's own ResNet-10 recipe (lr 0.1, batch 256, 30 epochs, step decay) is the other
# common choice; we take the longer, more widely reused one. All by epoch, as DaR requires.
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, T_max=90, eta_min=0.0)
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=512)
