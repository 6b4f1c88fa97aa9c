"""Paper-style tables: one per task, a row per (backbone, variant), deltas vs baseline.

Several seeds of the same (task, backbone, variant) become one row with mean, standard
deviation and n. A delta whose size is within the combined spread of the two rows is
marked, so noise is not read as a gain; with a single seed the spread is unknown and
the delta is marked as such.

Each delta also gets a 95% interval
(:func:`dar_transfer.report.stats.paired_comparisons`): over the per-seed differences
when the variant shares seeds with the baseline (paired t, with the SD pooled over the
variants that share those seeds), else Welch's interval.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from .collect import (
    OPTIONAL_COLUMNS,
    TASK_METRICS,
    TASK_ORDER,
    TASK_TITLES,
    RunRecord,
    pair_key,
)
from .stats import Interval, paired_comparisons

VARIANT_ORDER = {'baseline': 0, 'dar': 1, 'random': 2}


@dataclass
class Stat:
    mean: float | None
    std: float | None
    n: int

    @classmethod
    def of(cls, values: list[float | None]) -> Stat:
        present = [v for v in values if v is not None]
        if not present:
            return cls(None, None, 0)
        std = statistics.stdev(present) if len(present) > 1 else None
        return cls(statistics.fmean(present), std, len(present))


@dataclass
class Row:
    backbone: str
    variant: str
    cost: Stat
    metrics: dict[str, Stat]
    runs: list[RunRecord]
    notes: list[str] = field(default_factory=list)
    delta: dict[str, tuple[float, bool | None]] = field(default_factory=dict)
    interval: dict[str, Interval] = field(default_factory=dict)
    not_applicable: set[str] = field(default_factory=set)


@dataclass
class TaskTable:
    task: str
    title: str
    columns: list[str]
    rows: list[Row]


def _within_spread(a: Stat, b: Stat, delta: float) -> bool | None:
    if a.std is None or b.std is None:
        return None
    return abs(delta) <= math.sqrt(a.std ** 2 + b.std ** 2)


def by_seed(runs: list[RunRecord], column: str) -> dict:
    """Finished runs' values of ``column`` keyed by :func:`pair_key` (repeats averaged;
    runs of unknown seed under their own keys, so they never pair)."""
    grouped: dict = {}
    for run in runs:
        value = run.metrics.get(column)
        if run.status == 'finished' and value is not None:
            key = pair_key(run) or ('unpaired', str(run.work_dir))
            grouped.setdefault(key, []).append(value)
    return {key: statistics.fmean(values) for key, values in grouped.items()}


def machine_notes(base: Row, row: Row) -> list[str]:
    """A note where some of ``row``'s runs were paired with a baseline run made on another
    kind of machine (both recorded): a seeded run does not reproduce across kinds, so such
    a pair shares its seed's data order and initialisation but not its trajectory."""
    theirs = {pair_key(r): r.machine for r in base.runs if pair_key(r) and r.machine}
    crossed = [(theirs[pair_key(r)], r.machine) for r in row.runs
               if r.machine and theirs.get(pair_key(r), r.machine) != r.machine]
    if not crossed:
        return []
    kinds = '; '.join(f'{row.variant} on {mine}, {base.variant} on {other}'
                      for other, mine in sorted(set(crossed)))
    return [f'{row.variant}: {len(crossed)} of its {len(row.runs)} runs paired with a '
            f'{base.variant} run on another kind of machine ({kinds}); seeded runs do not '
            'reproduce across machine kinds, so those pairs share less than the others']


def build_tables(runs: list[RunRecord], baseline: str = 'baseline') -> list[TaskTable]:
    tables = []
    for task in TASK_ORDER:
        task_runs = [r for r in runs if r.task == task]
        if not task_runs:
            continue
        columns = [name for _, name, _ in TASK_METRICS[task] if name not in OPTIONAL_COLUMNS
                   or any(r.metrics.get(name) is not None for r in task_runs)]
        groups: dict[tuple[str, str], list[RunRecord]] = {}
        for run in task_runs:
            groups.setdefault((run.backbone, run.variant), []).append(run)
        rows = []
        for (backbone, variant), members in sorted(
                groups.items(), key=lambda kv: (kv[0][0], VARIANT_ORDER.get(kv[0][1], 9),
                                                kv[0][1])):
            good = [r for r in members if r.status == 'finished']
            row = Row(backbone, variant, Stat.of([r.cost for r in good]),
                      {c: Stat.of([r.metrics.get(c) for r in good]) for c in columns}, members)
            if good:
                row.not_applicable = set.intersection(*(r.not_applicable for r in good))
            for run in members:
                if run.status != 'finished':
                    row.notes.append(f'{run.work_dir.name}: {run.status}')
            rows.append(row)
        for backbone in sorted({row.backbone for row in rows}):
            base = next((r for r in rows if r.backbone == backbone
                         and r.variant == baseline), None)
            others = [r for r in rows if r.backbone == backbone and r is not base]
            if base is None:
                continue
            for row in others:
                row.notes += machine_notes(base, row)
            for column in columns:
                a = base.metrics[column]
                present = [r for r in others if a.mean is not None
                           and r.metrics[column].mean is not None]
                intervals = paired_comparisons(
                    by_seed(base.runs, column),
                    {r.variant: by_seed(r.runs, column) for r in present})
                for row in present:
                    b = row.metrics[column]
                    delta = b.mean - a.mean
                    row.delta[column] = (delta, _within_spread(a, b, delta))
                    row.interval[column] = intervals[row.variant]
        data = sorted({run.data for row in rows for run in row.runs if run.data})
        title = TASK_TITLES[task] + (f' on {", ".join(data)}' if data else '')
        tables.append(TaskTable(task, title, columns, rows))
    return tables
