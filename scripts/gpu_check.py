"""``make gpu-check``: every stage of the loop once on one GPU, as a stage/seconds/status table.

Stages: DaR pretraining of a CIFAR ResNet-20 with AMP in float16 and in bfloat16
(channels-last, batched augmentation on the GPU), a ResNet-18 DaR pretraining with
AMP on the generated ImageNet-layout set, its export, the four downstream fine-tunings
(Faster R-CNN, Mask R-CNN, SimpleBaseline, PSPNet) for a few dozen iterations with AMP
on generated data, and the report. Each stage's library output goes to
``OUT/logs/<stage>.log``; the table is also written to ``OUT/gpu_check.json``.

On a machine without a GPU it says so and exits 0, so CI can call it.
``--cpu-smoke`` runs the same stages on the CPU without AMP at toy length, to test
this script where no GPU is at hand.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

CIFAR_CONFIG = 'configs/pretrain/cifar10/resnet110_1xb128-300e_cifar10_dar.py'


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='work_dirs/gpu_check', help='output folder')
    parser.add_argument('--cpu-smoke', action='store_true',
                        help='run on the CPU without AMP at toy length (tests this script)')
    return parser.parse_args(argv)


def pretrain(out: Path, name: str, config: str, options: dict, *, amp: bool,
             amp_dtype: str = 'float16') -> None:
    from dar_transfer.pretrain.train import run
    from dar_transfer.utils.runner_setup import build_config, finish_config

    cfg = build_config(config, {'log_level': 'WARNING', **options},
                       work_dir=str(out / 'pretrain' / name))
    run(finish_config(cfg, resume=None, amp=amp, launcher='none', amp_dtype=amp_dtype),
        config)


def finetune(out: Path, task: str, *, amp: bool, length: int) -> None:
    from dar_transfer.demo.run import data_roots
    from dar_transfer.demo.toy_configs import write_toy_config
    from dar_transfer.finetune.cli import load_config, run

    toy = write_toy_config(task, out / 'checkpoints' / f'gpu_check_r18_{task}.py',
                           data_roots(out)[task], length=length)
    args = argparse.Namespace(config=str(toy), work_dir=str(out / 'finetune' / task),
                              resume=None, amp=amp, amp_dtype='float16', launcher='none',
                              cfg_options={'log_level': 'WARNING'})
    run(load_config(args), str(toy))


def run_cli(argv: list[str]) -> None:
    """Run an export or report verb in this process; its errors propagate to the stage."""
    from dar_transfer.export import cli as export_cli
    from dar_transfer.report import cli as report_cli

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


def stages(out: Path, smoke: bool) -> dict:
    from dar_transfer.demo.classification_data import write_cifar_batches
    from dar_transfer.demo.run import data_roots, make_data
    from dar_transfer.utils.packaged_configs import config_path

    amp = not smoke
    cifar = out / 'data' / 'cifar10'
    cifar_options = {
        'model.arch': 'cifar_resnet20', 'train_cfg.max_epochs': 4, 'train_cfg.val_interval': 4,
        'train_dataloader.sampler.warmup_epochs': 1, 'train_dataloader.sampler.interval': 1,
        'train_dataloader.sampler.refresh_epochs': [3], 'train_dataloader.batch_size': 64,
        'train_dataloader.num_workers': 0, 'train_dataloader.persistent_workers': False,
        'val_dataloader.num_workers': 0, 'val_dataloader.persistent_workers': False,
        'train_dataloader.dataset.data_root': str(cifar),
        'val_dataloader.dataset.data_root': str(cifar),
        'test_dataloader.dataset.data_root': str(cifar),
        'param_scheduler.milestones': [3, 4]}
    toy = str(config_path('demo/resnet18_pretrain_toy_dar.py'))
    toy_options = {f'{loader}.dataset.data_root': str(data_roots(out)['cls'])
                   for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')}
    if smoke:
        # Without AMP the fp16 and bf16 runs are the same run, so each is kept to two
        # epochs: warm-up, then one DaR epoch (a third of the smoke's time otherwise).
        cifar_options.update({'train_cfg.max_epochs': 2, 'train_cfg.val_interval': 2,
                              'train_dataloader.sampler.refresh_epochs': [],
                              'param_scheduler.milestones': [1, 2]})
        toy_options.update({'train_cfg.max_epochs': 3, 'train_cfg.val_interval': 3,
                            'train_dataloader.sampler.refresh_epochs': [2],
                            'param_scheduler.milestones': [2]})
    checkpoint = out / 'pretrain' / 'r18_dar_amp'

    def export() -> None:
        run_cli(['export', str(sorted(checkpoint.glob('epoch_*.pth'))[-1]),
                 '--name', 'gpu_check_r18', '--out', str(out / 'checkpoints')])

    def data() -> None:
        make_data(out, quick=smoke)
        write_cifar_batches(cifar, train_per_class=8 if smoke else 400, test_per_class=10)

    length = 1 if smoke else 3  # epochs: 8 to 24 iterations on the generated sets
    seg_iters = 4 if smoke else 36
    return {
        'data': data,
        'pretrain cifar r20 fp16': lambda: pretrain(out, 'r20_fp16', CIFAR_CONFIG,
                                                    cifar_options, amp=amp),
        'pretrain cifar r20 bf16': lambda: pretrain(out, 'r20_bf16', CIFAR_CONFIG, cifar_options,
                                                    amp=amp, amp_dtype='bfloat16'),
        'pretrain r18 dar fp16': lambda: pretrain(out, 'r18_dar_amp', toy, toy_options, amp=amp),
        'export': export,
        **{f'finetune {task}': (lambda task=task: finetune(
            out, task, amp=amp, length=seg_iters if task == 'seg' else length))
           for task in ('det', 'inst', 'pose', 'seg')},
        'report': lambda: write_report(out),
    }


def main(argv: list[str] | None = None) -> int:
    import torch

    args = parse_args(argv)
    if not torch.cuda.is_available() and not args.cpu_smoke:
        print('gpu-check: no GPU visible (torch.cuda.is_available() is False); nothing to '
              'check on this machine.')
        return 0
    from dar_transfer.demo.stage_output import StageSink, captured

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    device = 'cpu (smoke)' if args.cpu_smoke else torch.cuda.get_device_name(0)
    print(f'gpu-check on {device}, torch {torch.__version__}; logs in {out / "logs"}/')
    terminal, results = sys.stdout, []
    sink = StageSink(terminal)
    with captured(sink):
        for name, stage in stages(out, args.cpu_smoke).items():
            started = time.monotonic()
            with sink.stage(out / 'logs' / f'{name.replace(" ", "-")}.log'):
                try:
                    stage()
                    status = 'ok'
                except Exception as error:  # the table reports it; the log has the trace
                    traceback.print_exc()
                    status = f'FAILED: {type(error).__name__}: {str(error)[:90]}'
            results.append({'stage': name, 'seconds': round(time.monotonic() - started, 1),
                            'status': status})
            print(f'{name:<26} {results[-1]["seconds"]:>7.1f} s  {status}', file=terminal,
                  flush=True)
    (out / 'gpu_check.json').write_text(json.dumps(
        {'device': device, 'torch': torch.__version__, 'stages': results}, indent=2) + '\n')
    failed = [r['stage'] for r in results if r['status'] != 'ok']
    print(f'gpu-check: {len(results) - len(failed)}/{len(results)} stages ok'
          + (f'; failed: {", ".join(failed)}' if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
