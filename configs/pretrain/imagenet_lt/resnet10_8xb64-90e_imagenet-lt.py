# ImageNet-LT resnet10 (BasicBlock [1, 1, 1, 1]), the 100%-cost baseline: 90 epochs,
# 8 GPUs x 64, lr 0.2 cosine (Kang et al. 2020); top-1 overall and by shot group, as the
# DaR paper's Table 8.
_base_ = [
    '../_base_/models/imagenet_classifier.py', '../_base_/datasets/imagenet_lt_bs64.py',
    '../_base_/schedules/imagenet_lt_sgd_90e.py', '../_base_/default_runtime.py',
]
model = dict(arch='resnet10')
