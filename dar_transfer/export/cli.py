"""``dar-transfer export``: backbone weights, provenance and one config per downstream task."""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import torch

from ..errors import UsageError
from ..pretrain.train import read_cost
from ..utils.checkpoint_loading import (
    add_trust_argument,
    check_trust_is_used,
    resolve_checkpoint,
    trusted_files,
)
from .downstream import TASKS, render_config
from .real_small import SUITES, config_file_name, render_suite_config
from .real_small_tasks import PRESETS
from .resnet import RESNET_DEPTHS, backbone_weights, infer_resnet_depth
from .source import SourceWeights, read_source
from .verify import verify_backbone

logger = logging.getLogger('dar_transfer')


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'export', help='export a backbone and its downstream configs',
        description='Export a classifier checkpoint as backbone weights plus OpenMMLab '
                    'configs for detection, instance segmentation, pose and segmentation.')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='a dar-transfer pretrain checkpoint (or its work_dir), a '
                             'torchvision state dict, or an mmpretrain classifier checkpoint; '
                             'omitted with --random-init')
    parser.add_argument('--name', required=True, help='name of the exported backbone')
    parser.add_argument('--out', default='checkpoints', help='output folder')
    parser.add_argument('--tasks', nargs='*', choices=list(TASKS), default=list(TASKS),
                        help='the tasks to write configs for (default: all four; none: '
                             'the weights only)')
    parser.add_argument('--variant', default=None,
                        help='baseline | dar | random (default: read from the run)')
    parser.add_argument('--depth', type=int, default=None,
                        help='expected ResNet depth; a checkpoint of another depth is an error')
    parser.add_argument('--suite', choices=SUITES, default='coco',
                        help='coco: COCO and Cityscapes, as the paper (default); real-small: '
                             'Penn-Fudan, LSPET and CamVid, converted by `dar-transfer data`')
    parser.add_argument('--preset', choices=tuple(PRESETS), default=None,
                        help='real-small only: cpu (about 6 min a fine-tuning on 2 cores) '
                             'or gpu (a proper schedule)')
    parser.add_argument('--data-root', default=None,
                        help='real-small only: the folder holding pennfudan/, lspet/ and '
                             'camvid/ as `dar-transfer data` writes them')
    parser.add_argument('--random-init', action='store_true',
                        help='write the configs of a from-scratch control instead: the same '
                             'models with a randomly initialised ResNet of --depth, no weights')
    parser.add_argument('--json', action='store_true', help='print what was written as JSON')
    add_trust_argument(parser)
    parser.set_defaults(func=main)
    return parser


def run_provenance(source: SourceWeights) -> dict:
    """What the pretraining run says about itself, when the checkpoint sits in its work_dir."""
    work_dir = source.path.parent
    info: dict = {'pretrain_cost': None, 'pretrain_top1': None, 'pretrain_config': None,
                  'pretrain_seed': None, 'variant': None}
    summary_file = work_dir / 'summary.json'
    if summary_file.exists():
        summary = json.loads(summary_file.read_text())
        info.update(pretrain_top1=summary.get('top1'), pretrain_config=summary.get('config'),
                    pretrain_seed=summary.get('seed'))
    dar_log = work_dir / 'dar_log.jsonl'
    if dar_log.exists():
        from ..sampling.dar_log import DaRLog

        lines = DaRLog.read(dar_log)
        info['pretrain_cost'] = read_cost(work_dir)
        # The variant is the sampling policy, as the report names it ('hardest' is DaR).
        policy = lines[-1].get('policy', 'hardest') if lines else 'hardest'
        info['variant'] = 'dar' if policy == 'hardest' else policy
    elif source.kind == 'dar-transfer':
        info.update(pretrain_cost=1.0, variant='baseline')
    return info


def check_suite_args(args: argparse.Namespace) -> None:
    """--preset and --data-root go with --suite real-small, and it needs both."""
    if args.suite == 'real-small':
        missing = [flag for flag, value in (('--preset', args.preset),
                                            ('--data-root', args.data_root)) if value is None]
        if missing:
            raise UsageError(f'--suite real-small needs {" and ".join(missing)} (for example '
                             '--preset cpu --data-root /path/to/converted)')
    elif args.preset is not None or args.data_root is not None:
        raise UsageError('--preset and --data-root belong to --suite real-small; the coco '
                         'suite writes the paper protocol')


def check_source_args(args: argparse.Namespace) -> None:
    """A checkpoint, or --random-init with --depth: exactly one source of weights."""
    if args.random_init:
        if args.checkpoint is not None:
            raise UsageError(f'--random-init writes configs without weights; drop the '
                             f'checkpoint {args.checkpoint!r} or drop --random-init')
        if args.depth is None:
            raise UsageError('--random-init needs --depth (18, 34, 50, 101 or 152): there is '
                             'no checkpoint to read it from')
        if args.trust_checkpoint:
            raise UsageError('--trust-checkpoint names a checkpoint, and --random-init reads '
                             'none; drop one of them')
    elif args.checkpoint is None:
        raise UsageError('give a checkpoint to export, or --random-init --depth D for a '
                         'from-scratch control')


def write_configs(args: argparse.Namespace, out: Path, depth: int, checkpoint: str | None,
                  metadata: dict) -> dict[str, str]:
    """One config per task; ``checkpoint`` None leaves the backbone randomly initialised."""
    configs = {}
    for key in args.tasks:
        task = TASKS[key]
        path = out / config_file_name(args.name, key, suite=args.suite, preset=args.preset)
        if args.suite == 'coco':
            text = render_config(task, depth=depth, checkpoint=checkpoint, provenance=metadata)
        else:
            text = render_suite_config(task, depth=depth, checkpoint=checkpoint,
                                       provenance=metadata, preset=args.preset,
                                       data_root=args.data_root)
        path.write_text(text)
        configs[key] = str(path)
    return configs


def export_random_init(args: argparse.Namespace, out: Path) -> tuple[dict, dict[str, str]]:
    """The from-scratch control: provenance with cost 0 and configs with init_cfg None."""
    if args.depth not in set(RESNET_DEPTHS.values()):
        raise UsageError(f'--depth must be one of {sorted(set(RESNET_DEPTHS.values()))}, '
                         f'got {args.depth}')
    metadata = {'name': args.name, 'arch': 'resnet', 'depth': args.depth,
                'variant': args.variant or 'scratch', 'pretrain_cost': 0.0,
                'pretrain_top1': None, 'pretrain_config': None, 'pretrain_seed': None,
                'source': None, 'source_kind': 'random-init', 'source_sha256': None,
                'weights': None}
    (out / f'{args.name}.json').write_text(json.dumps(metadata, indent=2) + '\n')
    return metadata, write_configs(args, out, args.depth, None, metadata)


def main(args: argparse.Namespace) -> int:
    check_suite_args(args)
    check_source_args(args)
    out = Path(args.out)
    if args.random_init:
        out.mkdir(parents=True, exist_ok=True)
        metadata, configs = export_random_init(args, out)
        _print_result(args, None, metadata, configs)
        return 0
    args.checkpoint = resolve_checkpoint(args.checkpoint)
    trusted = trusted_files(args)
    check_trust_is_used(trusted, [args.checkpoint])
    source = read_source(args.checkpoint, trusted=Path(args.checkpoint).resolve() in trusted)
    depth = infer_resnet_depth(source.state_dict)
    if args.depth is not None and args.depth != depth:
        raise UsageError(f'{args.checkpoint} holds a ResNet-{depth}, not the ResNet-{args.depth} '
                         'asked for with --depth')
    weights = backbone_weights(source.state_dict)
    out.mkdir(parents=True, exist_ok=True)
    weights_file = (out / f'{args.name}.pth').resolve()
    torch.save({'state_dict': weights}, weights_file)

    run = run_provenance(source)
    metadata = {'name': args.name, 'arch': 'resnet', 'depth': depth,
                'variant': args.variant or run['variant'] or 'unknown',
                'pretrain_cost': run['pretrain_cost'], 'pretrain_top1': run['pretrain_top1'],
                'pretrain_config': run['pretrain_config'], 'pretrain_seed': run['pretrain_seed'],
                'source': str(source.path.resolve()),
                'source_kind': source.kind, 'source_sha256': source.sha256,
                'weights': str(weights_file)}
    (out / f'{args.name}.json').write_text(json.dumps(metadata, indent=2) + '\n')

    configs = write_configs(args, out, depth, str(weights_file), metadata)
    for key, path in configs.items():
        verify_backbone(TASKS[key], path, weights)
    _print_result(args, str(weights_file), metadata, configs)
    return 0


def _print_result(args: argparse.Namespace, weights_file: str | None, metadata: dict,
                  configs: dict[str, str]) -> None:
    if args.json:
        print(json.dumps({'checkpoint': weights_file, 'metadata': metadata,
                          'configs': configs}))
    else:
        logger.info('exported ResNet-%d (%s) to %s; configs: %s', metadata['depth'],
                    metadata['variant'], weights_file or 'random initialisation',
                    ', '.join(configs.values()))
