"""The report's opening summary: what each pretraining variant cost, how long it took,
and whether its downstream runs finished.

These three facts hold whatever the data; the metrics do not. When any run trained on
data that dar-transfer generated (see :mod:`dar_transfer.utils.provenance`), the
summary says so first: such a run is a smoke test, and its metrics are no evidence
for or against a variant.
"""
from __future__ import annotations

import html
import statistics
from dataclasses import dataclass, field

from .records import DOWNSTREAM, RunRecord
from .tables import VARIANT_ORDER

SMOKE_LABEL = ('Smoke run on generated data: these runs used toy data sets that '
               'dar-transfer generated, one seed each. They show that every stage runs and '
               'what each variant cost; their metrics are not evidence for or against any '
               'variant (benchmarks/README.md has real-data results).')
STATUS_MARKS = {'finished': 'ok', 'unfinished': 'unfinished', 'missing metric': 'no metric'}


@dataclass
class HeadlineRow:
    backbone: str
    variant: str
    cost: float | None
    wall_seconds: float | None
    seeds: int
    downstream: dict[str, str] = field(default_factory=dict)
    # Pretraining top-1 (%) and, beside it, the probes' top-1 by name ('knn cifar10').
    pretrain_top1: float | None = None
    probes: dict[str, float] = field(default_factory=dict)


@dataclass
class Headline:
    generated_data: bool
    rows: list[HeadlineRow]

    @property
    def label(self) -> str | None:
        return SMOKE_LABEL if self.generated_data else None


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _first(values: list[float | None]) -> float | None:
    return next((v for v in values if v is not None), None)


def _downstream_status(runs: list[RunRecord]) -> str:
    if not runs:
        return '-'
    marks = [STATUS_MARKS.get(run.status, run.status) for run in runs]
    if all(mark == 'ok' for mark in marks):
        return 'ok' if len(runs) == 1 else f'ok x{len(runs)}'
    return ', '.join(sorted(set(marks)))


def build_headline(runs: list[RunRecord]) -> Headline:
    """One row per (backbone, variant) that has a pretraining or a downstream run."""
    keys = sorted({(r.backbone, r.variant) for r in runs},
                  key=lambda k: (k[0], VARIANT_ORDER.get(k[1], 9), k[1]))
    rows = []
    for backbone, variant in keys:
        members = [r for r in runs if (r.backbone, r.variant) == (backbone, variant)]
        pretrain = [r for r in members if r.task not in DOWNSTREAM]
        downstream = [r for r in members if r.task in DOWNSTREAM]
        costs = [r.cost for r in pretrain] or [r.cost for r in downstream]
        # One value per pretrained checkpoint, whichever runs name it.
        checkpoints: dict[str, list[RunRecord]] = {}
        for run in pretrain + downstream:
            checkpoints.setdefault(run.checkpoint or str(run.work_dir), []).append(run)
        top1 = [_first([r.pretrain_top1 for r in same]) for same in checkpoints.values()]
        probes = [{n: v for r in same for n, v in r.probes.items()}
                  for same in checkpoints.values()]
        names = sorted({n for found in probes for n in found})
        rows.append(HeadlineRow(
            backbone, variant, _mean(costs), _mean([r.wall_seconds for r in pretrain]),
            len(pretrain),
            {task: _downstream_status([r for r in downstream if r.task == task])
             for task in DOWNSTREAM}, _mean(top1),
            {n: _mean([found.get(n) for found in probes]) for n in names}))
    return Headline(any(r.generated_data for r in runs), rows)


def _percent(value: float | None) -> str:
    return 'n/a' if value is None else f'{value:.2f}'


def probe_names(headline: Headline) -> list[str]:
    return sorted({name for row in headline.rows for name in row.probes})


def _cells(row: HeadlineRow, probes: list[str]) -> list[str]:
    cost = 'n/a' if row.cost is None else f'{row.cost:.2f}'
    wall = 'n/a' if row.wall_seconds is None else f'{row.wall_seconds:.0f} s'
    return [row.variant, row.backbone, cost, wall, _percent(row.pretrain_top1),
            *(_percent(row.probes.get(name)) for name in probes),
            *(row.downstream[t] for t in DOWNSTREAM)]


def header(headline: Headline) -> list[str]:
    """The columns: probe top-1s beside the pretraining top-1, then the tasks."""
    return ['variant', 'backbone', 'pretrain cost', 'pretrain wall', 'pretrain top-1',
            *(f'{name} top-1' for name in probe_names(headline)), *DOWNSTREAM]


def to_text(headline: Headline) -> str:
    """A fixed-width table for the terminal."""
    names = header(headline)
    table = [names, *(_cells(row, probe_names(headline)) for row in headline.rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(names))]
    lines = ['  '.join(cell.ljust(w) if i < 2 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()
             for line in table]
    return '\n'.join(lines)


def to_markdown(headline: Headline) -> str:
    lines = ['## Summary', '']
    if headline.label:
        lines += [f'**{headline.label}**', '']
    names, probes = header(headline), probe_names(headline)
    lines += ['| ' + ' | '.join(names) + ' |', '|' + '---|' * len(names)]
    lines += ['| ' + ' | '.join(_cells(row, probes)) + ' |' for row in headline.rows]
    lines += ['', 'Downstream columns: "ok" = trained and tested; "-" = not run.']
    return '\n'.join(lines)


def to_html(headline: Headline) -> str:
    parts = ['<h2>Summary</h2>']
    if headline.label:
        parts.append(f'<p class="label"><strong>{html.escape(headline.label)}</strong></p>')
    names, probes = header(headline), probe_names(headline)
    parts.append('<table><tr>' + ''.join(f'<th>{html.escape(h)}</th>' for h in names) + '</tr>')
    for row in headline.rows:
        parts.append('<tr>' + ''.join(f'<td>{html.escape(c)}</td>'
                                      for c in _cells(row, probes)) + '</tr>')
    parts.append('</table><p>Downstream columns: "ok" = trained and tested; "-" = not run.</p>')
    return '\n'.join(parts)


def to_json(headline: Headline) -> dict:
    return {'label': headline.label, 'generated_data': headline.generated_data,
            'rows': [{'variant': r.variant, 'backbone': r.backbone, 'cost': r.cost,
                      'wall_seconds': r.wall_seconds, 'seeds': r.seeds,
                      'downstream': r.downstream, 'pretrain_top1': r.pretrain_top1,
                      'probes': r.probes} for r in headline.rows]}
