# ImageNet-1k resnet152, the 100%-cost baseline: 120 epochs, 8 GPUs x 32.
_base_ = [
    '../_base_/models/imagenet_classifier.py', '../_base_/datasets/imagenet_bs32.py',
    '../_base_/schedules/imagenet_sgd_120e.py', '../_base_/default_runtime.py',
]
model = dict(arch='resnet152')
