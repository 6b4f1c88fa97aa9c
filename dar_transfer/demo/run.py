"""``dar-transfer demo``: the whole loop on generated data, end to end.

1. data: tiny sets in the real formats (ImageFolder, COCO instances and keypoints,
   Cityscapes);
2. pretrain a ResNet-18 three ways: the 100%-cost baseline, DaR, and the random
   control at DaR's cost (configs/demo/);
3. export each backbone and fine-tune detection, instance segmentation, pose and
   segmentation from each;
4. report: Markdown and HTML with plots, and a headline table on the terminal.

Each finished stage leaves a marker, so a rerun after an interruption skips what is
done and restarts the stage that was cut short from scratch.
"""
from __future__ import annotations

import argparse
import errno
import logging
import shutil
import time
from pathlib import Path

REPO_CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / 'demo'
VARIANTS = ('baseline', 'dar', 'random')
TASKS = ('det', 'inst', 'pose', 'seg')
HEADLINE = {'cls': 'top-1 err', 'det': 'box AP', 'inst': 'mask AP', 'pose': 'AP', 'seg': 'mIoU'}
logger = logging.getLogger('dar_transfer')

SIZES = {  # full demo, --quick
    'classes': (8, 4), 'cls_train': (60, 12), 'cls_val': (15, 4), 'cls_size': (72, 40),
    'coco': ({'train': 24, 'val': 8}, {'train': 6, 'val': 3}),
    'cityscapes': ({'train': 12, 'val': 4}, {'train': 4, 'val': 2}),
    'finetune_epochs': (6, 1), 'seg_iters': (60, 4),
}


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'demo', help='run the whole loop on generated data',
        description='Generate tiny data sets, pretrain (baseline, DaR, random control), '
                    'export, fine-tune four downstream tasks and write the report.')
    parser.add_argument('--out', default='work_dirs/demo', help='output folder')
    parser.add_argument('--quick', action='store_true', help='a seconds-scale version')
    parser.set_defaults(func=main)
    return parser


class Progress:
    """Prints the stage, elapsed time and an ETA from the stages' expected weights."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = weights
        self.start = time.monotonic()
        self.done = 0.0  # weight of the stages run in this invocation
        self.skipped = 0.0  # weight of the stages an earlier invocation finished

    def skip(self, stage: str) -> None:
        self.skipped += self.weights[stage]

    def begin(self, stage: str) -> None:
        elapsed = time.monotonic() - self.start
        remaining = sum(self.weights.values()) - self.done - self.skipped
        eta = '' if not self.done else f', about {elapsed / self.done * remaining:.0f} s to go'
        index = list(self.weights).index(stage) + 1
        logger.info('[demo %d/%d] %s (%.0f s elapsed%s)', index, len(self.weights), stage,
                    elapsed, eta)

    def end(self, stage: str) -> None:
        self.done += self.weights[stage]


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


def pretrain_options(data: Path, quick: bool, variant: str) -> list[str]:
    options = ['log_level=WARNING', f'experiment_name=demo-pretrain-{variant}']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options.append(f'{loader}.dataset.data_root={data}')
    if quick:
        # Small batches and a gentle lr: enough BatchNorm updates for running statistics
        # that the frozen-BN detection backbones can use.
        options += ['model.num_classes=4', 'train_cfg.max_epochs=3', 'train_cfg.val_interval=3',
                    'param_scheduler.milestones=[2]', 'train_dataloader.batch_size=4',
                    'optim_wrapper.optimizer.lr=0.01',
                    'train_dataloader.dataset.pipeline.1.size=32',
                    'val_dataloader.dataset.pipeline.1.size=36',
                    'val_dataloader.dataset.pipeline.2.crop_size=32']
        if variant != 'baseline':
            options += ['train_dataloader.sampler.warmup_epochs=1',
                        'train_dataloader.sampler.keep_ratio=0.5',
                        'train_dataloader.sampler.refresh_epochs=[]']
    return options


def run_stage(cli, argv: list[str]) -> None:
    code = cli(argv)
    if code:
        raise RuntimeError(f'dar-transfer {" ".join(argv[:2])} exited with {code}')


def headline_table(report_json: dict) -> str:
    lines = [f'{"task":<6} {"metric":<10} ' + ' '.join(f'{v:>18}' for v in VARIANTS)]
    for table in report_json['tables']:
        metric = HEADLINE[table['task']]
        cells = []
        for variant in VARIANTS:
            row = next((r for r in table['rows'] if r['variant'] == variant), None)
            value = None if row is None else row['metrics'][metric]['mean']
            cost = None if row is None else row['cost']
            cells.append('missing' if value is None else
                         f'{value:6.2f} @ cost {cost:.2f}' if cost is not None else f'{value:.2f}')
        lines.append(f'{table["task"]:<6} {metric:<10} ' + ' '.join(f'{c:>18}' for c in cells))
    return '\n'.join(lines)


def main(args: argparse.Namespace) -> int:
    import json

    from ..cli import main as cli

    out = Path(args.out)
    _check_writable(out)
    markers = out / '.stages'
    markers.mkdir(exist_ok=True)
    stages = ['data', *(f'pretrain {v}' for v in VARIANTS), 'export',
              *(f'finetune {v}' for v in VARIANTS), 'report']
    weights = {s: 3.0 if s.startswith(('pretrain', 'finetune')) else 0.3 for s in stages}
    progress = Progress(weights)
    roots = data_roots(out)
    try:
        for stage in stages:
            marker = markers / stage.replace(' ', '-')
            if marker.exists():
                progress.skip(stage)
                continue
            progress.begin(stage)
            kind, _, variant = stage.partition(' ')
            if kind == 'data':
                shutil.rmtree(out / 'data', ignore_errors=True)
                make_data(out, args.quick)
            elif kind == 'pretrain':
                work_dir = out / 'pretrain' / variant
                shutil.rmtree(work_dir, ignore_errors=True)  # a cut-short stage restarts
                suffix = '' if variant == 'baseline' else f'_{variant}'
                run_stage(cli, ['pretrain', str(REPO_CONFIGS / f'resnet18_pretrain_toy{suffix}.py'),
                                '--work-dir', str(work_dir), '--cfg-options',
                                *pretrain_options(roots['cls'], args.quick, variant)])
            elif kind == 'export':
                for name in VARIANTS:
                    checkpoint = sorted((out / 'pretrain' / name).glob('epoch_*.pth'))[-1]
                    run_stage(cli, ['export', str(checkpoint), '--name', f'demo_r18_{name}',
                                    '--out', str(out / 'checkpoints'), '--variant', name])
            elif kind == 'finetune':
                from .toy_configs import write_toy_config

                for task in TASKS:
                    generated = out / 'checkpoints' / f'demo_r18_{variant}_{task}.py'
                    length = _size('seg_iters' if task == 'seg' else 'finetune_epochs',
                                   args.quick)
                    toy = write_toy_config(task, generated, roots[task], length=length)
                    work_dir = out / 'finetune' / task / variant
                    shutil.rmtree(work_dir, ignore_errors=True)
                    run_stage(cli, ['finetune', str(toy), '--work-dir', str(work_dir),
                                    '--cfg-options', 'log_level=WARNING',
                                    f'experiment_name=demo-{task}-{variant}'])
            else:
                report = out / 'report'
                run_stage(cli, ['report', str(out / 'pretrain'), str(out / 'finetune'),
                                '--out', str(report / 'report.md'),
                                '--plots', str(report / 'plots')])
                run_stage(cli, ['report', str(out / 'pretrain'), str(out / 'finetune'),
                                '--format', 'html', '--out', str(report / 'report.html')])
                run_stage(cli, ['report', str(out / 'pretrain'), str(out / 'finetune'),
                                '--format', 'json', '--out', str(report / 'report.json')])
            marker.touch()
            progress.end(stage)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise OSError(error.errno, f'the disk is full while writing under {out}; free '
                                       'space and rerun the demo: finished stages are kept') \
                from error
        raise
    headline = headline_table(json.loads((out / 'report' / 'report.json').read_text()))
    elapsed = time.monotonic() - progress.start
    print(f'\nHeadline (mean over runs; err = 100 - accuracy):\n{headline}\n')
    print(f'Report: {out / "report" / "report.md"} and {out / "report" / "report.html"} '
          f'({elapsed:.0f} s this run)')
    return 0
