# ImageNet-1k in OpenMMLab's annotation-file layout: data/imagenet/meta/{train,val}.txt
# with "relative/path label" lines, images under data/imagenet/{train,val}/.
_base_ = ['./imagenet_bs32.py']
train_dataloader = dict(dataset=dict(
    _delete_=True, type='ImageListDataset', data_root='data/imagenet',
    ann_file='meta/train.txt', data_prefix='train', num_classes=1000,
    pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(dataset=dict(
    _delete_=True, type='ImageListDataset', data_root='data/imagenet',
    ann_file='meta/val.txt', data_prefix='val', num_classes=1000,
    pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
