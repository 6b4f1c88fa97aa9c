"""``dar-transfer demo``: the whole loop on generated data, end to end, as a campaign.

1. data: tiny sets in the real formats (ImageFolder, COCO instances and keypoints,
   Cityscapes), generated in this process;
2. the built-in campaign (``configs/campaigns/demo.py``) with the local executor: a
   ResNet-18 pretrained three ways (the 100%-cost baseline, DaR, and the random control
   at DaR's cost), each exported and fine-tuned on detection, instance segmentation,
   pose and segmentation, then the report (Markdown, HTML with plots, JSON);
3. the headline table on the terminal.

Unlike a plain ``campaign run``, the demo writes the data, the toy layers the
fine-tunings append to the exported configs, and the manifest with this run's folder
and sizes (``OUT/manifest.py``) first. Each job is the verb a user would type, run as a
subprocess with its log in ``OUT/logs/`` and its record in ``OUT/jobs/``, so a rerun
after an interruption keeps the jobs that finished and runs the others.
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import pprint
import shutil
import sys
import textwrap
import time
from pathlib import Path

from ..errors import UsageError
from ..utils.packaged_configs import config_path

# The built-in manifest, from the checkout's configs/ or the wheel's packaged copy.
MANIFEST = 'campaigns/demo.py'
TASKS = ('det', 'inst', 'pose', 'seg')
LINE = '{:<36} {}'  # the campaign display's line: job (or data), then what became of it

# Full demo, --quick. The full sizes keep the demo within about 4 minutes on 2 cores
# of the slower machine we measured (docs/get-started/install.md); --quick is for tests.
SIZES = {
    'classes': (8, 4), 'cls_train': (40, 12), 'cls_val': (15, 4), 'cls_size': (40, 40),
    'coco': ({'train': 16, 'val': 6}, {'train': 6, 'val': 3}),
    'cityscapes': ({'train': 8, 'val': 4}, {'train': 4, 'val': 2}),
    'finetune_epochs': (3, 1), 'seg_iters': (24, 4),
}
DATA_SIZES = ('classes', 'cls_train', 'cls_val', 'cls_size', 'coco', 'cityscapes')


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'demo', help='run the whole loop on generated data',
        description='Generate tiny data sets, pretrain (baseline, DaR, random control), '
                    'export, fine-tune four downstream tasks and write the report, as the '
                    'built-in campaign configs/campaigns/demo.py.')
    parser.add_argument('--out', default='work_dirs/demo',
                        help='output folder: the data and the campaign folder (logs/, jobs/)')
    parser.add_argument('--quick', action='store_true', help='a seconds-scale version')
    parser.add_argument('--jobs', type=int, default=None,
                        help='jobs at a time (default: one per visible GPU, else two when '
                             'the machine has two cores or more, each with half of them)')
    parser.set_defaults(func=main)
    return parser


def default_jobs() -> int:
    """One job per GPU; on a CPU, two jobs of one thread each beat one of two threads
    (the toy runs are too small to use two cores well, and each job's start-up, mostly
    imports, overlaps the other's work)."""
    from ..campaign.local import visible_gpus

    gpus = visible_gpus()
    return len(gpus) if gpus else min(2, os.cpu_count() or 1)


def _size(key: str, quick: bool):
    return SIZES[key][1 if quick else 0]


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / '.write-test'
        probe.write_text('ok')
        probe.unlink()
    except OSError as error:
        raise PermissionError(f'cannot write to the demo output folder {out}: {error.strerror}; '
                              'choose another with --out') from error


def make_data(out: Path, quick: bool) -> dict[str, Path]:
    from .classification_data import write_image_folder
    from .downstream_data import write_cityscapes, write_coco_instances, write_coco_keypoints

    data = out / 'data'
    return {
        'cls': write_image_folder(
            data / 'imagenet', num_classes=_size('classes', quick),
            per_class={'train': _size('cls_train', quick), 'val': _size('cls_val', quick)},
            size=_size('cls_size', quick)),
        'det': write_coco_instances(data / 'coco', images=_size('coco', quick)),
        'pose': write_coco_keypoints(data / 'coco_keypoints', images=_size('coco', quick)),
        'seg': write_cityscapes(data / 'cityscapes', images=_size('cityscapes', quick)),
    }


def data_roots(out: Path) -> dict[str, Path]:
    data = out / 'data'
    return {'cls': data / 'imagenet', 'det': data / 'coco', 'inst': data / 'coco',
            'pose': data / 'coco_keypoints', 'seg': data / 'cityscapes'}


def prepare_data(out: Path, quick: bool) -> bool:
    """Generate the data sets unless all of them, at these sizes, are there already
    (``data/sizes.json`` is written last); returns whether it generated them.

    The generators are seeded, so the data of a rerun would be the same bytes; keeping
    it leaves the files alone that another demo's jobs may be reading.
    """
    stamp = out / 'data' / 'sizes.json'
    sizes = json.dumps({key: _size(key, quick) for key in DATA_SIZES}, sort_keys=True)
    if stamp.is_file() and stamp.read_text() == sizes:
        return False
    shutil.rmtree(out / 'data', ignore_errors=True)
    make_data(out, quick)
    stamp.write_text(sizes)
    return True


def pretrain_options(data: Path, quick: bool, variant: str) -> dict:
    """A demo pretraining's cfg_options: the data root and, with ``quick``, smaller sizes."""
    options = {f'{loader}.dataset.data_root': str(data)
               for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')}
    if quick:
        # Small batches and a gentle lr: enough BatchNorm updates for running statistics
        # that the frozen-BN detection backbones can use.
        options.update({
            'model.num_classes': 4, 'train_cfg.max_epochs': 3, 'train_cfg.val_interval': 3,
            'param_scheduler.milestones': [2], 'train_dataloader.batch_size': 4,
            'optim_wrapper.optimizer.lr': 0.01, 'train_dataloader.dataset.pipeline.1.size': 32,
            'val_dataloader.dataset.pipeline.1.size': 36,
            'val_dataloader.dataset.pipeline.2.crop_size': 32})
        if variant != 'baseline':
            options.update({'train_dataloader.sampler.warmup_epochs': 1,
                            'train_dataloader.sampler.keep_ratio': 0.5,
                            'train_dataloader.sampler.refresh_epochs': []})
    return options


def write_overlays(out: Path, quick: bool) -> None:
    """``OUT/overlays/<task>.py``: the toy layer each fine-tuning appends to its config."""
    from .toy_configs import toy_overlay

    folder = out / 'overlays'
    folder.mkdir(parents=True, exist_ok=True)
    for task in TASKS:
        length = _size('seg_iters' if task == 'seg' else 'finetune_epochs', quick)
        text = toy_overlay(task, data_roots(out)[task], length=length, validate=False)
        path = folder / f'{task}.py'
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)


def write_manifest(out: Path, quick: bool) -> Path:
    """``OUT/manifest.py``: the built-in manifest with this run's folder, data and sizes."""
    from mmengine.config import Config

    template = config_path(MANIFEST)
    fields = {key: value for key, value in Config.fromfile(str(template)).to_dict().items()
              if not key.startswith('_')}
    fields['folder'] = str(out)
    data = data_roots(out)['cls']
    for variant in fields['variants']:
        variant['config'] = os.path.normpath(variant['config'])
        variant['cfg_options'] = {**variant.get('cfg_options', {}),
                                  **pretrain_options(data, quick, variant['name'])}
    path = out / 'manifest.py'
    path.write_text(f'# Written by `dar-transfer demo{" --quick" if quick else ""}` from '
                    f'{template}.\n' + ''.join(
                        f'{k} = {pprint.pformat(v, width=88, sort_dicts=False)}\n'
                        for k, v in fields.items()))
    return path


def summary_text(out: Path, seconds: float) -> str:
    """The smoke-run label, the headline table, and where the report and logs are."""
    from ..report.headline import Headline, HeadlineRow, to_text

    saved = json.loads((out / 'report' / 'report.json').read_text())['headline']
    headline = Headline(saved['generated_data'], [HeadlineRow(**row) for row in saved['rows']])
    label = textwrap.fill(headline.label, width=88) if headline.label else ''
    return '\n'.join([
        '', label, '', to_text(headline), '',
        f'Report: {out / "report" / "report.html"} (and report.md, plots/)',
        f'Logs:   {out / "logs"}/ (one file per job)',
        f'Jobs:   dar-transfer campaign status {out / "manifest.py"}',
        f'Took {seconds // 60:.0f} min {seconds % 60:.0f} s in this run.'])


def unfinished_text(out: Path, statuses: dict) -> str:
    """What did not finish, the first reason, and how to resume."""
    left = [s for s in statuses.values() if s.state != 'done']
    first = next((s for s in left if s.state == 'failed'), left[0])
    why = first.reason.splitlines()[0] if first.reason else first.state
    return (f'dar-transfer demo: {len(left)} of {len(statuses)} jobs did not finish '
            f'({first.job.key}: {why}); the logs are in {out / "logs"}/. Rerun the same '
            'command to run only those.')


def run_campaign(out: Path, quick: bool, jobs: int) -> dict:
    """Data, overlays and manifest, then the campaign; returns its job statuses."""
    from ..campaign import engine
    from ..campaign.display import Progress
    from ..campaign.forked import available, start_server
    from ..campaign.manifest import load_manifest

    started = time.monotonic()
    if available():
        start_server()  # the jobs' server loads the libraries while the data is written
    if prepare_data(out, quick):
        print(LINE.format('data', f'done in {time.monotonic() - started:5.0f} s'), flush=True)
    else:
        print(LINE.format('data', 'done earlier (kept)'), flush=True)
    # The campaign folder by its absolute path: a job config names its _base_ (the
    # exported config) by path, and mmengine reads a relative one from the config's own
    # folder, not from here (make demo's --out work_dirs/demo is relative).
    folder = out.resolve()
    write_overlays(folder, quick)
    manifest = load_manifest(write_manifest(folder, quick))
    return engine.run(manifest, jobs=jobs,
                      display_factory=lambda s, n: Progress(s, sys.stdout, parallel=n))


def main(args: argparse.Namespace) -> int:
    from ..campaign.state import CampaignLocked

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f'--jobs must be >= 1, got {args.jobs}')
    out = Path(args.out)
    _check_writable(out)
    started = time.monotonic()
    try:
        statuses = run_campaign(out, args.quick, args.jobs or default_jobs())
    except CampaignLocked as error:
        print(f'dar-transfer demo: error: {error}', file=sys.stderr)
        return 1
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise OSError(error.errno, f'the disk is full while writing under {out}; free '
                                       'space and rerun the demo: finished jobs are kept') \
                from error
        raise
    if any(s.state != 'done' for s in statuses.values()):
        print(unfinished_text(out, statuses), file=sys.stderr)
        return 1
    print(summary_text(out, time.monotonic() - started))
    return 0
