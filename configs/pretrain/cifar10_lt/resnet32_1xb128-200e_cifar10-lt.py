# CIFAR-10-LT (imbalance 100) resnet32, the 100%-cost baseline: LDAM's 200-epoch
# schedule, batch 128; top-1 overall and by shot group on the CIFAR-10 test split.
_base_ = [
    '../_base_/models/cifar_classifier.py', '../_base_/datasets/cifar10_lt_bs128.py',
    '../_base_/schedules/cifar_lt_sgd_200e.py', '../_base_/default_runtime.py',
]
model = dict(arch='cifar_resnet32', num_classes=10)
