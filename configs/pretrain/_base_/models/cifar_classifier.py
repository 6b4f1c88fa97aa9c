# A CIFAR network (cifar_resnet110 | cifar_resnet164 | cifar_densenet_bc100); pad-4
# crop and flip run batched in the preprocessor, channels-last for faster convolutions.
model = dict(
    type='ImageClassifier', arch='cifar_resnet110', num_classes=10,
    data_preprocessor=dict(type='BatchAugmentPreprocessor', mean=[125.3, 123.0, 113.9],
                           std=[63.0, 62.1, 66.7], pad=4, flip=True, channels_last=True))
