"""What ``campaign run|status|report`` do, as functions of a manifest (no argparse here).

The local executor runs the jobs and returns; the Slurm executor gets every job that
is not done, chained by ``afterok`` dependencies, and ``status`` asks it later what
became of them. Both keep their state in the job records only, so no daemon is needed.
"""
from __future__ import annotations

import errno
import fnmatch
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from ..errors import UsageError
from .graph import Job, build_jobs
from .local import LocalExecutor, command_line, log_tail, prepare
from .manifest import Manifest
from .state import ACTIVE, FolderLock, JobStatus, evaluate, read_record, write_record

SCHEDULER_FAILED = ('FAILED', 'CANCELLED', 'TIMEOUT')


def check_writable(folder: Path) -> None:
    """Fail (OSError, exit 1) before any job starts when the folder cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / '.write-test'
        probe.write_text('ok')
        probe.unlink()
    except OSError as error:
        what = 'the disk is full' if error.errno == errno.ENOSPC else error.strerror
        raise OSError(error.errno, f'cannot write to the campaign folder {folder}: {what}; '
                                   'free space or set another folder (manifest key folder)') \
            from error


def write_job_configs(jobs: list[Job]) -> None:
    """The configs the campaign writes for its fine-tunings (only when they change)."""
    for job in jobs:
        if job.config_path is None:
            continue
        if not job.config_path.exists() or job.config_path.read_text() != job.config_text:
            job.config_path.parent.mkdir(parents=True, exist_ok=True)
            job.config_path.write_text(job.config_text)


def refresh_scheduler(folder: Path, jobs: list[Job], records: dict[str, dict],
                      executor) -> None:
    """Update the records of submitted jobs from the scheduler's states, then summaries."""
    active = {k: r for k, r in records.items()
              if r.get('state') in ACTIVE and r.get('executor') == 'slurm'}
    if not active:
        return
    states = executor.states([r['scheduler_id'] for r in active.values()])
    by_key = {j.key: j for j in jobs}
    for key, record in active.items():
        state = states.get(record['scheduler_id'], 'UNKNOWN')
        new = dict(record)
        if state == 'COMPLETED':
            done = by_key[key].summary.exists()
            new.update(state='done' if done else 'failed', ended=time.time(),
                       note='' if done else f'completed without writing {by_key[key].summary}')
        elif state in SCHEDULER_FAILED:
            new.update(state='failed', ended=time.time(),
                       note=f'Slurm says {state}; last lines of {record.get("log")}:\n'
                            f'{log_tail(Path(record.get("log", "")))}')
        elif state == 'RUNNING':
            new['state'] = 'running'
        elif state == 'PENDING':
            new['state'] = 'submitted'
        if new != record:
            records[key] = new
            write_record(folder, key, new)


def slurm_executor(folder: Path):
    from .slurm import SlurmExecutor  # submitit only where Slurm is used

    return SlurmExecutor(folder)


def current(manifest: Manifest, *, executor=None) -> tuple[list[Job], dict[str, JobStatus]]:
    """Every job and its status; asks the scheduler about submitted jobs first."""
    jobs = build_jobs(manifest)
    records = {j.key: read_record(manifest.folder, j.key) for j in jobs}
    if any(r.get('executor') == 'slurm' and r.get('state') in ACTIVE for r in records.values()):
        refresh_scheduler(manifest.folder, jobs, records, executor or slurm_executor(
            manifest.folder))
    return jobs, evaluate(manifest.folder, jobs, records)


def plan_lines(jobs: list[Job], statuses: dict[str, JobStatus]) -> list[str]:
    return [f'{s.state:<11} {command_line(j)}' + (f'   # {s.reason}' if s.reason else '')
            for j in jobs for s in [statuses[j.key]] if s.needs_run]


def submit_all(manifest: Manifest, jobs: list[Job], statuses: dict[str, JobStatus],
               executor) -> dict[str, str]:
    """Submit every job that is not done, in order, each after its unfinished deps."""
    ids: dict[str, str] = {k: s.record['scheduler_id'] for k, s in statuses.items()
                           if s.state in ACTIVE and s.record.get('scheduler_id')}
    for job in jobs:
        status = statuses[job.key]
        if not status.needs_run:
            continue
        resources = manifest.resources[job.stage]
        # the whole command, as the local executor runs it (SlurmExecutor's contract)
        argv = [sys.executable, '-m', 'dar_transfer.cli', *prepare(job, status)]
        if (resources.get('gpus') or 0) > 1 and job.stage in ('pretrain', 'finetune'):
            argv += ['--launcher', 'slurm']  # one task per GPU under srun
        log = manifest.folder / 'logs' / f'{job.key}.log'
        log.parent.mkdir(parents=True, exist_ok=True)
        after = [ids[d] for d in job.deps if d in ids]
        ids[job.key] = executor.submit(job.key, argv, after=after, resources=resources,
                                       log_path=log, env={})
        write_record(manifest.folder, job.key, {
            **status.record, 'key': job.key, 'state': 'submitted', 'executor': 'slurm',
            'scheduler_id': ids[job.key], 'attempts': status.record.get('attempts', 0) + 1,
            'log': str(log), 'command': command_line(job), 'started': time.time(),
            'ended': None, 'exit_code': None, 'fingerprint': job.fingerprint(),
            'parts': job.parts, 'note': ''})
    return ids


def select_variants(manifest: Manifest, graph: list[Job], names: list[str] | None) -> list[Job]:
    """The jobs of the named variants only (no report jobs); ValueError names an unknown one."""
    if not names:
        return graph
    _check_known('--variants', names, [v.name for v in manifest.variants], 'variants')
    return [j for j in graph if j.cell.get('variant') in names]


def _check_known(flag: str, names: list[str], known: list[str], what: str) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f'{flag}: {", ".join(unknown)} not in the manifest; its {what} are '
                         f'{", ".join(known)}')


def select(manifest: Manifest, graph: list[Job], variants: list[str] | None = None,
           tasks: list[str] | None = None) -> list[Job]:
    """``run --variants/--tasks``: the named variants' jobs, and of those only the named
    tasks' fine-tunings with what they need (their pretrainings and exports, no probes or
    report); UsageError names an unknown variant or task."""
    jobs = select_variants(manifest, graph, variants)
    if not tasks:
        return jobs
    _check_known('--tasks', tasks, [t.name for t in manifest.tasks], 'tasks')
    keep = {j.key for j in jobs if j.stage == 'finetune' and j.cell['task'] in tasks}
    by_key = {j.key: j for j in graph}
    todo = list(keep)
    while todo:  # the dependencies of what is kept, transitively
        for dep in by_key[todo.pop()].deps:
            if dep not in keep:
                keep.add(dep)
                todo.append(dep)
    return [j for j in graph if j.key in keep]


def run(manifest: Manifest, *, executor: str = 'local', jobs: int | None = None,
        display_factory: Callable | None = None, slurm=None,
        python: str | None = None, variants: list[str] | None = None,
        tasks: list[str] | None = None) -> dict[str, JobStatus]:
    """``campaign run``: lock the folder, run (or submit) what is not done; ``variants``
    and ``tasks`` restrict the run to those jobs (:func:`select`; the report is then left
    to ``report``)."""
    check_writable(manifest.folder)
    with FolderLock(manifest.folder):
        graph, statuses = current(manifest, executor=slurm)
        selected = select(manifest, graph, variants, tasks)
        write_job_configs(selected)
        if executor == 'slurm':
            submit_all(manifest, selected, statuses, slurm or slurm_executor(manifest.folder))
        else:
            local = LocalExecutor(manifest.folder, jobs=jobs, **({'python': python} if python
                                                                 else {}))
            shown = {j.key: statuses[j.key] for j in selected}
            if display_factory is None:
                local.run(selected, statuses, lambda *a: None)
            else:
                with display_factory(shown, local.jobs) as display:
                    local.run(selected, statuses, display.event)
        return evaluate(manifest.folder, graph)


def _stamp_accepted(folder: Path, status: JobStatus) -> None:
    """Give a finished job the current fingerprint, keeping the one it ran under."""
    record = status.record
    history = [*record.get('accepted', []), {
        'at': time.time(), 'was': status.reason,
        'fingerprint': record.get('fingerprint'), 'parts': record.get('parts', {})}]
    write_record(folder, status.job.key, {
        **record, 'fingerprint': status.job.fingerprint(),
        'parts': status.job.parts, 'accepted': history})


def accept(manifest: Manifest, patterns: list[str], *, dry_run: bool = False
           ) -> tuple[list[tuple[str, str]], list[str]]:
    """``campaign accept``: keep the results of finished jobs that an edit marked outdated.

    For an edit the user knows leaves those results valid (a comment, another task's
    preset, a fingerprint formula): each job whose key matches a pattern (``fnmatch``),
    finished and outdated, gets the current fingerprint, and its record keeps what
    changed. Returns the accepted (job, what changed) and the matched outdated jobs left
    out because they never finished (``campaign run`` runs them). ValueError, before any
    record is written, for a pattern that matches no job.
    """
    with nullcontext() if dry_run else FolderLock(manifest.folder):  # read what it writes
        graph, statuses = current(manifest)
        matched = {p: {j.key for j in graph if fnmatch.fnmatchcase(j.key, p)}
                   for p in patterns}
        unmatched = [p for p, keys in matched.items() if not keys]
        if not patterns or unmatched:
            raise UsageError(f'campaign accept: no job matches {", ".join(unmatched) or "nothing"};'
                             ' name jobs as `campaign status` lists them, e.g. '
                             "'finetune.*.det.*'")
        keys = set().union(*matched.values())
        finished, left_out = [], []
        for job in graph:
            status = statuses[job.key]
            if job.key not in keys or status.state != 'outdated':
                continue
            if status.record.get('state') == 'done' and job.summary.exists():
                finished.append(status)
            else:
                left_out.append(job.key)
        if not dry_run:
            for status in finished:
                _stamp_accepted(manifest.folder, status)
    return [(s.job.key, s.reason) for s in finished], left_out


def missing_cells(statuses: dict[str, JobStatus]) -> list[dict]:
    """The fine-tuning cells of the table that have no result, and why."""
    return [{**s.job.cell, 'job': k, 'state': s.state, 'why': s.reason.splitlines()[0]
             if s.reason else ''}
            for k, s in statuses.items() if s.job.stage == 'finetune' and s.state != 'done']


def status_json(statuses: dict[str, JobStatus]) -> list[dict]:
    return [{'job': k, 'stage': s.job.stage, **s.job.cell, 'state': s.state, 'why': s.reason,
             'attempts': s.record.get('attempts', 0), 'seconds': s.record.get('seconds'),
             'log': s.record.get('log'), 'scheduler_id': s.record.get('scheduler_id'),
             'command': command_line(s.job)} for k, s in statuses.items()]
