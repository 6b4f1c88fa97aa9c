# ImageNet-LT (Liu et al. 2019, OLTR): ImageNet-1k images listed by the published split
# files, data/imagenet/ImageNet_LT_{train,val,test}.txt, each line "train/<wnid>/<image>
# label" relative to the ImageNet root (the test list reads val/<wnid>/..., so the
# ImageNet val images must sit in class folders). 115,846 training images, 1,280 down
# to 5 per class; 50 test images per class. Listed images missing on disk fail the
# build with the first missing paths (check_files). The DaR paper's pipeline: random-
# resized crop 224 and flip; evaluation resize 256, center crop 224. 8 GPUs x 64 = 512.
# The toolkit reports the last epoch without model selection, so validation runs on
# the test list; ImageNet_LT_val.txt (20 per class, from ImageNet train) is there
# for tuning.
_base_ = ['./imagenet_bs32.py']
data_root = 'data/imagenet'
train_dataloader = dict(batch_size=64, dataset=dict(
    _delete_=True, type='ImageListDataset', data_root=data_root,
    ann_file='ImageNet_LT_train.txt', num_classes=1000,
    pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(dataset=dict(
    _delete_=True, type='ImageListDataset', data_root=data_root,
    ann_file='ImageNet_LT_test.txt', num_classes=1000,
    pipeline={{_base_.test_pipeline}}))
# Shot groups by training images, the ImageNet-LT convention: many > 100, few < 20.
# Moving the data with --cfg-options? Set val_evaluator.1.train_ann_file as well.
val_evaluator = [
    dict(type='TopKAccuracy', topk=(1, 5)),
    dict(type='ShotAccuracy', train_ann_file='data/imagenet/ImageNet_LT_train.txt',
         many_threshold=100, few_threshold=20),
]
test_dataloader = val_dataloader
test_evaluator = val_evaluator
