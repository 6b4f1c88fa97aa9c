"""Is a segmentation fine-tuning's bad test its batch-norm statistics? Test it three ways.

A fine-tuned mmseg run (its dumped config and a checkpoint) is tested:
- ``as-is``: with the running statistics it trained, as ``dar-transfer finetune`` did;
- ``crops``: after its batch-norm statistics are estimated again, with the weights
  fixed, on training batches exactly like those it trained on (random crops);
- ``whole``: the same on whole training images at the test scale (the test pipeline).

If ``crops`` recovers, the statistics the training ended with were unlucky (the last
batches of an exponential average); if only ``whole`` does, crops and whole images differ
too much for statistics of one to serve the other; if neither, batch norm is not the
cause. Section 11 of ``benchmarks/README.md`` used it on a collapsed CamVid run:

    python benchmarks/seg_bn_check.py RUN_DIR/finetune.dar.s4.seg.f4.py RUN_DIR/iter_1000.pth \\
        --out benchmarks/results/seg_bn_check/dar_s4.json

Each mode prints aAcc, mIoU and mAcc and how far the statistics moved. The check writes
nothing next to the run; its own work_dir is ``--work-dir``.

``--summarise DIR`` reads a folder of such files named ``VARIANT_sSEED.json`` (one per
seed-paired run of a campaign) and prints, per mode, each variant's mIoU by seed and its
difference from ``--reference`` with the SD of paired differences pooled over the
variants (a variant x seed block model, as the report pools it), with its interval.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from dar_transfer.finetune.bn_hook import reestimate_on_training_images
from dar_transfer.finetune.cli import plain_metrics
from dar_transfer.report.stats import paired_comparisons, sd_interval
from dar_transfer.utils.runner_setup import build_config, finish_config

MODES = ('as-is', 'crops', 'whole')


def check(config: str, checkpoint: str, mode: str, *, work_dir: str, passes: int,
          batch_size: int | None) -> dict:
    """Test the run in one mode; returns its metrics and, but for as-is, the shift."""
    from mmengine.runner import Runner

    cfg = build_config(config, {'load_from': checkpoint}, work_dir=work_dir)
    cfg = finish_config(cfg, resume=None, amp=False, launcher='none')
    runner = Runner.from_cfg(cfg)
    runner.load_or_resume()
    result = {'mode': mode, 'config': Path(config).name, 'checkpoint': Path(checkpoint).name}
    if mode != 'as-is':
        size = batch_size or (cfg.train_dataloader.batch_size if mode == 'crops' else 8)
        # crops: training batches exactly as training drew them; whole: the test pipeline
        pipeline = 'train' if mode == 'crops' else 'test'
        shift = reestimate_on_training_images(runner.model, cfg, pipeline, size,
                                              passes=passes, seed=0)
        result.update(batch_size=size, passes=passes, shift=vars(shift))
    result['test'] = plain_metrics(runner.test())
    return result


def summarise(folder: Path, reference: str, metric: str = 'mIoU',
              variants: list[str] | None = None) -> str:
    """Per mode: the metric by variant and seed, and the paired comparisons; of the named
    variants only, where ``variants`` names some."""
    table: dict[str, dict[str, dict[int, float]]] = {}
    for path in sorted(folder.glob('*_s*.json')):
        variant, _, seed = path.stem.rpartition('_s')
        if variants and variant not in variants:
            continue
        for result in json.loads(path.read_text())['results']:
            value = result['test'][metric]
            table.setdefault(result['mode'], {}).setdefault(variant, {})[int(seed)] = value
    if not table:
        raise SystemExit(f'{folder} holds no VARIANT_sSEED.json file of seg_bn_check.py')
    missing = sorted(set(variants or ()) - {v for values in table.values() for v in values})
    if missing:
        raise SystemExit(f'{folder} holds no runs of {", ".join(missing)}: check --variants')
    lines = []
    for mode, values in table.items():
        if reference not in values:
            raise SystemExit(f'{folder}: no {reference!r} runs in mode {mode}; pass --reference')
        seeds = sorted({s for v in values.values() for s in v})
        lines += [f'### {mode}', '', '| variant | ' + ' | '.join(f's{s}' for s in seeds)
                  + ' | mean |', '|---|' + '---|' * (len(seeds) + 1)]
        for variant, by_seed in values.items():
            cells = [f'{by_seed[s]:.2f}' if s in by_seed else '-' for s in seeds]
            mean = sum(by_seed.values()) / len(by_seed)
            lines.append(f'| {variant} | ' + ' | '.join(cells) + f' | {mean:.2f} |')
        paired = {v: by for v, by in values.items() if v != reference and len(by) >= 2}
        intervals = paired_comparisons(values[reference], paired)
        # the SD the intervals used: pooled over the variants, or a lone variant's own
        used = [iv for iv in intervals.values() if iv.pooled or len(intervals) == 1]
        sd, df = (used[0].sd, used[0].df) if used else (None, None)
        if sd is not None:
            low, high = sd_interval(sd, df)
            lines += ['', f'SD of paired differences, pooled: {sd:.2f} [{low:.2f}, '
                          f'{high:.2f}] on {df:.0f} df']
        for variant, iv in intervals.items():
            lines.append(f'- {variant} - {reference}: {iv.delta:+.2f} [{iv.low:+.2f}, '
                         f'{iv.high:+.2f}] over {iv.n} seeds')
        lines.append('')
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?', help='the run\'s dumped config (its work_dir '
                        'holds one)')
    parser.add_argument('checkpoint', nargs='?', help='the run\'s checkpoint, e.g. iter_1000.pth')
    parser.add_argument('--modes', nargs='+', choices=MODES, default=list(MODES))
    parser.add_argument('--passes', type=int, default=1,
                        help='passes over the training images per estimate (default 1)')
    parser.add_argument('--batch-size', type=int, default=None,
                        help='default: the training batch for crops, 8 for whole images')
    parser.add_argument('--work-dir', default=None, help='default: a temporary folder')
    parser.add_argument('--out', type=Path, default=None, help='write the results as JSON')
    parser.add_argument('--summarise', type=Path, default=None, metavar='DIR',
                        help='summarise a folder of VARIANT_sSEED.json results instead')
    parser.add_argument('--reference', default='baseline', help='with --summarise')
    parser.add_argument('--variants', nargs='+', default=None, metavar='NAME',
                        help='with --summarise: these variants only (default: every one)')
    args = parser.parse_args(argv)
    if args.summarise:
        if not args.summarise.is_dir():
            parser.error(f'--summarise {args.summarise}: no such folder')
        if args.variants and args.reference not in args.variants:
            parser.error(f'--variants must name the reference, {args.reference!r}, too')
        print(summarise(args.summarise, args.reference, variants=args.variants))
        return 0
    if not (args.config and args.checkpoint):
        parser.error('pass a config and a checkpoint, or --summarise DIR')
    for path in (args.config, args.checkpoint):
        if not Path(path).is_file():
            parser.error(f'{path} does not exist')
    if args.passes < 1:
        parser.error(f'--passes must be at least 1, not {args.passes}')
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.modes:
            results.append(check(args.config, args.checkpoint, mode,
                                 work_dir=str(Path(args.work_dir or tmp) / mode),
                                 passes=args.passes, batch_size=args.batch_size))
    print('| mode | aAcc | mIoU | mAcc | mean shift (median, max) | var ratio (median, max) |')
    print('|---|---|---|---|---|---|')
    for r in results:
        t, s = r['test'], r.get('shift')
        moved = (f"{s['mean_shift_median']:.2f}, {s['mean_shift_max']:.2f} | "
                 f"{s['var_ratio_median']:.2f}, {s['var_ratio_max']:.2f}") if s else '- | -'
        print(f"| {r['mode']} | {t.get('aAcc', float('nan')):.2f} | "
              f"{t.get('mIoU', float('nan')):.2f} | {t.get('mAcc', float('nan')):.2f} | {moved} |")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({'version': 1, 'results': results}, indent=1) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
