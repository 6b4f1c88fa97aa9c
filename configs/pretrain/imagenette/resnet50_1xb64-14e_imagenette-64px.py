# Imagenette resnet50 with ImageNet's stem (7x7 conv, max-pool), so export and the downstream
# libraries take it unchanged; the 100%-cost baseline. cpu preset: 64 px, 14 epochs, batch 64.
_base_ = [
    '../_base_/models/imagenet_classifier.py', '../_base_/datasets/imagenette_64px_bs64.py',
    '../_base_/schedules/imagenette_sgd_14e.py', '../_base_/default_runtime.py',
]
model = dict(arch='resnet50', num_classes=10)
