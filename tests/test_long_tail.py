"""Long-tail splits, ImageNet-LT lists, the per-shot metric, ResNet-10 and the report's
long-tail table, on small generated data."""
import json
from pathlib import Path

import pytest
import torch
import torchvision
from mmengine.config import Config
from mmengine.registry import DATASETS, METRICS

from dar_transfer.cli import main
from dar_transfer.demo.classification_data import write_cifar_batches, write_image_folder
from dar_transfer.pretrain.classifier import build_classifier
from dar_transfer.pretrain.long_tail import long_tail_counts, take_long_tail
from dar_transfer.pretrain.metrics import shot_accuracy
from dar_transfer.report.collect import task_of

CONFIGS = Path(__file__).parents[1] / 'configs' / 'pretrain'


@pytest.mark.parametrize('imbalance, total', [(100, 12_406), (50, 13_996), (10, 20_431)])
def test_cifar10_lt_profiles_match_the_published_sizes(imbalance, total):
    counts = long_tail_counts(5000, imbalance, 10)
    assert sum(counts) == total  # the CIFAR-10-LT sizes of Cao et al. 2019 and later papers
    assert counts[0] == 5000 and counts[-1] == 5000 // imbalance
    assert counts == sorted(counts, reverse=True)


def test_cifar10_lt_counts_per_class():
    assert long_tail_counts(5000, 100, 10) == [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    assert long_tail_counts(7, 1, 3) == [7, 7, 7]  # imbalance 1 is balanced
    assert long_tail_counts(5, 100, 1) == [5]


@pytest.mark.parametrize('imbalance', [0.5, 0, -3, float('nan'), float('inf'), True, '100'])
def test_imbalance_below_one_or_not_a_number_is_refused(imbalance):
    with pytest.raises(ValueError, match=r'imbalance must be a number >= 1 .* got'):
        long_tail_counts(5000, imbalance, 10)


def test_take_long_tail_keeps_the_first_images_of_each_class():
    samples = [(f'{label}-{i}', label) for i in range(4) for label in range(3)]  # interleaved
    chosen = take_long_tail(samples, imbalance=4)  # n_max = 4: counts 4, 2, 1
    assert [s for s, _ in chosen] == ['0-0', '1-0', '2-0', '0-1', '1-1', '0-2', '0-3']
    with pytest.raises(ValueError, match='needs 5 images of class 0, which has 4'):
        take_long_tail(samples, imbalance=4, n_max=5)
    with pytest.raises(ValueError, match='imbalance 100 leaves class 1 with no images'):
        take_long_tail(samples, imbalance=100, n_max=4)
    with pytest.raises(ValueError, match='class 1 has no images'):
        take_long_tail([('a', 0), ('b', 2)], imbalance=2)


def test_cifar_dataset_long_tail_keeps_matching_images(tmp_path):
    root = write_cifar_batches(tmp_path, train_per_class=4)  # 20 images per class
    full = DATASETS.build(dict(type='CIFARDataset', data_root=str(root)))
    lt = DATASETS.build(dict(type='CIFARDataset', data_root=str(root), imbalance=10))
    expected = long_tail_counts(20, 10, 10)
    labels = [lt.get_data_info(i)['gt_label'] for i in range(len(lt))]
    assert [labels.count(k) for k in range(10)] == expected
    assert len(lt) == lt.images.shape[0] == sum(expected)
    full_labels = [full.get_data_info(i)['gt_label'] for i in range(len(full))]
    first_of_9 = full_labels.index(9)
    item = lt[labels.index(9)]
    assert torch.equal(item['inputs'], full.images[first_of_9])
    assert item['data_samples']['sample_idx'] == labels.index(9)  # DaR's index: the subset's


def test_image_folder_long_tail_after_per_class_slice(tmp_path):
    root = write_image_folder(tmp_path, num_classes=3, per_class={'train': 6}, size=8)
    dataset = DATASETS.build(dict(type='InMemoryImageFolder', data_root=str(root),
                                  per_class=(1, 6), imbalance=5))
    labels = [dataset.get_data_info(i)['gt_label'] for i in range(len(dataset))]
    assert [labels.count(k) for k in range(3)] == [5, 2, 1]
    assert dataset.get_data_info(0)['img_path'].endswith('n00000000_1.JPEG')
    assert dataset.images.shape[0] == 8
    with pytest.raises(ValueError, match=r'imbalance must be a number >= 1 .* got 0.5'):
        DATASETS.build(dict(type='ImageFolderDataset', data_root=str(root), imbalance=0.5))
    with pytest.raises(ValueError, match='n_max=3 needs imbalance as well'):
        DATASETS.build(dict(type='ImageFolderDataset', data_root=str(root), n_max=3))


def test_long_tail_cli_writes_a_list_the_list_dataset_reads(tmp_path, capsys):
    root = write_image_folder(tmp_path / 'in', num_classes=4, per_class={'train': 8}, size=8)
    out = tmp_path / 'lists' / 'train_lt.txt'
    assert main(['long-tail', str(root), '--imbalance', '8', '--out', str(out), '--json']) == 0
    report = json.loads(capsys.readouterr().out)
    assert report['class_sizes'] == [8, 4, 2, 1] and report['total'] == 15
    assert out.read_text().splitlines()[0] == 'train/n00000000/n00000000_0.JPEG 0'
    dataset = DATASETS.build(dict(type='ImageListDataset', data_root=str(root),
                                  ann_file=str(out)))
    assert len(dataset) == 15
    with pytest.raises(SystemExit) as exit_info:
        main(['long-tail', str(root), '--imbalance', '0.5', '--out', str(out)])
    assert exit_info.value.code == 2
    assert 'imbalance must be a number >= 1' in capsys.readouterr().err


def write_imagenet_lt(root: Path) -> Path:
    """A toy ImageNet root with ImageNet-LT-style lists (paths from the root)."""
    write_image_folder(root, num_classes=3, per_class={'train': 4, 'val': 2}, size=16)
    (root / 'ImageNet_LT_train.txt').write_text(
        'train/n00000000/n00000000_0.JPEG 0\ntrain/n00000000/n00000000_1.JPEG 0\n'
        'train/n00000000/n00000000_2.JPEG 0\ntrain/n00000001/n00000001_0.JPEG 1\n'
        'train/n00000002/n00000002_3.JPEG 2\n')
    (root / 'ImageNet_LT_test.txt').write_text(
        ''.join(f'val/n0000000{k}/n0000000{k}_{i}.JPEG {k}\n' for k in range(3) for i in range(2)))
    return root


def test_imagenet_lt_lists_read_with_the_list_dataset(tmp_path):
    root = write_imagenet_lt(tmp_path)
    pipeline = [dict(type='LoadImageFromFile'), dict(type='PackClassificationInputs')]
    train = DATASETS.build(dict(type='ImageListDataset', data_root=str(root),
                                ann_file='ImageNet_LT_train.txt', num_classes=3,
                                pipeline=pipeline))
    assert [train.get_data_info(i)['gt_label'] for i in range(5)] == [0, 0, 0, 1, 2]
    assert train[4]['inputs'].shape == (3, 16, 16)
    test = DATASETS.build(dict(type='ImageListDataset', data_root=str(root),
                               ann_file='ImageNet_LT_test.txt', num_classes=3))
    assert len(test) == 6


def test_a_list_naming_missing_files_names_them_and_the_data_root(tmp_path):
    root = write_imagenet_lt(tmp_path)
    lines = (root / 'ImageNet_LT_train.txt').read_text()
    (root / 'ImageNet_LT_train.txt').write_text(
        lines + 'train/n00000009/gone_1.JPEG 2\ntrain/n00000009/gone_2.JPEG 2\n')
    config = dict(type='ImageListDataset', data_root=str(root), ann_file='ImageNet_LT_train.txt')
    with pytest.raises(FileNotFoundError) as error:
        DATASETS.build(config)
    message = str(error.value)
    assert 'lists 2 of 7 images that do not exist' in message
    assert f'{root}/train/n00000009/gone_1.JPEG' in message
    assert f'data_root {root}' in message
    assert len(DATASETS.build({**config, 'check_files': False})) == 7


def evaluate(metric, preds, labels):
    metric.process(None, [{'pred_score': torch.nn.functional.one_hot(torch.tensor(p), 6).float(),
                           'gt_label': torch.tensor(g)}
                          for p, g in zip(preds, labels, strict=True)])
    return metric.evaluate(len(labels))


# Training sizes: classes 0-1 many (> 100), 2-3 medium, 4-5 few (< 20).
TRAIN_COUNTS = [200, 150, 100, 20, 19, 5]
# Class 0: 3/3 right, class 1: 1/2, class 2: 0/1, class 3: 2/2, class 4: 1/2, class 5: 0/2.
LABELS = [0, 0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5]
PREDS = [0, 0, 0, 1, 0, 0, 3, 3, 4, 1, 0, 4]


def test_shot_accuracy_on_hand_made_predictions():
    result = evaluate(METRICS.build(dict(type='ShotAccuracy', class_counts=TRAIN_COUNTS)),
                      PREDS, LABELS)
    assert result == pytest.approx({'accuracy/many': 75.0, 'accuracy/medium': 50.0,
                                    'accuracy/few': 25.0, 'accuracy/overall': 100 * 7 / 12})
    # Thresholds move classes: many > 150 makes class 1 medium, few < 6 class 4 medium.
    moved = shot_accuracy(PREDS, LABELS, TRAIN_COUNTS, many_threshold=150, few_threshold=6)
    assert moved == pytest.approx({'many': 100.0, 'medium': 50.0, 'few': 0.0,
                                   'overall': 100 * 7 / 12})
    only_many = shot_accuracy([0, 1], [0, 1], [500, 500])
    assert set(only_many) == {'many', 'overall'}  # empty groups are left out, not zero


def test_shot_accuracy_counts_the_training_split(tmp_path):
    root = write_imagenet_lt(tmp_path)
    from_list = METRICS.build(dict(type='ShotAccuracy', many_threshold=2, few_threshold=2,
                                   train_ann_file=str(root / 'ImageNet_LT_train.txt')))
    assert from_list.training_counts() == [3, 1, 1]
    cifar = write_cifar_batches(tmp_path / 'cifar', train_per_class=4)
    from_dataset = METRICS.build(dict(type='ShotAccuracy', train_dataset=dict(
        type='CIFARDataset', data_root=str(cifar), imbalance=10)))
    assert from_dataset.training_counts() == long_tail_counts(20, 10, 10)


@pytest.mark.parametrize('kwargs, message', [
    (dict(), 'needs exactly one of class_counts, train_ann_file or train_dataset'),
    (dict(class_counts=[3], train_ann_file='x.txt'), 'got .*class_counts.*train_ann_file'),
    (dict(class_counts=[3, -1]), 'class_counts must be non-negative integers'),
    (dict(class_counts=[3], few_threshold=50, many_threshold=10), 'few_threshold \\(50\\)'),
    (dict(class_counts=[3], many_threshold=-1), 'many_threshold must be a non-negative'),
])
def test_shot_accuracy_refuses_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        METRICS.build(dict(type='ShotAccuracy', **kwargs))


def test_resnet10_is_torchvision_resnet_with_one_block_per_stage():
    net = build_classifier('resnet10', num_classes=7)
    assert [len(getattr(net, f'layer{k}')) for k in range(1, 5)] == [1, 1, 1, 1]
    keys = set(net.state_dict())
    resnet18 = set(torchvision.models.resnet18(num_classes=7).state_dict())
    assert keys == {k for k in resnet18 if not k.startswith(('layer1.1', 'layer2.1',
                                                              'layer3.1', 'layer4.1'))}
    assert net(torch.zeros(2, 3, 64, 64)).shape == (2, 7)


@pytest.mark.parametrize('config, task', [
    ('cifar10_lt/resnet32_1xb128-200e_cifar10-lt.py', 'lt'),
    ('imagenet_lt/resnet10_8xb64-90e_imagenet-lt_dar.py', 'lt'),
    ('cifar10/resnet110_1xb128-300e_cifar10.py', 'cls'),
])
def test_report_files_long_tail_runs_under_their_own_table(config, task):
    assert task_of(Config.fromfile(CONFIGS / config)) == task


@pytest.mark.slow
def test_report_shows_shot_columns_with_delta_rows(tmp_path, capsys):
    data = write_cifar_batches(tmp_path / 'cifar10', train_per_class=2, test_per_class=2)
    for name, suffix, extra in (('base', '', []), ('dar', '_dar', [
            'train_dataloader.sampler.warmup_epochs=0', 'train_dataloader.sampler.interval=1',
            'train_dataloader.sampler.keep_ratio=0.5',
            'train_dataloader.sampler.refresh_epochs=[]'])):
        config = CONFIGS / 'cifar10_lt' / f'resnet32_1xb128-200e_cifar10-lt{suffix}.py'
        options = ['train_cfg.max_epochs=2', 'train_cfg.val_interval=1',
                   'model.arch=cifar_resnet20', 'train_dataloader.batch_size=8',
                   'train_dataloader.dataset.imbalance=5',
                   f'val_evaluator.1.train_dataset.data_root={data}',
                   'val_evaluator.1.train_dataset.imbalance=5',
                   'val_evaluator.1.many_threshold=5', 'val_evaluator.1.few_threshold=3', *extra]
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            options += [f'{loader}.dataset.data_root={data}', f'{loader}.num_workers=0',
                        f'{loader}.persistent_workers=False']
        assert main(['pretrain', str(config), '--work-dir', str(tmp_path / 'work' / name),
                     '--cfg-options', *options]) == 0
    capsys.readouterr()
    assert main(['report', str(tmp_path / 'work'), '--format', 'json']) == 0
    tables = {t['task']: t for t in json.loads(capsys.readouterr().out)['tables']}
    table = tables['lt']
    assert table['columns'] == ['overall', 'many-shot', 'medium-shot', 'few-shot']
    rows = {r['variant']: r for r in table['rows']}
    assert set(rows) == {'baseline', 'dar'}
    for column in table['columns']:
        assert 0 <= rows['baseline']['metrics'][column]['mean'] <= 100
        assert rows['dar']['delta'][column]['value'] == pytest.approx(
            rows['dar']['metrics'][column]['mean'] - rows['baseline']['metrics'][column]['mean'])
    assert main(['report', str(tmp_path / 'work')]) == 0
    text = capsys.readouterr().out
    assert '### Long-tailed classification (top-1 by shot group)' in text
    assert '| overall | many-shot | medium-shot | few-shot |' in text and 'delta dar' in text
