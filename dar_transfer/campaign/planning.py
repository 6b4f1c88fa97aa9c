"""``campaign plan``: what each comparison can detect now, and the seeds and machine
time it would take to detect a target effect or to reach a target precision.

Machine time comes from the job records: the measured wall time of finished jobs of
the same stage (and task), this variant's where it has some, else any variant's.
Without any, it is "unknown", never a guess.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from .graph import Job
from .manifest import Manifest
from .state import JobStatus


@dataclass(frozen=True)
class PlanRow:
    task: str
    variant: str
    reference: str
    n: int
    sd: float | None
    pooled: bool
    mde: float | None
    effect: float | None
    seeds_for_effect: int | None
    target: float | None  # CI half-width
    seeds_for_target: int | None  # Stein's N from the current SD, before any budget
    capped: bool  # N is above max_seeds: the budget binds first
    hours: float | None  # machine time of the seeds still to add for the target (else the
    # effect), within max_seeds

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _stage_key(job: Job) -> tuple:
    return (job.stage, job.cell.get('task'), job.cell.get('probe'))


def seed_seconds(manifest: Manifest, jobs: list[Job], statuses: dict[str, JobStatus]
                 ) -> dict[str, float | None]:
    """Measured seconds one more seed of each variant costs: its pretraining, export,
    probes and fine-tunings (one per task), each the median of finished jobs of that kind."""
    own: dict[tuple, list[float]] = {}
    anyone: dict[tuple, list[float]] = {}
    for job in jobs:
        # the record's own state: a result copied elsewhere (an archive) is "outdated" by
        # its moved paths, yet its measured time holds
        record = statuses[job.key].record
        seconds = record.get('seconds')
        if record.get('state') != 'done' or seconds is None or job.stage == 'report':
            continue
        own.setdefault((job.cell.get('variant'), *_stage_key(job)), []).append(seconds)
        anyone.setdefault(_stage_key(job), []).append(seconds)
    out = {}
    for variant in manifest.variants:
        first = [j for j in jobs if j.cell.get('variant') == variant.name
                 and j.cell.get('seed') == variant.seeds[0] and j.stage != 'report'
                 and j.cell.get('ft_seed', variant.seeds[0]) == variant.seeds[0]]
        total = 0.0
        for job in first:
            found = own.get((variant.name, *_stage_key(job))) or anyone.get(_stage_key(job))
            if not found:
                total = None
                break
            total += statistics.median(found)
        out[variant.name] = total if first else None
    return out


def plan_rows(manifest: Manifest, decision, seconds: dict[str, float | None],
              targets: dict[str, float], max_seeds: int | None) -> list[PlanRow]:
    """One row per comparison with a paired SD: seeds for the effect and for the target."""
    from ..report.precision import stein_seeds

    rows = []
    for c in decision.comparisons:
        i = c.interval
        if c.task == 'cls' or c.variant == manifest.reference or i.sd is None:
            continue
        effect_seeds = next(iter(c.n_for.values()), None) if c.n_for else None
        target, target_seeds, capped = targets.get(c.task), None, False
        cap = manifest.seed_cap(c.variant, max_seeds)
        if target is not None and i.df:
            target_seeds = stein_seeds(i.sd, int(i.df), i.n, target, 10**9).seeds
            capped = cap is not None and target_seeds > cap
        wanted = target_seeds if target_seeds is not None else effect_seeds
        if wanted is not None and cap is not None:
            wanted = min(wanted, max(cap, i.n))
        per_seed = [seconds.get(c.variant), seconds.get(manifest.reference)]
        hours = None
        if wanted is not None and None not in per_seed:
            hours = max(0, wanted - i.n) * sum(per_seed) / 3600
        rows.append(PlanRow(c.task, c.variant, c.reference, i.n, i.sd, i.pooled, c.mde,
                            c.effect, effect_seeds, target, target_seeds, capped, hours))
    return rows


def _fmt(value, digits: int = 2) -> str:
    if value is None:
        return 'unknown'
    return f'{value:.{digits}f}' if isinstance(value, float) else str(value)


HEADER = ['task', 'variant', 'n', 'SD of diffs', 'MDE', 'effect', 'seeds for effect',
          'target half-width', 'seeds for target', 'machine hours to add (within max-seeds)']


def text(rows: list[PlanRow]) -> str:
    """A fixed-width table; hours cover the seeds still to add, for the target where one
    is set, else for the effect (the variant's and the reference's jobs)."""
    table = [HEADER]
    for r in rows:
        table.append([r.task, r.variant, str(r.n),
                      '-' if r.sd is None else f'{r.sd:.2f}' + (' pooled' if r.pooled else ''),
                      _fmt(r.mde), '-' if r.effect is None else f'{r.effect:g}',
                      '> 100000' if r.effect is not None and r.seeds_for_effect is None
                      else _fmt(r.seeds_for_effect),
                      '-' if r.target is None else f'{r.target:g}',
                      '-' if r.seeds_for_target is None else
                      f'{r.seeds_for_target}' + (' (over max-seeds)' if r.capped else ''),
                      _fmt(r.hours, 1)])
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    return '\n'.join('  '.join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                     .rstrip() for line in table)
