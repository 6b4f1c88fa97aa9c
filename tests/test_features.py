"""``dar-transfer features``: geometry numbers, feature extraction from both checkpoint
layouts, the CLI's JSON and picture, and each bad input's error."""
import json
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS
from PIL import Image

from dar_transfer.analysis.features import (
    extract_features,
    image_batches,
    load_classifier,
    read_split,
)
from dar_transfer.analysis.geometry import geometry, ncm_top1, scatter_ratio, tsne_subset
from dar_transfer.cli import main
from dar_transfer.demo.classification_data import write_cifar_batches, write_image_folder
from dar_transfer.pretrain.classifier import build_classifier


def blobs(separation: float, seed: int = 0, per_class: int = 40, classes: int = 4, dim: int = 8):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(classes), per_class)
    centres = rng.normal(0, 1, (classes, dim)) * separation
    return centres[labels] + rng.normal(0, 1, (len(labels), dim)), labels


def test_separable_features_score_higher_than_random_ones():
    features, labels = blobs(separation=6.0)
    separated = geometry(features, labels)
    shuffled = geometry(features, np.random.default_rng(1).permutation(labels))
    assert separated.silhouette > 0.5 > shuffled.silhouette
    assert separated.scatter_ratio > 10 * shuffled.scatter_ratio
    assert separated.ncm_top1 == 100.0 and shuffled.ncm_top1 < 50.0


def test_scatter_ratio_by_hand():
    # Class 0 at -1 and -3 (mean -2), class 1 at 1 and 3 (mean 2); overall mean 0.
    features = np.array([[-1.0], [-3.0], [1.0], [3.0]])
    labels = np.array([0, 0, 1, 1])
    assert scatter_ratio(features, labels) == pytest.approx((2 * 4 + 2 * 4) / 4.0)


def test_nearest_class_mean_leaves_each_sample_out():
    features, labels = blobs(separation=0.8, seed=3, per_class=6, classes=3, dim=2)
    brute = 0
    for i in range(len(labels)):
        keep = np.arange(len(labels)) != i
        means = [features[keep & (labels == k)].mean(axis=0) for k in range(3)]
        brute += int(np.argmin([np.sum((features[i] - m) ** 2) for m in means]) == labels[i])
    assert ncm_top1(features, labels) == pytest.approx(100 * brute / len(labels))
    # Without leaving out, the lone sample of class 2 would be its own mean: right by
    # construction. Left out, its class has no mean and it is counted wrong.
    assert ncm_top1(np.array([[0.0], [0.1], [5.0], [9.0]]), np.array([0, 0, 1, 2])) == 50.0


def test_one_class_is_refused():
    with pytest.raises(ValueError, match='has 1 class.*at least 2 are needed'):
        geometry(np.zeros((5, 3)), np.zeros(5, dtype=int))


def test_tsne_subset_is_seeded_and_capped():
    assert len(tsne_subset(10_000, 2000)) == 2000
    assert np.array_equal(tsne_subset(10_000, 2000, seed=4), tsne_subset(10_000, 2000, seed=4))
    assert np.array_equal(tsne_subset(30, 2000), np.arange(30))


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('features')
    write_image_folder(root / 'folder', num_classes=3, per_class={'test': 8}, size=32)
    state = build_classifier('cifar_resnet20', 3).state_dict()
    torch.save(state, root / 'r20.pth')
    torch.save({k: v for k, v in state.items() if not k.startswith('fc.')},
               root / 'backbone.pth')
    (root / 'notes.pth').write_text('not a checkpoint\n')
    one = root / 'one' / 'test' / 'cat'
    one.mkdir(parents=True)
    for i in range(3):
        Image.fromarray(np.full((32, 32, 3), 40 * i, np.uint8)).save(one / f'{i}.png')
    detector = {'meta': {'cfg': Config(dict(model=dict(type='FasterRCNN'))).pretty_text},
                'state_dict': {'backbone.conv1.weight': torch.zeros(1)}}
    torch.save(detector, root / 'detector.pth')
    return root


@pytest.fixture(scope='module')
def pretrain_checkpoint(tmp_path_factory):
    """A real ``dar-transfer pretrain`` checkpoint: ResNet-20, one epoch, 50 images."""
    work = tmp_path_factory.mktemp('pretrain')
    cifar = write_cifar_batches(work / 'cifar10', train_per_class=1, test_per_class=2)
    options = ['train_cfg.max_epochs=1', 'model.arch=cifar_resnet20',
               'train_dataloader.batch_size=10']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options += [f'{loader}.dataset.data_root={cifar}', f'{loader}.num_workers=0',
                    f'{loader}.persistent_workers=False']
    assert main(['pretrain', 'configs/pretrain/cifar10/resnet110_1xb128-300e_cifar10.py',
                 '--work-dir', str(work / 'run'), '--cfg-options', *options]) == 0
    return work / 'run' / 'epoch_1.pth', cifar


def test_pretrain_checkpoint_features_are_the_classifier_input(pretrain_checkpoint):
    checkpoint, cifar = pretrain_checkpoint
    loaded = load_classifier(checkpoint)
    assert (loaded.kind, loaded.arch) == ('dar-transfer', 'cifar_resnet20')
    split = read_split(cifar, 'test')
    assert len(split) == 20 and split.classes[0] == 'class0'
    features = extract_features(loaded, split, batch_size=7)
    assert features.shape == (20, 64)
    # The model as trained (its own data preprocessor, eval mode) gives logits that the
    # final layer computes from exactly these features.
    content = torch.load(checkpoint, map_location='cpu', weights_only=False)
    model = MODELS.build(Config.fromstring(content['meta']['cfg'], '.py').model)
    model.load_state_dict(content['state_dict'])
    model.eval()
    with torch.no_grad():
        batch = model.data_preprocessor({'inputs': split.images, 'data_samples': {}}, False)
        logits = model(batch['inputs'], mode='tensor')
        from_features = loaded.net.fc(torch.from_numpy(features))
    assert torch.allclose(logits, from_features, atol=1e-4)


def test_cli_json_and_figure_for_both_checkpoint_layouts(data, pretrain_checkpoint, capsys,
                                                        tmp_path):
    checkpoint, cifar = pretrain_checkpoint
    capsys.readouterr()
    assert main(['features', str(data / 'r20.pth'), '--arch', 'cifar_resnet20',
                 '--data-root', str(data / 'folder'), '--out', str(tmp_path / 'a'),
                 '--json', '--tsne-points', '10', '--threads', '1']) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {'checkpoints', 'figure'}
    assert set(result['checkpoints']) == {'r20'}
    numbers = result['checkpoints']['r20']
    assert set(numbers) == {'silhouette', 'scatter_ratio', 'ncm_top1'}
    assert -1 <= numbers['silhouette'] <= 1 and numbers['scatter_ratio'] > 0
    assert 0 <= numbers['ncm_top1'] <= 100
    with open(result['figure'], 'rb') as figure:
        assert figure.read(8) == b'\x89PNG\r\n\x1a\n'
    saved = json.loads((tmp_path / 'a' / 'features.json').read_text())
    assert saved['num_images'] == 24 and saved['tsne_points'] == 10
    # Two pretrain checkpoints (arch from their config) with the same file name, side by
    # side, on CIFAR's pickle layout.
    for run in ('run_a', 'run_b'):
        (tmp_path / run).mkdir()
        shutil.copy(checkpoint, tmp_path / run / 'epoch_1.pth')
    assert main(['features', str(tmp_path / 'run_a' / 'epoch_1.pth'),
                 str(tmp_path / 'run_b' / 'epoch_1.pth'), '--data-root', str(cifar),
                 '--out', str(tmp_path / 'b'), '--json']) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result['checkpoints']) == ['run_a/epoch_1', 'run_b/epoch_1']
    assert result['checkpoints']['run_a/epoch_1'] == result['checkpoints']['run_b/epoch_1']
    saved = json.loads((tmp_path / 'b' / 'features.json').read_text())
    assert saved['checkpoints']['run_a/epoch_1']['kind'] == 'dar-transfer'
    assert saved['num_images'] == 20


@pytest.mark.parametrize('argv, message', [
    (['notes.pth'], 'notes.pth is not a'),  # "... (readable) torch checkpoint"
    (['backbone.pth', '--arch', 'cifar_resnet20'], 'is not a classifier checkpoint'),
    (['detector.pth'], 'is a FasterRCNN checkpoint, not a classifier'),
    (['r20.pth'], 'pass --arch'),
    (['r20.pth', '--arch', 'resnet18'], 'does not fit arch resnet18'),
    (['r20.pth', '--arch', 'cifar_resnet20', '--threads', '0'], '--threads must be >= 1'),
    (['r20.pth', '--arch', 'cifar_resnet20', '--data-root-one'], 'has 1 class'),
])
def test_bad_inputs_exit_2_with_a_clear_message(data, argv, message, capsys, tmp_path):
    root = data / ('one' if '--data-root-one' in argv else 'folder')
    argv = [a for a in argv if a != '--data-root-one']
    argv[0] = str(data / argv[0])
    with pytest.raises(SystemExit) as exit_info:
        main(['features', *argv, '--data-root', str(root), '--out', str(tmp_path)])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_images_of_several_sizes_need_image_size(tmp_path):
    for k, size in enumerate((40, 56)):
        folder = tmp_path / 'val' / f'c{k}'
        folder.mkdir(parents=True)
        for i in range(2):
            Image.fromarray(np.full((size, size + 8, 3), 60 * k, np.uint8)).save(
                folder / f'{i}.png')
    split = read_split(tmp_path, 'val')
    with pytest.raises(ValueError, match='pass --image-size'):
        list(image_batches(split, 4, None))
    (batch,) = image_batches(split, 4, 32)  # shorter side to 37, then the 32 x 32 centre
    assert batch.shape == (4, 3, 32, 32) and batch.dtype == torch.uint8
    assert batch[2:].float().mean().item() == pytest.approx(60, abs=1)
