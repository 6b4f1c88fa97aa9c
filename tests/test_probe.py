"""``dar-transfer probe``: kNN and linear probes on hand-made features and on a tiny
generated ImageFolder through the CLI, and the bad inputs' errors."""
import json

import numpy as np
import pytest
import torch

from dar_transfer.analysis.probe import holdout_split, knn_predict, per_class_subset, probe
from dar_transfer.cli import main
from dar_transfer.demo.classification_data import write_image_folder
from dar_transfer.pretrain.classifier import build_classifier


def test_knn_weights_votes_by_similarity():
    # One neighbour of class 0 at similarity 1 carries exp(1/T); two of class 1 at 0.6
    # carry 2 exp(0.6/T), far less at T = 0.07.
    train = np.array([[1.0, 0.0], [0.6, 0.8], [0.6, -0.8]])
    labels = np.array([0, 1, 1])
    query = np.array([[1.0, 0.0]])
    assert knn_predict(train, labels, query, k=3, temperature=0.07).tolist() == [0]
    # A high temperature makes the votes nearly equal: the majority wins.
    assert knn_predict(train, labels, query, k=3, temperature=100.0).tolist() == [1]
    # Cosine similarity ignores the length of a feature.
    assert knn_predict(train * 50, labels, query * 0.01, k=1).tolist() == [0]


def test_probes_separate_blobs():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 30)
    centres = rng.normal(0, 1, (3, 16)) * 5
    features = centres[labels] + rng.normal(0, 1, (90, 16))
    train, val = holdout_split(labels, 0.3, seed=0)
    for method in ('knn', 'linear'):
        score = probe(method, features[train], labels[train], features[val], labels[val])
        assert score.top1 == 100.0 and score.num_val == len(val) == 27
    shuffled = rng.permutation(labels)
    chance = probe('knn', features[train], shuffled[train], features[val], shuffled[val])
    assert chance.top1 < 70 and chance.low < chance.top1 < chance.high


def test_splits_are_seeded_and_per_class():
    labels = np.repeat(np.arange(4), 10)
    train, val = holdout_split(labels, 0.2, seed=5)
    assert len(val) == 8 and np.bincount(labels[val]).tolist() == [2, 2, 2, 2]
    assert not set(train) & set(val)
    assert np.array_equal(holdout_split(labels, 0.2, seed=5)[1], val)
    assert np.bincount(labels[per_class_subset(labels, 3, seed=1)]).tolist() == [3] * 4
    with pytest.raises(ValueError, match='--val-fraction must be in'):
        holdout_split(labels, 1.0, seed=0)
    with pytest.raises(ValueError, match='method must be one of'):
        probe('svm', np.zeros((2, 2)), np.array([0, 1]), np.zeros((1, 2)), np.array([0]))


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('probe')
    write_image_folder(root / 'folder', num_classes=3, per_class={'train': 8, 'val': 4},
                       size=32)
    write_image_folder(root / 'trainonly', num_classes=3, per_class={'train': 10}, size=32)
    torch.save(build_classifier('resnet18', 3).state_dict(), root / 'r18.pth')
    return root


def run_json(capsys, *argv):
    capsys.readouterr()
    assert main(['probe', *argv, '--json']) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_both_methods_and_beside(data, capsys):
    out = run_json(capsys, str(data / 'r18.pth'), '--arch', 'resnet18', '--data',
                   str(data / 'folder'), '--method', 'knn', 'linear', '--beside')
    assert (out['num_train'], out['num_val'], out['data_name']) == (24, 12, 'folder')
    probes = out['checkpoints']['r18']['probes']
    for method in ('knn', 'linear'):
        score = probes[method]
        assert 0 <= score['ci95'][0] <= score['top1'] <= score['ci95'][1] <= 100
        assert score['num_val'] == 12
        written = json.loads((data / f'r18.probe-{method}-folder.json').read_text())
        assert written['top1'] == score['top1'] and written['method'] == method
    assert probes['knn']['k'] == 20 and probes['knn']['temperature'] == 0.07


def test_cli_val_fraction_and_max_per_class(data, capsys):
    out = run_json(capsys, str(data / 'r18.pth'), '--arch', 'resnet18', '--data',
                   str(data / 'trainonly'), '--val-fraction', '0.3', '--max-per-class', '5')
    assert (out['num_train'], out['num_val']) == (15, 9)  # 7 and 3 per class, capped at 5
    # a pretraining work_dir stands for the checkpoint its last_checkpoint names; --out
    # keeps the whole result (a campaign's done mark)
    work = data / 'work'
    work.mkdir(exist_ok=True)
    (work / 'last_checkpoint').write_text(str(data / 'r18.pth'))
    again = run_json(capsys, str(work), '--arch', 'resnet18', '--data', str(data / 'trainonly'),
                     '--val-fraction', '0.3', '--max-per-class', '5', '--out',
                     str(data / 'out' / 'probe.json'))
    assert json.loads((data / 'out' / 'probe.json').read_text()) == again
    # the same scores; probe_seconds is a wall-clock time and may differ by a rounding step
    assert _without_times(again['checkpoints']['r18']['probes']) == \
        _without_times(out['checkpoints']['r18']['probes'])


def _without_times(probes: dict) -> dict:
    return {name: {k: v for k, v in probe.items() if k != 'probe_seconds'}
            for name, probe in probes.items()}


def test_cli_errors(data, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(['probe', str(data / 'r18.pth'), '--arch', 'resnet18', '--data',
              str(data / 'trainonly')])
    assert exit_info.value.code == 2
    assert 'has no val/ folder; pass --val-fraction' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(['probe', str(data / 'r18.pth'), '--data', str(data / 'folder')])
    assert 'pass --arch' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(['probe', str(data / 'r18.pth'), '--arch', 'resnet18', '--data', str(data)])
    assert 'has no train/ folder' in capsys.readouterr().err
