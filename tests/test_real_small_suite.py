"""``export --suite real-small``: the four upstream models on generated Penn-Fudan, LSPET
and CamVid (the published layouts, converted by ``dar-transfer data``), a few iterations
each with the real libraries, plus the suite's errors, provenance and torso PCK."""
import json
import re

import numpy as np
import pytest
import torch
import torchvision

from dar_transfer.cli import main
from dar_transfer.data import camvid, lspet, pennfudan
from dar_transfer.demo.raw_layouts import write_camvid_raw, write_lspet_raw, write_pennfudan_raw
from dar_transfer.export.downstream import TASKS
from dar_transfer.export.real_small import annotation_fingerprint
from dar_transfer.export.real_small_tasks import PRESETS

METRICS = {'det': 'coco/bbox_mAP', 'inst': 'coco/segm_mAP', 'pose': 'tPCK', 'seg': 'mIoU'}


@pytest.fixture(scope='module')
def suite(tmp_path_factory):
    root = tmp_path_factory.mktemp('real_small')
    raw = root / 'raw'
    data = root / 'data'
    pennfudan.convert(write_pennfudan_raw(raw, images=8, size=(96, 80)), data / 'pennfudan',
                      val_fraction=0.25, seed=0)
    lspet.convert(write_lspet_raw(raw, images=10), data / 'lspet', val_fraction=0.2, seed=0)
    camvid.convert(write_camvid_raw(raw, images={'train': 4, 'val': 2}), data / 'camvid')
    torch.manual_seed(0)  # with the runs' seed below: toy runs that always test the same
    torch.save(torchvision.models.resnet18().state_dict(), root / 'r18.pth')
    out = root / 'checkpoints'
    for preset in PRESETS:
        assert main(['export', str(root / 'r18.pth'), '--name', 'r18', '--out', str(out),
                     '--suite', 'real-small', '--preset', preset, '--data-root',
                     str(data)]) == 0
    return root, data, out


@pytest.mark.parametrize('preset', list(PRESETS))
@pytest.mark.parametrize('task', list(METRICS))
def test_configs_inherit_the_coco_suite_base(suite, task, preset):
    from mmengine.config import Config

    _, data, out = suite
    path = out / f'r18_{task}_real-small_{preset}.py'
    base = re.search(r"^_base_ = '(.+)'$", path.read_text(), re.M).group(1)
    assert base == TASKS[task].base
    cfg = Config.fromfile(path)
    info = cfg.dar_provenance
    assert (info['suite'], info['preset']) == ('real-small', preset)
    assert info['annotation_sha256'] == annotation_fingerprint(task, data)
    assert cfg.model.backbone.depth == 18
    # cpu-frozen is cpu with the backbone frozen; the others train it as upstream does
    frozen = (cfg.model.backbone.get('frozen_stages'), cfg.model.backbone.get('norm_eval'))
    assert (frozen == (4, True)) == (preset == 'cpu-frozen')
    if task in ('det', 'inst'):  # frozen features: a lower lr, and clipped gradients
        expected = (0.002, 35) if preset == 'cpu-frozen' else (0.01, None)
        clip = cfg.optim_wrapper.get('clip_grad') or {}
        assert (cfg.optim_wrapper.optimizer.lr, clip.get('max_norm')) == expected
    if task == 'pose':  # cpu-v2 is cpu with pose trained 10 epochs, the lr step at 9
        schedule = {'cpu-v2': (10, [9]), 'cpu-v3': (10, [9]),
                    'gpu': (210, [170, 200])}.get(preset, (7, [6]))
        assert (cfg.train_cfg.max_epochs, cfg.param_scheduler[1].milestones) == schedule
    # cpu-v3 is cpu-v2 with CamVid's statistics estimated again before the test
    hooks = [h.type for h in cfg.get('custom_hooks', [])]
    assert ('ReestimateBatchNormHook' in hooks) == ((task, preset) == ('seg', 'cpu-v3'))
    preset = 'cpu' if preset in ('cpu-frozen', 'cpu-v2', 'cpu-v3') else preset
    if task in ('det', 'inst'):
        assert cfg.model.roi_head.bbox_head.num_classes == 1
        # cpu narrows the upstream FPN; gpu keeps its 256 channels.
        assert cfg.model.neck.out_channels == (64 if preset == 'cpu' else 256)
    elif task == 'pose':
        assert cfg.model.head.out_channels == 14
        assert cfg.train_dataloader.dataset.metainfo.from_file == lspet.METAINFO_FILE
        # ResNet's stride 32: other sides give heatmaps that do not match their targets
        assert all(side % 32 == 0 for side in cfg.codec.input_size)
        assert tuple(cfg.codec.heatmap_size) == tuple(s // 4 for s in cfg.codec.input_size)
    else:
        assert cfg.model.decode_head.num_classes == 11
        assert cfg.train_dataloader.dataset.type == 'CamVidDataset'
        assert cfg.model.decode_head.channels == (128 if preset == 'cpu' else 512)


def test_fingerprint_follows_the_annotations(suite, tmp_path):
    import shutil

    _, data, _ = suite
    copy = tmp_path / 'data'
    shutil.copytree(data / 'pennfudan', copy / 'pennfudan')
    before = annotation_fingerprint('det', copy)
    assert before == annotation_fingerprint('det', data)
    val = copy / 'pennfudan' / 'annotations' / 'instances_val.json'
    content = json.loads(val.read_text())
    content['annotations'] = content['annotations'][1:]
    val.write_text(json.dumps(content))
    assert annotation_fingerprint('det', copy) != before


@pytest.mark.parametrize('extra, message', [
    (['--suite', 'real-small', '--preset', 'cpu'], '--data-root'),
    (['--suite', 'real-small', '--data-root', 'x'], '--preset'),
    (['--preset', 'cpu'], 'belong to --suite real-small'),
])
def test_suite_arguments_are_checked(suite, extra, message, capsys, tmp_path):
    root, _, _ = suite
    with pytest.raises(SystemExit) as exit_info:
        main(['export', str(root / 'r18.pth'), '--name', 'x', '--out', str(tmp_path), *extra])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing written before the error


def test_missing_conversion_names_the_command(suite, capsys, tmp_path):
    root, _, _ = suite
    with pytest.raises(SystemExit) as exit_info:
        main(['export', str(root / 'r18.pth'), '--name', 'x', '--out', str(tmp_path / 'o'),
              '--suite', 'real-small', '--preset', 'cpu', '--data-root', str(tmp_path),
              '--tasks', 'seg'])
    assert exit_info.value.code == 2
    assert 'dar-transfer data camvid' in capsys.readouterr().err


def test_torso_pck_uses_lsp_shoulders_and_hips():
    from dar_transfer.finetune.torso_pck import TorsoPCKAccuracy

    gt = np.zeros((1, 14, 2))
    gt[0, 9] = (0, 0)     # left shoulder
    gt[0, 2] = (30, 40)   # right hip: torso diameter 50, threshold 0.2 * 50 = 10
    pred = gt.copy()
    pred[0, 0] = gt[0, 0] + (6, 8)    # 10 px off: not within (PCK counts < thr)
    pred[0, 1] = gt[0, 1] + (3, 4)    # 5 px off: correct
    pred[0, 5] = gt[0, 5] + (30, 0)   # far off
    visible = np.ones((1, 14))
    visible[0, 13] = 0                # unlabelled joints do not count
    sample = {'gt_instances': {'keypoints': gt, 'keypoints_visible': visible,
                               'bboxes': np.array([[0, 0, 100, 100]])},
              'pred_instances': {'keypoints': pred}}
    metric = TorsoPCKAccuracy(thr=0.2, norm_item=['torso', 'bbox'])
    metric.process([], [sample])
    result = metric.compute_metrics(metric.results)
    # 13 labelled joints, 2 of them (0 and 5) beyond 10 px of the 50 px torso.
    assert result['tPCK'] == pytest.approx(11 / 13)
    # By the 100 px box the threshold is 20 px: only joint 5 misses.
    assert result['PCK'] == pytest.approx(12 / 13)


def test_torso_pck_falls_back_to_the_other_diagonal_and_reports_none():
    from dar_transfer.finetune.torso_pck import TorsoPCKAccuracy

    gt = np.zeros((1, 14, 2))
    gt[0, 8], gt[0, 3] = (0, 0), (0, 20)   # right shoulder - left hip: 20 px
    pred = gt.copy()
    pred[0, 4] += (5, 0)                   # 5 px: beyond 0.2 * 20 = 4
    visible = np.ones((1, 14))
    visible[0, 9] = 0                      # left shoulder unlabelled
    metric = TorsoPCKAccuracy()
    metric.process([], [{'gt_instances': {'keypoints': gt, 'keypoints_visible': visible},
                         'pred_instances': {'keypoints': pred}}])
    assert metric.compute_metrics(metric.results)['tPCK'] == pytest.approx(12 / 13)
    visible[0, 8] = 0                      # neither diagonal labelled
    empty = TorsoPCKAccuracy()
    empty.process([], [{'gt_instances': {'keypoints': gt, 'keypoints_visible': visible},
                        'pred_instances': {'keypoints': pred}}])
    with pytest.raises(ValueError, match='torso diagonal'):
        empty.compute_metrics(empty.results)


@pytest.mark.slow
@pytest.mark.parametrize('task, preset', [*((task, 'cpu') for task in METRICS),
                                          ('pose', 'cpu-v2'),  # cpu-v2 changes pose only
                                          ('seg', 'cpu-v3')])  # and cpu-v3 seg's test
def test_cpu_preset_fine_tunes_and_tests(suite, task, preset, tmp_path):
    _, _, out = suite
    short = (['train_cfg.max_iters=2', 'train_cfg.val_begin=3', 'param_scheduler.0.end=2']
             if task == 'seg' else ['train_cfg.max_epochs=1', 'train_cfg.val_begin=2'])
    assert main(['finetune', str(out / f'r18_{task}_real-small_{preset}.py'), '--work-dir',
                 str(tmp_path), '--cfg-options', 'randomness.seed=0', *short]) == 0
    summary = json.loads((tmp_path / 'finetune_summary.json').read_text())
    assert isinstance(summary['test'][METRICS[task]], float)
    moved = summary.get('batch_norm_reestimated')
    assert (moved is not None) == (preset == 'cpu-v3')
    if moved:  # the toy CamVid's 4 training images, one batch at the test scale
        assert moved['batches'] == 1 and moved['layers'] > 20
    if task == 'pose':
        assert 'coco/AP' in summary['test']  # OKS AP with LSP's sigmas


@pytest.mark.slow
def test_cpu_frozen_preset_leaves_the_backbone_as_exported(suite, tmp_path):
    root, _, out = suite
    short = ['train_cfg.max_iters=2', 'train_cfg.val_begin=3', 'param_scheduler.0.end=2']
    assert main(['finetune', str(out / 'r18_seg_real-small_cpu-frozen.py'), '--work-dir',
                 str(tmp_path), '--cfg-options', 'randomness.seed=0', *short]) == 0
    trained = torch.load(tmp_path / 'iter_2.pth', map_location='cpu')['state_dict']
    exported = torch.load(root / 'r18.pth', map_location='cpu')
    backbone = {k[len('backbone.'):]: v for k, v in trained.items() if k.startswith('backbone.')}
    assert set(backbone) == {k for k in exported if not k.startswith('fc.')}
    # weights and batch-norm statistics untouched, while the heads did train
    assert all(torch.equal(backbone[k], exported[k]) for k in backbone)
    assert any(k.startswith('decode_head.') for k in trained)


@pytest.mark.slow
def test_finetune_stops_on_a_nan_loss(suite, tmp_path):
    _, _, out = suite
    blow_up = ['train_cfg.max_iters=40', 'train_cfg.val_begin=41', 'param_scheduler.0.end=40',
               'optim_wrapper.optimizer.lr=1e30']
    with pytest.raises(FloatingPointError, match=r'training loss is (nan|inf).*iteration (10|20)'):
        main(['finetune', str(out / 'r18_seg_real-small_cpu.py'), '--work-dir', str(tmp_path),
              '--cfg-options', *blow_up])
    assert not (tmp_path / 'finetune_summary.json').exists()
