"""Fine-tuning seed repeats: the noise floor, kept out of the variant rows.

A campaign's noise-floor entry fine-tunes one backbone with several seeds. Those runs
measure how much fine-tuning alone moves a metric; averaged into the variant's row they
would weigh that backbone several times. So each backbone (task, backbone, variant,
pretraining seed) keeps one run in the tables, the one fine-tuned with the pretraining's
own seed (the pair the other variants share), and the repeats form a table of their own:
mean, standard deviation and range over the fine-tuning seeds.
"""
from __future__ import annotations

from dataclasses import dataclass

from .collect import HEADLINE_METRICS, headline_metric
from .records import DOWNSTREAM, RunRecord
from .tables import Stat

HEADER = ['task', 'backbone', 'variant', 'pretrain seed', 'metric', 'fine-tuning seeds',
          'mean ± std', 'range']
NOTE = ('One pretrained backbone fine-tuned with several seeds: the spread that one '
        'fine-tuning run adds to a single number. It is not the error of a paired '
        'comparison: pairing two backbones by fine-tuning seed cancels the part of that '
        'spread the seed shares across backbones (the power table gives the SD of paired '
        'differences that the intervals use). A variant row above uses the run of each '
        'backbone fine-tuned with its pretraining seed.')


@dataclass
class NoiseRow:
    task: str
    backbone: str
    variant: str
    pretrain_seed: int
    metric: str
    seeds: list[int]
    stat: Stat
    spread: float


def _groups(runs: list[RunRecord]) -> dict[tuple, list[RunRecord]]:
    groups: dict[tuple, list[RunRecord]] = {}
    for run in runs:
        if run.task in DOWNSTREAM and run.pretrain_seed is not None and run.seed is not None:
            groups.setdefault((run.task, run.backbone, run.variant, run.pretrain_seed),
                              []).append(run)
    return {key: members for key, members in groups.items() if len(members) > 1}


def table_runs(runs: list[RunRecord]) -> list[RunRecord]:
    """``runs`` without the fine-tuning repeats: per backbone, the run whose seed is the
    pretraining seed (else the lowest seed)."""
    repeats = set()
    for (_, _, _, pretrain_seed), members in _groups(runs).items():
        keep = min(members, key=lambda r: (r.seed != pretrain_seed, r.seed))
        repeats.update(id(r) for r in members if r is not keep)
    return [run for run in runs if id(run) not in repeats]


def build_noise_floor(runs: list[RunRecord]) -> list[NoiseRow]:
    """One row per backbone fine-tuned with two or more seeds, on the task's headline
    metric, over its finished runs."""
    rows = []
    for (task, backbone, variant, pretrain_seed), members in sorted(_groups(runs).items()):
        finished = [r for r in members if r.status == 'finished']
        metric = headline_metric(task, {n for r in finished for n, v in r.metrics.items()
                                        if v is not None} or set(HEADLINE_METRICS[task]))
        values = [r.metrics.get(metric) for r in finished]
        present = [v for v in values if v is not None]
        if len(present) < 2:
            continue
        rows.append(NoiseRow(task, backbone, variant, pretrain_seed, metric,
                             sorted(r.seed for r in finished), Stat.of(present),
                             max(present) - min(present)))
    return rows


def cells(row: NoiseRow) -> list[str]:
    return [row.task, row.backbone, row.variant, str(row.pretrain_seed), row.metric,
            ', '.join(map(str, row.seeds)), f'{row.stat.mean:.2f} ± {row.stat.std:.2f}',
            f'{row.spread:.2f}']


def as_dict(row: NoiseRow) -> dict:
    return {'task': row.task, 'backbone': row.backbone, 'variant': row.variant,
            'pretrain_seed': row.pretrain_seed, 'metric': row.metric, 'seeds': row.seeds,
            'mean': row.stat.mean, 'std': row.stat.std, 'n': row.stat.n, 'range': row.spread}


def markdown(rows: list[NoiseRow]) -> str:
    if not rows:
        return ''
    lines = ['### Noise floor: fine-tuning seeds of one backbone', '',
             '| ' + ' | '.join(HEADER) + ' |', '|' + '---|' * len(HEADER)]
    lines += ['| ' + ' | '.join(cells(row)) + ' |' for row in rows]
    return '\n'.join([*lines, '', NOTE])
