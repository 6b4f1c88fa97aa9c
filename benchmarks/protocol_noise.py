"""How noisy is each candidate fine-tuning protocol? Summarise a protocol-noise campaign.

For every candidate (a task of the manifest, ``configs/campaigns/protocol_noise_cpu.py``):
the headline metric of each backbone over the fine-tuning seeds; the SD of the paired
differences between the two fixed backbones (``--a`` minus ``--b``, paired by fine-tuning
seed) with its 95% interval; the minutes one fine-tuning takes (the job records' wall
time); the pretraining effect (``--a`` minus ``--scratch``, means over seeds) and that
effect over the SD: the figure of merit of a protocol that must both see a backbone's
quality and be quiet enough to compare two.

    python benchmarks/protocol_noise.py configs/campaigns/protocol_noise_cpu.py \\
        --out benchmarks/results/protocol_noise_cpu.json

``--same-backbones ARCHIVE`` adds another archive's fine-tunings of the same two
backbones (for example section 9's runs of them under the preset as it is), where the
campaign folder lacks that run. It is refused unless each backbone's pretraining gave
the same metrics to the last digit in both, at the same cost: a pretraining that
reproduced bit for bit, on one kind of machine. The from-scratch control has no
pretraining to check: its initialisation comes from the fine-tuning seed.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from dar_transfer.campaign.manifest import load_manifest
from dar_transfer.campaign.state import read_record
from dar_transfer.report.collect import collect, headline_metric
from dar_transfer.report.records import RunRecord
from dar_transfer.report.stats import paired_t_interval, sd_interval


def _candidate(work_dir: Path) -> str | None:
    """finetune/<candidate>/<variant>/seed<S>_ft<F>: live (absolute) or archived."""
    parts = Path(work_dir).parts
    return parts[-3] if len(parts) >= 3 else None


def finished_runs(folder: Path) -> list[RunRecord]:
    """The finished fine-tunings of the seed-0 backbones (work_dir seed0_ft<F>)."""
    return [r for r in collect([folder / 'finetune'])
            if r.status == 'finished' and Path(r.work_dir).name.startswith('seed0_')]


def candidate_summary(sources: list[tuple[Path, list[RunRecord]]], task: str, a: str,
                      b: str, scratch: str) -> dict | None:
    """One candidate's numbers from the finished runs of each (folder, its runs) in
    ``sources`` (a run the first folder has is taken from it); None before any finished."""
    found: dict[tuple[str, int], tuple[RunRecord, Path]] = {}
    for folder, runs in sources:
        for run in runs:
            if _candidate(run.work_dir) == task:
                found.setdefault((run.variant, run.seed), (run, folder))
    if not found:
        return None
    runs = [run for run, _ in found.values()]
    metric = headline_metric(runs[0].task, {n for r in runs for n, v in r.metrics.items()
                                            if v is not None})
    values: dict[str, dict[int, float]] = {}
    for run in runs:
        values.setdefault(run.variant, {})[run.seed] = run.metrics[metric]
    seconds = [read_record(folder, f'finetune.{v}.s0.{task}.f{s}').get('seconds')
               for (v, s), (_, folder) in found.items()]
    seconds = [s for s in seconds if s is not None]
    out = {'task': task, 'metric': metric,
           'values': {v: {str(s): x for s, x in sorted(by.items())} for v, by in values.items()},
           'minutes': statistics.fmean(seconds) / 60 if seconds else None,
           'sd_diff': None, 'sd_ci': None, 'n_pairs': 0, 'delta': None, 'effect': None,
           'effect_over_sd': None,
           # each backbone's own SD over its fine-tuning seeds, as section 9's noise floor
           'sd_within': {v: statistics.stdev(by.values()) for v, by in values.items()
                         if len(by) >= 2}}
    shared = sorted(set(values.get(a, {})) & set(values.get(b, {})))
    if len(shared) >= 2:
        interval = paired_t_interval([values[a][s] - values[b][s] for s in shared])
        out.update(n_pairs=len(shared), delta=interval.delta, sd_diff=interval.sd,
                   sd_ci=list(sd_interval(interval.sd, interval.df)) if interval.sd else None)
    if values.get(a) and values.get(scratch):
        effect = statistics.fmean(values[a].values()) - statistics.fmean(values[scratch].values())
        out['effect'] = effect
        if out['sd_diff']:
            out['effect_over_sd'] = effect / out['sd_diff']
    return out


def _pretrainings(folder: Path) -> dict[str, RunRecord]:
    return {r.variant: r for r in collect([folder / 'pretrain'])
            if r.status == 'finished' and r.seed == 0}


def check_same_backbones(folder: Path, other: Path, variants: list[str]) -> None:
    """Refuse (SystemExit) unless each variant's seed-0 pretraining has the same metrics
    (to the last digit), cost and architecture in ``folder`` and ``other``."""
    mine, theirs = _pretrainings(folder), _pretrainings(other)
    for variant in variants:
        a, b = mine.get(variant), theirs.get(variant)
        if a is None or b is None:
            where = folder if a is None else other
            raise SystemExit(f'--same-backbones: no finished seed-0 pretraining of {variant} '
                             f'in {where}, so nothing shows the backbones are the same')
        if (a.metrics, a.cost, a.backbone) != (b.metrics, b.cost, b.backbone):
            raise SystemExit(
                f'--same-backbones: {variant} is another backbone in {other} (metrics '
                f'{b.metrics} against {a.metrics}, or another cost or architecture); its '
                "fine-tunings cannot be paired with this folder's")


def _number(value, digits: int = 2) -> str:
    return '-' if value is None else f'{value:.{digits}f}'


def markdown(rows: list[dict], a: str, b: str, scratch: str) -> str:
    """One row per candidate; each backbone's cell is its mean over its own fine-tuning
    seeds with their number, and its SD over them (SD within); the difference and its SD
    are over the paired seeds only."""
    lines = [f'| candidate | metric | {a}: mean (runs) | {b}: mean (runs) | {scratch}: mean '
             f'(runs) | SD within {a} / {b} | pairs | {a} - {b}, paired mean | '
             f'SD of {a} - {b} [95% CI] | minutes a run | effect ({a} - {scratch}) | '
             'effect / SD |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']

    def cell(values: dict) -> str:
        return f'{statistics.fmean(values.values()):.2f} ({len(values)})' if values else '-'

    for r in rows:
        sd = '-' if r['sd_diff'] is None else (
            f'{r["sd_diff"]:.2f}' + ('' if r['sd_ci'] is None else
                                     f' [{r["sd_ci"][0]:.2f}, {r["sd_ci"][1]:.2f}]'))
        lines.append(f'| {r["task"]} | {r["metric"]} | {cell(r["values"].get(a, {}))} | '
                     f'{cell(r["values"].get(b, {}))} | {cell(r["values"].get(scratch, {}))} | '
                     f'{_number(r["sd_within"].get(a))} / {_number(r["sd_within"].get(b))} | '
                     f'{r["n_pairs"]} | {_number(r["delta"])} | {sd} | '
                     f'{_number(r["minutes"], 1)} | {_number(r["effect"])} | '
                     f'{_number(r["effect_over_sd"], 1)} |')
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('manifest')
    parser.add_argument('--a', default='baseline', help='first fixed backbone (variant)')
    parser.add_argument('--b', default='dar', help='second fixed backbone (variant)')
    parser.add_argument('--scratch', default='scratch')
    parser.add_argument('--cfg-options', nargs='*', default=[], metavar='KEY=VALUE',
                        help='manifest overrides, e.g. folder=benchmarks/results/x')
    parser.add_argument('--out', type=Path, help='also write the numbers as JSON here')
    parser.add_argument('--same-backbones', type=Path, metavar='ARCHIVE',
                        help="also the fine-tunings in ARCHIVE of these two backbones, where "
                             "their pretrainings' metrics are equal in both")
    args = parser.parse_args(argv)
    overrides = dict(item.split('=', 1) for item in args.cfg_options)
    manifest = load_manifest(args.manifest, overrides)
    folders = [manifest.folder]
    if args.same_backbones:
        check_same_backbones(manifest.folder, args.same_backbones, [args.a, args.b])
        folders.append(args.same_backbones)
    sources = [(folder, finished_runs(folder)) for folder in folders]  # read once
    rows = [row for task in manifest.tasks if (row := candidate_summary(
        sources, task.name, args.a, args.b, args.scratch)) is not None]
    print(markdown(rows, args.a, args.b, args.scratch))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({'a': args.a, 'b': args.b, 'scratch': args.scratch,
                                        'candidates': rows}, indent=1) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
