"""Can a cheap probe predict transfer? Kendall's τ between each probe and each task.

The unit is a pretrained backbone (a checkpoint): its probe top-1 (``dar-transfer probe
--beside`` wrote it next to the checkpoint) against the mean headline metric of the
finished downstream runs fine-tuned from it. τ-b over the backbones that have both;
with fewer than three the ranking says little, and the table gives n beside each τ.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from .collect import HEADLINE_METRICS, headline_metric
from .records import DOWNSTREAM, RunRecord
from .stats import kendall_tau_b


@dataclass(frozen=True)
class AgreementRow:
    probe: str
    task: str
    metric: str
    tau: float | None
    p_value: float | None
    n: int


def _backbone_key(run: RunRecord) -> str:
    return run.checkpoint or f'{run.backbone} {run.variant}'


def build_agreement(runs: list[RunRecord]) -> list[AgreementRow]:
    """One row per (probe, downstream task) that share at least one backbone."""
    rows = []
    probes = sorted({name for run in runs for name in run.probes})
    for task in DOWNSTREAM:
        finished = [r for r in runs if r.task == task and r.status == 'finished']
        if not finished:
            continue
        metric = headline_metric(task, {n for r in finished for n, v in r.metrics.items()
                                        if v is not None})
        for probe in probes:
            units: dict[str, tuple[float, list[float]]] = {}
            for run in finished:
                value = run.metrics.get(metric)
                if probe in run.probes and value is not None:
                    key = _backbone_key(run)
                    units.setdefault(key, (run.probes[probe], []))[1].append(value)
            if not units:
                continue
            x = [score for score, _ in units.values()]
            y = [statistics.fmean(values) for _, values in units.values()]
            tau = kendall_tau_b(x, y)
            rows.append(AgreementRow(probe, task, metric, tau.tau, tau.p_value, tau.n))
    return rows


HEADER = ['probe', 'task', 'metric', "Kendall's τ", 'p', 'backbones']
_CHOICES = ', '.join(f'{task}: {" or ".join(HEADLINE_METRICS[task])}' for task in DOWNSTREAM)
NOTE = ("Rank agreement across backbones between a probe's top-1 and the task's headline "
        f'metric ({_CHOICES}); τ is undefined ("-") with fewer than two backbones or a '
        'constant ranking.')


def cells(row: AgreementRow) -> list[str]:
    tau = '-' if row.tau is None else f'{row.tau:+.2f}'
    p = '-' if row.p_value is None else f'{row.p_value:.2f}'
    return [row.probe, row.task, row.metric, tau, p, str(row.n)]


def as_dict(row: AgreementRow) -> dict:
    return {'probe': row.probe, 'task': row.task, 'metric': row.metric, 'tau': row.tau,
            'p_value': row.p_value, 'n': row.n}
