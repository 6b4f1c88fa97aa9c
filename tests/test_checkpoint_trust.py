"""A checkpoint never runs code: crafted files are refused by every verb that reads one,
and the checkpoints that dar-transfer and the libraries write still load."""
import io
import json
import pickletools
import shutil
import zipfile
from pathlib import Path

import pytest
import torch
from hostile_checkpoints import HOSTILE, extra_state_history_buffer_checkpoint
from mmengine.config import Config

from dar_transfer.cli import main
from dar_transfer.demo.classification_data import write_image_folder
from dar_transfer.utils.checkpoint_loading import UntrustedCheckpointError, load_checkpoint

TOY_DAR = 'configs/demo/resnet18_pretrain_toy_dar.py'


def run_cli(argv, capsys):
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code, capsys.readouterr().err


def pickle_globals(path) -> set[str]:
    """Every global the checkpoint's pickle names, read with pickletools (no unpickling)."""
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith('/data.pkl'))
        stream = io.BytesIO(archive.read(name))
    # Protocol 2 spells the builtins module Python 2's way.
    return {arg.replace(' ', '.').replace('__builtin__.', 'builtins.')
            for op, arg, _ in pickletools.genops(stream) if op.name == 'GLOBAL'}


@pytest.fixture(scope='module')
def toy_images(tmp_path_factory):
    root = tmp_path_factory.mktemp('trust-data') / 'images'
    write_image_folder(root, num_classes=8, per_class={'train': 4, 'val': 1}, size=32)
    return root


def verb_argv(verb, crafted, tmp_path, toy_images):
    work = str(tmp_path / 'work')
    if verb == 'pretrain':
        return ['pretrain', TOY_DAR, '--work-dir', work, '--resume', str(crafted)]
    if verb == 'export':
        return ['export', str(crafted), '--name', 'x', '--out', work]
    if verb == 'features':
        return ['features', str(crafted), '--arch', 'resnet18', '--data-root', str(toy_images),
                '--split', 'val', '--out', work]
    config = tmp_path / 'det.py'  # any mmdet-scoped config: the check comes before building
    config.write_text("default_scope = 'mmdet'\nmodel = dict(type='FasterRCNN')\n")
    return ['finetune', str(config), '--work-dir', work,
            '--cfg-options', f'load_from={crafted}']


@pytest.mark.parametrize('verb', ['pretrain', 'export', 'features', 'finetune'])
@pytest.mark.parametrize('attack', list(HOSTILE))
def test_a_crafted_checkpoint_is_refused_and_runs_nothing(attack, verb, tmp_path, toy_images,
                                                          capsys):
    marker = tmp_path / 'pwned.txt'
    crafted = HOSTILE[attack](tmp_path / 'epoch_12.pth', marker)
    code, err = run_cli(verb_argv(verb, crafted, tmp_path, toy_images), capsys)
    assert code == 2
    assert str(crafted) in err and f'--trust-checkpoint {crafted}' in err
    refused = {'getattr-walk': "attribute '__self__'", 'os-system': 'needs posix.system',
               'history-buffer': "attribute '__self__'"}[attack]
    assert refused in err, err
    assert not marker.exists()
    assert not (tmp_path / 'work').exists() or not any((tmp_path / 'work').rglob('*.pth'))


def test_a_history_buffer_with_extra_state_is_refused(tmp_path):
    crafted = extra_state_history_buffer_checkpoint(tmp_path / 'hub.pth')
    with pytest.raises(UntrustedCheckpointError, match=r"unexpected state \['__reduce_ex__'\]"):
        load_checkpoint(crafted)


def test_trusting_one_file_loads_it_in_full(tmp_path, capsys, caplog):
    marker = tmp_path / 'ran.txt'
    crafted = HOSTILE['os-system'](tmp_path / 'mine.pth', marker)
    # The opt-in names the file: trusting another one loads nothing.
    code, err = run_cli(['export', str(crafted), '--name', 'x', '--out', str(tmp_path / 'o'),
                         '--trust-checkpoint', str(tmp_path / 'other.pth')], capsys)
    assert code == 2 and 'loads no such file' in err and not marker.exists()
    content = load_checkpoint(crafted, trusted=True)
    assert 'weights_only=False' in caplog.text
    assert marker.exists() and content['message_hub']['runtime_info']['note'] == 0


def test_the_allow_list_is_scoped_to_one_load(tmp_path):
    from mmengine.logging import MessageHub

    hub = MessageHub.get_instance('scoped-load')
    hub.update_scalar('train/loss', 1.0)
    path = tmp_path / 'mmengine.pth'
    torch.save({'state_dict': {}, 'message_hub': hub.state_dict()}, path)
    assert load_checkpoint(path)['message_hub']['log_scalars']['train/loss'].current() == 1.0
    with pytest.raises(Exception, match='HistoryBuffer|getattr'):
        torch.load(path, weights_only=True)  # the process keeps torch's own defaults


@pytest.fixture(scope='module')
def toy_dar_run(tmp_path_factory, toy_images):
    """A 6-epoch toy DaR run with a checkpoint after every epoch (drops after 3, 4 and 6).

    Its training images are not augmented: mmengine reseeds the global RNGs on resume,
    so random crops would differ from the uninterrupted run's, and so would the losses
    that pick the subsets."""
    root = tmp_path_factory.mktemp('trust-run')
    config = root / 'toy_dar_deterministic.py'
    config.write_text(f"_base_ = [{str(Path(TOY_DAR).resolve())!r}]\n"
                      "train_dataloader = dict(dataset=dict(pipeline={{_base_.test_pipeline}}))\n")
    work = root / 'whole'
    options = [f'train_dataloader.dataset.data_root={toy_images}',
               f'val_dataloader.dataset.data_root={toy_images}',
               f'test_dataloader.dataset.data_root={toy_images}',
               'train_cfg.max_epochs=6', 'train_cfg.val_interval=6',
               'default_hooks.checkpoint.interval=1', 'default_hooks.checkpoint.max_keep_ckpts=-1',
               'train_dataloader.sampler.refresh_epochs=[5]', 'param_scheduler.milestones=[5]']
    assert main(['pretrain', str(config), '--work-dir', str(work), '--cfg-options', *options]) == 0
    return work, config, options


def test_own_checkpoints_hold_only_what_torch_reads_by_default(toy_dar_run):
    from torch._weights_only_unpickler import _get_allowed_globals

    work, _, _ = toy_dar_run
    names = pickle_globals(work / 'epoch_3.pth')
    assert names and names <= set(_get_allowed_globals()), names - set(_get_allowed_globals())
    assert not {n for n in names if 'numpy' in n or 'getattr' in n or 'HistoryBuffer' in n}
    torch.load(work / 'epoch_3.pth', weights_only=True)  # no allow-list at all


def test_resume_mid_schedule_gives_the_same_subsets(toy_dar_run, tmp_path):
    work, config, options = toy_dar_run
    resumed = tmp_path / 'resumed'
    shutil.copytree(work, resumed, ignore=shutil.ignore_patterns('epoch_[456].pth', '2*'))
    log = [json.loads(line) for line in (resumed / 'dar_log.jsonl').read_text().splitlines()]
    (resumed / 'dar_log.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in log[:3]))
    assert main(['pretrain', str(config), '--work-dir', str(resumed), '--resume',
                 str(resumed / 'epoch_3.pth'), '--cfg-options', *options]) == 0
    whole_log = (work / 'dar_log.jsonl').read_text().splitlines()
    resumed_log = (resumed / 'dar_log.jsonl').read_text().splitlines()
    sizes = [(json.loads(a)['epoch'], json.loads(a)['subset_size']) for a in resumed_log]
    assert sizes == [(json.loads(a)['epoch'], json.loads(a)['subset_size']) for a in whole_log]
    assert len({size for _, size in sizes}) > 1  # the schedule dropped before the refresh
    final = [load_checkpoint(d / 'epoch_6.pth')['dar']['sampler'] for d in (work, resumed)]
    assert torch.equal(final[0]['subset'], final[1]['subset'])


@pytest.mark.slow
def test_finetune_loads_a_checkpoint_the_library_wrote(tmp_path):
    """mmdet's own runner (no dar-transfer hook) writes HistoryBuffers, numpy arrays and
    getattr references; finetune's load_from still reads it, through the checked list."""
    from mmengine.runner import Runner

    from dar_transfer.demo.downstream_data import write_coco_instances
    from dar_transfer.demo.toy_configs import write_toy_config
    from dar_transfer.utils.runner_setup import build_config

    torch.manual_seed(0)  # seeded init and runs: a toy detector that tests the same each time
    torch.save(__import__('torchvision').models.resnet18().state_dict(), tmp_path / 'r18.pth')
    assert main(['export', str(tmp_path / 'r18.pth'), '--name', 'r18', '--tasks', 'det',
                 '--out', str(tmp_path / 'ckpt')]) == 0
    data = write_coco_instances(tmp_path / 'coco', images={'train': 2, 'val': 1})
    config = write_toy_config('det', tmp_path / 'ckpt' / 'r18_det.py', data, length=1,
                              validate=False)
    library_cfg = build_config(str(config), {}, work_dir=str(tmp_path / 'library'))
    library_cfg.model.backbone.init_cfg = None
    library_cfg.randomness = dict(seed=0)
    Runner.from_cfg(library_cfg).train()
    written = tmp_path / 'library' / 'epoch_1.pth'
    assert {'builtins.getattr', 'mmengine.logging.history_buffer.HistoryBuffer'} <= \
        pickle_globals(written)
    assert main(['finetune', str(config), '--work-dir', str(tmp_path / 'ours'),
                 '--cfg-options', f'load_from={written}', 'randomness.seed=0']) == 0
    summary = json.loads((tmp_path / 'ours' / 'finetune_summary.json').read_text())
    assert 'coco/bbox_mAP' in summary['test']
    assert Config.fromfile(config).default_scope == 'mmdet'
