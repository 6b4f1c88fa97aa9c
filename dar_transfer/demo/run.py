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
import json
import shutil
import sys
import textwrap
import time
from pathlib import Path

from .progress import StageDisplay
from .stage_output import StageSink, captured

REPO_CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / 'demo'
VARIANTS = ('baseline', 'dar', 'random')
TASKS = ('det', 'inst', 'pose', 'seg')
STAGES = ['data', *(f'pretrain {v}' for v in VARIANTS), 'export',
          *(f'finetune {v}' for v in VARIANTS), 'report']
# Each stage's share of the demo's wall time, measured on 2 cores: the weights of the
# overall progress line (each stage's own ETA is measured as it runs).
STAGE_WEIGHTS = dict.fromkeys(STAGES, 1.0)

# Full demo, --quick. The full sizes keep the demo within about 4 minutes on 2 cores
# of the slower machine we measured (README); --quick is for tests.
SIZES = {
    'classes': (8, 4), 'cls_train': (40, 12), 'cls_val': (15, 4), 'cls_size': (40, 40),
    'coco': ({'train': 16, 'val': 6}, {'train': 6, 'val': 3}),
    'cityscapes': ({'train': 8, 'val': 4}, {'train': 4, 'val': 2}),
    'finetune_epochs': (3, 1), 'seg_iters': (24, 4),
}


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'demo', help='run the whole loop on generated data',
        description='Generate tiny data sets, pretrain (baseline, DaR, random control), '
                    'export, fine-tune four downstream tasks and write the report.')
    parser.add_argument('--out', default='work_dirs/demo', help='output folder')
    parser.add_argument('--quick', action='store_true', help='a seconds-scale version')
    parser.add_argument('--verbose', action='store_true',
                        help='also show the libraries\' output (always in OUT/logs/)')
    parser.set_defaults(func=main)
    return parser


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


def pretrain_options(data: Path, quick: bool, variant: str) -> dict:
    options = {'log_level': 'WARNING', 'experiment_name': f'demo-pretrain-{variant}'}
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options[f'{loader}.dataset.data_root'] = str(data)
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


def with_progress(cfg):
    """Add the hook that feeds the stage's progress bar."""
    cfg.custom_hooks = [*cfg.get('custom_hooks', []), dict(type='StageProgressHook')]
    return cfg


def run_pretrain(out: Path, variant: str, quick: bool) -> None:
    from ..pretrain.train import run
    from ..utils.runner_setup import build_config, finish_config

    work_dir = out / 'pretrain' / variant
    shutil.rmtree(work_dir, ignore_errors=True)  # a cut-short stage restarts
    suffix = '' if variant == 'baseline' else f'_{variant}'
    config = str(REPO_CONFIGS / f'resnet18_pretrain_toy{suffix}.py')
    cfg = build_config(config, pretrain_options(data_roots(out)['cls'], quick, variant),
                       work_dir=str(work_dir))
    run(finish_config(with_progress(cfg), resume=None, amp=False, launcher='none'), config)


def run_finetune(out: Path, variant: str, task: str, quick: bool) -> None:
    from ..finetune.cli import load_config, run
    from .toy_configs import write_toy_config

    generated = out / 'checkpoints' / f'demo_r18_{variant}_{task}.py'
    length = _size('seg_iters' if task == 'seg' else 'finetune_epochs', quick)
    toy = write_toy_config(task, generated, data_roots(out)[task], length=length,
                           validate=False)
    work_dir = out / 'finetune' / task / variant
    shutil.rmtree(work_dir, ignore_errors=True)
    args = argparse.Namespace(
        config=str(toy), work_dir=str(work_dir), resume=None, amp=False, launcher='none',
        cfg_options={'log_level': 'WARNING', 'experiment_name': f'demo-{task}-{variant}'})
    run(with_progress(load_config(args)), str(toy))


def run_cli(argv: list[str]) -> None:
    """Run a verb in this process; its errors propagate to the demo's own handler.

    The parser holds only the verbs the demo runs, so the demo does not import the
    top-level CLI, which imports the demo.
    """
    from ..export import cli as export_cli
    from ..report import cli as report_cli

    parser = argparse.ArgumentParser(prog='dar-transfer')
    verbs = parser.add_subparsers(dest='verb', required=True)
    export_cli.add_parser(verbs)
    report_cli.add_parser(verbs)
    args = parser.parse_args(argv)
    code = args.func(args)
    if code:
        raise RuntimeError(f'dar-transfer {" ".join(argv[:2])} exited with {code}')


def write_report(out: Path) -> None:
    report, sources = out / 'report', [str(out / 'pretrain'), str(out / 'finetune')]
    run_cli(['report', *sources, '--out', str(report / 'report.md'),
             '--plots', str(report / 'plots')])
    run_cli(['report', *sources, '--format', 'html', '--out', str(report / 'report.html')])
    run_cli(['report', *sources, '--format', 'json', '--out', str(report / 'report.json')])


def run_stage(stage: str, out: Path, quick: bool, display: StageDisplay) -> None:
    kind, _, variant = stage.partition(' ')
    if kind == 'data':
        shutil.rmtree(out / 'data', ignore_errors=True)
        make_data(out, quick)
    elif kind == 'pretrain':
        run_pretrain(out, variant, quick)
    elif kind == 'export':
        for name in VARIANTS:
            checkpoint = sorted((out / 'pretrain' / name).glob('epoch_*.pth'))[-1]
            run_cli(['export', str(checkpoint), '--name', f'demo_r18_{name}',
                     '--out', str(out / 'checkpoints'), '--variant', name])
    elif kind == 'finetune':
        for index, task in enumerate(TASKS):
            if index:
                display.next_unit()
            run_finetune(out, variant, task, quick)
    else:
        write_report(out)


def summary_text(out: Path, seconds: float) -> str:
    """The smoke-run label, the headline table, and where the report and logs are."""
    from ..report.headline import Headline, HeadlineRow, to_text

    saved = json.loads((out / 'report' / 'report.json').read_text())['headline']
    headline = Headline(saved['generated_data'], [HeadlineRow(**row) for row in saved['rows']])
    label = textwrap.fill(headline.label, width=88) if headline.label else ''
    return '\n'.join([
        '', label, '', to_text(headline), '',
        f'Report: {out / "report" / "report.html"} (and report.md, plots/)',
        f'Logs:   {out / "logs"}/ (one file per stage)',
        f'Took {seconds // 60:.0f} min {seconds % 60:.0f} s in this run.'])


def main(args: argparse.Namespace) -> int:
    out = Path(args.out)
    _check_writable(out)
    markers = out / '.stages'
    markers.mkdir(exist_ok=True)
    terminal = sys.stdout
    sink = StageSink(terminal, verbose=args.verbose)
    started = time.monotonic()
    try:
        with captured(sink), StageDisplay(STAGE_WEIGHTS, terminal) as display:
            for stage in STAGES:
                marker = markers / stage.replace(' ', '-')
                if marker.exists():
                    display.skip(stage)
                    continue
                display.begin(stage, units=len(TASKS) if stage.startswith('finetune') else 1)
                log_file = out / 'logs' / f'{stage.replace(" ", "-")}.log'
                try:
                    with sink.stage(log_file):
                        run_stage(stage, out, args.quick, display)
                except Exception as error:
                    error.add_note(f'the full output of this stage is in {log_file}')
                    raise
                display.end()
                marker.touch()
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise OSError(error.errno, f'the disk is full while writing under {out}; free '
                                       'space and rerun the demo: finished stages are kept') \
                from error
        raise
    print(summary_text(out, time.monotonic() - started), file=terminal)
    return 0
