# Imagenette resnet50 with ImageNet's stem (7x7 conv, max-pool), so export and the downstream
# libraries take it unchanged; the 100%-cost baseline. gpu preset: 112 px, 100 epochs, one GPU x 128.
_base_ = [
    '../_base_/models/imagenet_classifier.py', '../_base_/datasets/imagenette_112px_bs128.py',
    '../_base_/schedules/imagenette_sgd_100e.py', '../_base_/default_runtime.py',
]
model = dict(arch='resnet50', num_classes=10)
