# CIFAR-100 in torchvision's layout: data/cifar100/cifar-100-python/.
_base_ = ['./cifar10_bs128.py']
train_dataloader = dict(dataset=dict(data_root='data/cifar100', variant='cifar100'))
val_dataloader = dict(dataset=dict(data_root='data/cifar100', variant='cifar100'))
test_dataloader = val_dataloader
