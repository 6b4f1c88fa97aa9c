# CIFAR100 densenet-bc100, the 100%-cost baseline: 300 epochs, batch 128, lr /10 at 150 and 225.
_base_ = [
    '../_base_/models/cifar_classifier.py', '../_base_/datasets/cifar100_bs128.py',
    '../_base_/schedules/cifar_sgd_300e.py', '../_base_/default_runtime.py',
]
model = dict(arch='cifar_densenet_bc100', num_classes=100)
