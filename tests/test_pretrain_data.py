"""Each classification layout loads from a tiny generated copy with the right labels."""
import pytest
import torch
from mmengine.registry import DATASETS

from dar_transfer.demo.classification_data import (
    write_cifar_batches,
    write_image_folder,
    write_image_list_layout,
)

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='RandomResizedCrop', size=24),
            dict(type='RandomFlip', prob=0.5), dict(type='PackClassificationInputs')]


@pytest.fixture(scope='module')
def image_folder(tmp_path_factory):
    return write_image_folder(tmp_path_factory.mktemp('in'), num_classes=3,
                              per_class={'train': 4, 'val': 2}, size=40)


def check_items(dataset, expected_labels, shape):
    assert len(dataset) == len(expected_labels)
    for idx in range(len(dataset)):
        item = dataset[idx]
        assert item['data_samples'] == {'gt_label': expected_labels[idx], 'sample_idx': idx}
        assert item['inputs'].dtype == torch.uint8 and tuple(item['inputs'].shape) == shape


def test_image_folder(image_folder):
    dataset = DATASETS.build(dict(type='ImageFolderDataset', data_root=str(image_folder),
                                  split='train', pipeline=PIPELINE))
    check_items(dataset, [0] * 4 + [1] * 4 + [2] * 4, (3, 24, 24))
    assert dataset.metainfo['classes'] == ('n00000000', 'n00000001', 'n00000002')
    val = DATASETS.build(dict(type='ImageFolderDataset', data_root=str(image_folder),
                              split='val', classes=list(dataset.metainfo['classes']),
                              pipeline=PIPELINE))
    assert len(val) == 6


def test_image_folder_per_class_slice(image_folder):
    dataset = DATASETS.build(dict(type='InMemoryImageFolder', data_root=str(image_folder),
                                  split='train', per_class=(1, 3)))
    check_items(dataset, [0, 0, 1, 1, 2, 2], (3, 40, 40))
    assert dataset.get_data_info(0)['img_path'].endswith('n00000000_1.JPEG')


def test_annotation_file_layout(tmp_path):
    root = write_image_list_layout(tmp_path, num_classes=2, per_class={'train': 3, 'val': 1},
                                   size=32)
    dataset = DATASETS.build(dict(type='ImageListDataset', data_root=str(root),
                                  ann_file='meta/train.txt', data_prefix='train',
                                  num_classes=2, pipeline=PIPELINE))
    check_items(dataset, [0, 0, 0, 1, 1, 1], (3, 24, 24))


@pytest.mark.parametrize('variant, classes', [('cifar10', 10), ('cifar100', 100)])
def test_cifar_pickle_layout(tmp_path, variant, classes):
    root = write_cifar_batches(tmp_path, variant=variant, train_per_class=1, test_per_class=1)
    train = DATASETS.build(dict(type='CIFARDataset', data_root=str(root), variant=variant))
    per_batch = 5 if variant == 'cifar10' else 1
    assert len(train) == classes * per_batch
    test = DATASETS.build(dict(type='CIFARDataset', data_root=str(root), variant=variant,
                               split='test'))
    check_items(test, list(range(classes)), (3, 32, 32))
    assert len(test.metainfo['classes']) == classes


def test_errors_name_the_problem(tmp_path, image_folder):
    with pytest.raises(FileNotFoundError, match='does not exist; check data_root'):
        DATASETS.build(dict(type='ImageFolderDataset', data_root=str(tmp_path / 'nope')))
    (tmp_path / 'empty' / 'train').mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match='has no class folders'):
        DATASETS.build(dict(type='ImageFolderDataset', data_root=str(tmp_path / 'empty')))
    with pytest.raises(ValueError, match=r"missing \['n00000009'\]"):
        DATASETS.build(dict(type='ImageFolderDataset', data_root=str(image_folder), split='val',
                            classes=['n00000000', 'n00000001', 'n00000002', 'n00000009']))
    (tmp_path / 'meta').mkdir()
    (tmp_path / 'meta' / 'train.txt').write_text('a.jpg 0\nb.jpg cat\n')
    with pytest.raises(ValueError, match=r'train.txt:2: expected "relative/path label"'):
        DATASETS.build(dict(type='ImageListDataset', data_root=str(tmp_path),
                            ann_file='meta/train.txt'))
    with pytest.raises(FileNotFoundError, match="torchvision's CIFAR download"):
        DATASETS.build(dict(type='CIFARDataset', data_root=str(tmp_path)))


def test_batch_augment_preprocessor_crops_flips_normalises():
    from mmengine.registry import MODELS

    preprocessor = MODELS.build(dict(type='BatchAugmentPreprocessor', mean=[0, 0, 0],
                                     std=[1, 1, 1], pad=4, flip=True, seed=3))
    images = torch.arange(2 * 3 * 8 * 8, dtype=torch.uint8).reshape(2, 3, 8, 8)
    batch = {'inputs': images, 'data_samples': {'gt_label': torch.tensor([0, 1])}}
    evaluated = preprocessor(batch, training=False)['inputs']
    assert torch.equal(evaluated, images.float())  # no augmentation outside training
    trained = preprocessor(batch, training=True)['inputs']
    assert trained.shape == (2, 3, 8, 8)
    for out, src in zip(trained, images.float(), strict=True):
        # Every crop of the zero-padded image is a shifted (maybe flipped) window of it.
        padded = torch.nn.functional.pad(src, [4] * 4)
        windows = [padded[:, r:r + 8, c:c + 8] for r in range(9) for c in range(9)]
        assert any(torch.equal(out, w) or torch.equal(out, w.flip(2)) for w in windows)
