"""The campaign's table (rich) and its ETA from the durations measured so far.

``status`` prints the table once; ``run`` redraws it live on a terminal, and elsewhere
(a log, a pipe, CI) prints one quiet line per finished job, as the demo always has.
"""
from __future__ import annotations

import time
from statistics import mean
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from .graph import Job
from .state import JobStatus

STYLE = {'done': 'green', 'failed': 'red', 'running': 'cyan', 'outdated': 'yellow',
         'rerun': 'yellow', 'interrupted': 'yellow', 'blocked': 'red', 'submitted': 'cyan'}


def eta_seconds(statuses: dict[str, JobStatus], parallel: int = 1) -> float | None:
    """Remaining wall time: each job left takes its stage's mean measured duration."""
    measured: dict[str, list[float]] = {}
    for s in statuses.values():
        if s.state == 'done' and s.record.get('seconds') is not None:
            measured.setdefault(s.job.stage, []).append(s.record['seconds'])
    if not measured:
        return None
    overall = mean(x for xs in measured.values() for x in xs)
    left = 0.0
    now = time.time()
    for s in statuses.values():
        if s.state == 'done':
            continue
        guess = mean(measured[s.job.stage]) if s.job.stage in measured else overall
        if s.state == 'running' and s.record.get('started'):
            guess = max(0.0, guess - (now - s.record['started']))
        left += guess
    return left / max(1, parallel)


def _duration(s: JobStatus) -> str:
    rec = s.record
    if s.state == 'running' and rec.get('started'):
        return f'{time.time() - rec["started"]:.0f} s'
    return f'{rec["seconds"]:.0f} s' if rec.get('seconds') is not None else ''


def table(statuses: dict[str, JobStatus], parallel: int = 1) -> Table:
    counts: dict[str, int] = {}
    for s in statuses.values():
        counts[s.state] = counts.get(s.state, 0) + 1
    eta = eta_seconds(statuses, parallel)
    caption = ', '.join(f'{n} {state}' for state, n in sorted(counts.items()))
    caption += f'; ETA {eta / 60:.1f} min' if eta else ''
    grid = Table(caption=caption, box=None, pad_edge=False)
    for name in ('job', 'state', 'tries', 'time', 'why'):
        grid.add_column(name, no_wrap=name != 'why')
    for s in statuses.values():
        why = s.reason.splitlines()[0] if s.reason else ''
        grid.add_row(s.job.key, f'[{STYLE.get(s.state, "")}]{s.state}[/]' if s.state in STYLE
                     else s.state, str(s.record.get('attempts', 0) or ''), _duration(s), why)
    return grid


class Progress:
    """Live table on a terminal, one line per finished job elsewhere."""

    def __init__(self, statuses: dict[str, JobStatus], terminal: TextIO, *,
                 parallel: int = 1, live: bool | None = None) -> None:
        self.console = Console(file=terminal, highlight=False)
        self.statuses = statuses
        self.parallel = parallel
        self.live = self.console.is_terminal if live is None else live
        self._live = Live(console=self.console, auto_refresh=False) if self.live else None

    def __enter__(self) -> Progress:
        if self._live:
            self._live.start()
            self._live.update(table(self.statuses, self.parallel), refresh=True)
        else:
            for s in self.statuses.values():
                if s.state == 'done':
                    self.console.print(f'{s.job.key:<36} done earlier (kept)')
        return self

    def __exit__(self, *exc) -> None:
        if self._live:
            self._live.stop()

    def event(self, kind: str, job: Job, record: dict) -> None:
        old = self.statuses[job.key]
        self.statuses[job.key] = JobStatus(job, kind, record.get('note', ''), record)
        if self._live:
            self._live.update(table(self.statuses, self.parallel), refresh=True)
        elif kind == 'done':
            self.console.print(f'{job.key:<36} done in {record.get("seconds", 0):5.0f} s')
        elif kind in ('failed', 'blocked'):
            first = (record.get('note') or old.reason).splitlines()[0]
            self.console.print(f'{job.key:<36} {kind}: {first}')
