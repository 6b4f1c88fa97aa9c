"""``dar-transfer data``: the three converters on generated raw layouts, read back by the
real libraries (pycocotools, mmdet, mmseg, mmpose), and their errors on bad input."""
import importlib
import json

import numpy as np
import pytest
from mmengine.registry import DefaultScope
from PIL import Image
from pycocotools.coco import COCO

from dar_transfer.cli import main as cli_main
from dar_transfer.data import camvid, camvid_dataset, lspet, pennfudan
from dar_transfer.data.conversion import split_by_image
from dar_transfer.demo.raw_layouts import write_camvid_raw, write_lspet_raw, write_pennfudan_raw
from dar_transfer.errors import UsageError
from dar_transfer.utils.provenance import is_generated


def _build_dataset(scope: str, cfg: dict):
    importlib.import_module(f'{scope}.utils').register_all_modules(init_default_scope=False)
    registry = importlib.import_module(f'{scope}.registry').DATASETS
    with DefaultScope.overwrite_default_scope(scope):
        dataset = registry.build(cfg)
        return dataset, dataset[0]


@pytest.fixture(scope='module')
def pennfudan_out(tmp_path_factory):
    root = tmp_path_factory.mktemp('pennfudan')
    raw = write_pennfudan_raw(root / 'raw', images=10)
    counts = pennfudan.convert(raw, root / 'out', val_fraction=0.3, seed=0)
    return raw, root / 'out', counts


@pytest.fixture(scope='module')
def lspet_out(tmp_path_factory):
    root = tmp_path_factory.mktemp('lspet')
    raw = write_lspet_raw(root / 'raw', images=10)
    counts = lspet.convert(raw, root / 'out', val_fraction=0.2, seed=0)
    return raw, root / 'out', counts


def test_pennfudan_coco_holds_every_mask_instance(pennfudan_out):
    raw, out, counts = pennfudan_out
    instances = {p.name.replace('_mask', ''): np.unique(np.asarray(Image.open(p)))[1:]
                 for p in (raw / 'PedMasks').iterdir()}
    train = COCO(str(out / 'annotations' / 'instances_train.json'))
    val = COCO(str(out / 'annotations' / 'instances_val.json'))
    assert (len(train.getImgIds()), len(val.getImgIds())) == (7, 3)
    assert not set(train.getImgIds()) & set(val.getImgIds())
    assert len(train.getAnnIds()) + len(val.getAnnIds()) == sum(map(len, instances.values()))
    assert counts['train']['instances'] + counts['val']['instances'] == len(train.getAnnIds()) \
        + len(val.getAnnIds())
    assert train.loadCats(train.getCatIds()) == [{'id': 1, 'name': 'person',
                                                   'supercategory': 'person'}]
    # Box, area and RLE of one pedestrian against the mask itself.
    annotation = train.loadAnns(train.getAnnIds())[0]
    image = train.loadImgs(annotation['image_id'])[0]
    ids = np.asarray(Image.open(raw / 'PedMasks' / image['file_name'].replace('.png',
                                                                              '_mask.png')))
    first = ids == instances[image['file_name']][0]
    ys, xs = np.nonzero(first)
    assert annotation['bbox'] == [xs.min(), ys.min(), xs.max() - xs.min() + 1,
                                  ys.max() - ys.min() + 1]
    assert annotation['area'] == first.sum()
    assert (train.annToMask(annotation) == first).all()
    assert (out / 'images' / image['file_name']).is_file()
    assert is_generated(out)  # generated raw data stays labelled as such


def test_mmdet_reads_pennfudan_with_masks(pennfudan_out):
    _, out, _ = pennfudan_out
    dataset, sample = _build_dataset('mmdet', dict(
        type='CocoDataset', data_root=str(out), ann_file='annotations/instances_val.json',
        data_prefix=dict(img='images/'), metainfo=dict(classes=('person',)),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
                  dict(type='PackDetInputs')]))
    assert len(dataset) == 3
    instances = sample['data_samples'].gt_instances
    assert len(instances) >= 1 and instances.masks.masks.any()
    assert (instances.labels == 0).all()


def test_split_is_seeded_and_independent_of_listing_order():
    names = [f'im{i:03d}' for i in range(30)]
    train, val = split_by_image(names, val_fraction=0.3, seed=4)
    assert (len(train), len(val)) == (21, 9)
    assert split_by_image(names[::-1], val_fraction=0.3, seed=4) == (train, val)
    assert split_by_image(names, val_fraction=0.3, seed=5) != (train, val)
    assert sorted(train + val) == names


def test_camvid_mmseg_layout_and_dataset(tmp_path):
    raw = write_camvid_raw(tmp_path / 'raw', images={'train': 3, 'val': 2, 'test': 1})
    counts = camvid.convert(raw, tmp_path / 'out')
    assert {s: c['images'] for s, c in counts.items()} == {'train': 3, 'val': 2, 'test': 1}
    label = np.asarray(Image.open(tmp_path / 'out' / 'ann_dir' / 'val' / '0001TP_000000.png'))
    raw_label = np.asarray(Image.open(raw / 'valannot' / '0001TP_000000.png'))
    assert (label[raw_label == 11] == 255).all() and (label[raw_label != 11] ==
                                                      raw_label[raw_label != 11]).all()
    assert counts['train']['pixels_per_class']['void'] > 0
    assert camvid_dataset.CamVidDataset.METAINFO['classes'][0] == 'Sky'  # registers it
    dataset, sample = _build_dataset('mmseg', dict(
        type='CamVidDataset', data_root=str(tmp_path / 'out'),
        data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'),
        pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                  dict(type='PackSegInputs')]))
    assert len(dataset) == 3
    assert len(dataset.metainfo['classes']) == 11 and len(dataset.metainfo['palette']) == 11
    values = set(np.unique(sample['data_samples'].gt_sem_seg.data.numpy()).tolist())
    assert 255 in values and values <= set(range(11)) | {255}


def test_camvid_converts_the_splits_present(tmp_path):
    raw = write_camvid_raw(tmp_path / 'raw', images={'train': 2, 'test': 1})
    counts = camvid.convert(raw, tmp_path / 'out')
    assert sorted(counts) == ['test', 'train']
    assert sorted(p.name for p in (tmp_path / 'out' / 'img_dir').iterdir()) == ['test', 'train']


def test_lspet_coco_keypoints(lspet_out):
    raw, out, counts = lspet_out
    from scipy.io import loadmat

    joints = loadmat(raw / 'joints.mat')['joints']
    train = COCO(str(out / 'annotations' / 'lspet_train.json'))
    val = COCO(str(out / 'annotations' / 'lspet_val.json'))
    assert (len(train.getImgIds()), len(val.getImgIds())) == (8, 2)
    assert counts['train']['images'] == 8 and counts['skipped_fewer_than_2_joints'] == []
    assert len(train.loadCats(1)[0]['keypoints']) == 14
    for coco in (train, val):
        for annotation in coco.loadAnns(coco.getAnnIds()):
            column = joints[:, :, annotation['image_id'] - 1]  # im00007 is column 6
            keypoints = np.array(annotation['keypoints']).reshape(14, 3)
            labelled = column[:, 2] == 1
            assert (keypoints[labelled, 2] == 2).all()
            assert (keypoints[~labelled] == 0).all()  # placeholders become "not labelled"
            assert np.allclose(keypoints[labelled, :2], column[labelled, :2], atol=0.01)
            x, y, w, h = annotation['bbox']
            inside = keypoints[labelled, :2]
            assert (inside >= [x, y]).all() and (inside <= [x + w, y + h]).all()
            assert annotation['num_keypoints'] == labelled.sum()
    assert (~(joints[:, 2, :] == 1)).any()  # the generator did hide some joints


def test_mmpose_builds_lspet_with_the_metainfo(lspet_out):
    _, out, _ = lspet_out
    dataset, sample = _build_dataset('mmpose', dict(
        type='CocoDataset', data_root=str(out), data_mode='topdown',
        ann_file='annotations/lspet_train.json', data_prefix=dict(img='images/'),
        metainfo=dict(from_file=lspet.METAINFO_FILE),
        pipeline=[dict(type='LoadImage'), dict(type='GetBBoxCenterScale'),
                  dict(type='PackPoseInputs')]))
    meta = dataset.metainfo
    assert len(dataset) == 8 and meta['num_keypoints'] == 14
    assert meta['dataset_name'] == 'lsp'
    # right ankle <-> left ankle, ..., right shoulder <-> left shoulder; neck, head top fixed
    assert meta['flip_indices'] == [5, 4, 3, 2, 1, 0, 11, 10, 9, 8, 7, 6, 12, 13]
    assert len(meta['sigmas']) == 14 and len(meta['dataset_keypoint_weights']) == 14
    assert sample['data_samples'].gt_instances.keypoints.shape == (1, 14, 2)


def test_cli_converts_and_refuses_to_overwrite(tmp_path, capsys):
    raw = write_lspet_raw(tmp_path / 'raw', images=5)
    out = tmp_path / 'out'
    assert cli_main(['data', 'lspet', str(raw), '--out', str(out), '--json']) == 0
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (counts['train']['images'], counts['val']['images']) == (4, 1)
    with pytest.raises(SystemExit) as stop:
        cli_main(['data', 'lspet', str(raw), '--out', str(out)])
    assert stop.value.code == 2 and '--overwrite' in capsys.readouterr().err
    assert cli_main(['data', 'lspet', str(raw), '--out', str(out), '--overwrite',
                     '--val-fraction', '0.4']) == 0
    assert json.loads((out / 'conversion.json').read_text())['counts']['val']['images'] == 2


def test_bad_input_names_the_file(tmp_path):
    raw = write_pennfudan_raw(tmp_path / 'pf', images=3)
    empty = raw / 'PedMasks' / sorted((raw / 'PedMasks').iterdir())[0].name
    Image.new('L', Image.open(empty).size, 0).save(empty)
    with pytest.raises(ValueError, match=f'{empty}: the mask holds no instance'):
        pennfudan.convert(raw, tmp_path / 'out_pf')
    assert not (tmp_path / 'out_pf').exists()  # nothing written before the input is checked
    (raw / 'PedMasks').rename(raw / 'masks')
    with pytest.raises(FileNotFoundError, match='PedMasks: no such folder'):
        pennfudan.convert(raw, tmp_path / 'out_pf')

    lsp = write_lspet_raw(tmp_path / 'lsp', images=4)
    Image.new('RGB', (8, 8)).save(lsp / 'images' / 'im00009.jpg')  # beyond the 4 columns
    with pytest.raises(ValueError, match=r'joints.mat holds joints for 4 images, but .*'
                                         r'im00009.jpg needs column 9'):
        lspet.convert(lsp, tmp_path / 'out_lsp')

    with pytest.raises(FileNotFoundError, match='none of the split folders'):
        camvid.convert(tmp_path / 'lsp', tmp_path / 'out_cv')


def test_cli_bad_input_exits_2(tmp_path, capsys):
    raw = write_camvid_raw(tmp_path / 'raw', images={'train': 2})
    missing = sorted((raw / 'trainannot').iterdir())[0]
    missing.unlink()
    with pytest.raises(SystemExit) as stop:
        cli_main(['data', 'camvid', str(raw), '--out', str(tmp_path / 'out')])
    assert stop.value.code == 2
    assert f'{missing}: no such file' in capsys.readouterr().err


def test_cli_names_a_truncated_png(tmp_path, capsys):
    # A download stopped after 3,000 bytes: the header (and so the size) still reads, so
    # only decoding the pixels finds it, here rather than later inside mmdet.
    raw = write_pennfudan_raw(tmp_path / 'raw', images=3)
    cut = sorted((raw / 'PNGImages').iterdir())[1]
    cut.write_bytes(cut.read_bytes()[:3000])
    with Image.open(cut) as header_only:
        assert header_only.size == (96, 80)
    with pytest.raises(SystemExit) as stop:
        cli_main(['data', 'pennfudan', str(raw), '--out', str(tmp_path / 'out')])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f'{cut}: not a readable image' in err and 'copy it again' in err
    assert not (tmp_path / 'out').exists()


@pytest.mark.parametrize('dataset', ['pennfudan-mask', 'camvid-image', 'camvid-label',
                                     'lspet-image'])
def test_every_converter_decodes_each_image(tmp_path, dataset):
    name, kind = dataset.split('-')
    if name == 'pennfudan':
        raw = write_pennfudan_raw(tmp_path / 'raw', images=3)
        cut, convert = sorted((raw / 'PedMasks').iterdir())[0], pennfudan.convert
    elif name == 'camvid':
        raw = write_camvid_raw(tmp_path / 'raw', images={'train': 2})
        folder = 'train' if kind == 'image' else 'trainannot'
        cut, convert = sorted((raw / folder).iterdir())[0], camvid.convert
    else:
        raw = write_lspet_raw(tmp_path / 'raw', images=4)
        cut, convert = sorted((raw / 'images').iterdir())[0], lspet.convert
    data = cut.read_bytes()
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(UsageError, match=f'{cut}: not a readable image'):
        convert(raw, tmp_path / 'out')
    assert not (tmp_path / 'out').exists()
