# A torchvision classifier; children set model.arch. Images arrive as uint8 BGR
# (mmcv's loader) and are normalised on the device.
model = dict(
    type='ImageClassifier', arch='resnet50', num_classes=1000,
    data_preprocessor=dict(type='ImgDataPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], bgr_to_rgb=True))
