"""Per-job records, the folder lock, and what each job needs: the state a rerun reads.

A record is a small JSON file per job in ``{folder}/jobs/`` (state, attempts, times,
exit code, log, scheduler id, fingerprint), written atomically so a crash or a full
disk never leaves a torn or false "done" record. A job is done only when its verb wrote
its summary and its fingerprint matches the manifest's; records, summaries and logs
are small and may be committed to git, while weights are not, so a done job whose
artifacts a pending dependent needs is run again.
"""
from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from ..report.archive import RUNS_FILE
from .archived import archived_keys
from .graph import Job, dependents

ACTIVE = ('running', 'submitted')


def record_path(folder: Path, key: str) -> Path:
    return folder / 'jobs' / f'{key}.json'


def read_record(folder: Path, key: str) -> dict:
    path = record_path(folder, key)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError:  # only a hand edit can do this: records are atomic
        return {'state': 'unknown', 'note': f'unreadable record {path}'}


def write_json_atomic(path: Path, data: dict) -> None:
    """Write JSON through a temporary file and a rename: a crash leaves the old file or
    the new one, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f'.tmp{os.getpid()}')
    tmp.write_text(json.dumps(data, indent=1) + '\n')
    os.replace(tmp, path)


def write_record(folder: Path, key: str, record: dict) -> None:
    write_json_atomic(record_path(folder, key), record)


@dataclass
class JobStatus:
    """What a job needs now: ``done``, ``run`` (with the reason) or ``wait``."""

    job: Job
    state: str  # done | pending | outdated | failed | running | submitted | rerun
    reason: str
    record: dict

    @property
    def needs_run(self) -> bool:
        return self.state not in ('done', 'running', 'submitted')


def _changed(old: dict, new: dict) -> str:
    names = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    words = {'config': 'config', 'options': 'cfg_options/seed', 'input': 'its input job',
             'argv': 'command', 'user_config': 'task config', 'suite': 'preset settings'}
    return ', '.join(words.get(n, n) for n in names) or 'fingerprint'


def _own_status(job: Job, record: dict) -> JobStatus:
    state = record.get('state', 'pending')
    fingerprint = job.fingerprint()
    if state == 'running' and record.get('executor') == 'local' and (
            record.get('host') == socket.gethostname() and not _alive(record.get('pid'))):
        return JobStatus(job, 'interrupted', f'its process (pid {record.get("pid")}) is gone',
                         record)
    if state in ACTIVE:
        return JobStatus(job, state, record.get('note', ''), record)
    if record and record.get('fingerprint') not in (None, fingerprint):
        return JobStatus(job, 'outdated', 'manifest changed: '
                         f'{_changed(record.get("parts", {}), job.parts)}', record)
    if state == 'done' and job.summary.exists():
        return JobStatus(job, 'done', '', record)
    if state == 'done':
        return JobStatus(job, 'rerun', f'summary {job.summary} is missing', record)
    if state == 'failed':
        return JobStatus(job, 'failed', record.get('note', ''), record)
    return JobStatus(job, 'pending', '', record)


def missing_artifacts(job: Job) -> list[str]:
    """Artifacts of ``job`` that are gone; a ``last_checkpoint`` pointer counts only with
    the checkpoint it names (weights are not committed, the pointer may be)."""
    missing = []
    for path in job.artifacts:
        if path.name == 'last_checkpoint' and path.is_file():
            path = Path(path.read_text().strip())
        if not path.exists():
            missing.append(str(path))
    return missing


def evaluate(folder: Path, jobs: list[Job], records: dict[str, dict] | None = None
             ) -> dict[str, JobStatus]:
    """The status of every job; ``jobs`` must be in dependency order.

    Walks the graph backwards: a done job whose artifacts are gone (weights are not
    committed) runs again only when a dependent that will run needs them. In an archive
    the jobs it holds are done (:mod:`.archived`).
    """
    records = records if records is not None else {j.key: read_record(folder, j.key)
                                                   for j in jobs}
    out = {j.key: _own_status(j, records.get(j.key, {})) for j in jobs}
    done = {k for k, status in out.items() if status.state == 'done'}
    archived, rowless = archived_keys(folder, jobs, records, done)  # runs.jsonl's results
    for key in archived:
        out[key] = JobStatus(out[key].job, 'done', f'archived ({RUNS_FILE})', records[key])
    for key in rowless:
        out[key] = JobStatus(out[key].job, 'rerun', f'its record says done, but {RUNS_FILE} '
                             'has no row for it', records[key])
    after = dependents(jobs)
    for job in reversed(jobs):
        status = out[job.key]
        if status.state != 'done':
            continue
        waiting = [k for k in after[job.key] if out[k].needs_run]
        missing = missing_artifacts(job)
        if waiting and missing:
            out[job.key] = JobStatus(job, 'rerun', f'done, but {missing[0]} is missing and '
                                     f'{waiting[0]} needs it', status.record)
    for job in jobs:  # a report reads every result: it follows any input that runs again
        status = out[job.key]
        rerun = [d for d in job.deps if out[d].needs_run]
        if job.stage == 'report' and status.state == 'done' and rerun:
            out[job.key] = JobStatus(job, 'rerun', f'{rerun[0]} runs again', status.record)
    return out


class CampaignLocked(RuntimeError):
    """Another ``campaign run`` holds the folder."""


class FolderLock:
    """``{folder}/campaign.lock``, created exclusively, naming the pid and host.

    A lock left by a process that no longer runs on this host is taken over with a
    note; one held on another host is never broken (its process may be alive).
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / 'campaign.lock'
        self.taken_over: dict | None = None

    def __enter__(self) -> FolderLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        info = {'pid': os.getpid(), 'host': socket.gethostname(), 'since': time.time()}
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder.get('host') == info['host'] and not _alive(holder.get('pid')):
                    self.taken_over = holder
                    self.path.unlink(missing_ok=True)
                    continue
                raise CampaignLocked(
                    f'campaign folder {self.path.parent} is in use by pid {holder.get("pid")} '
                    f'on host {holder.get("host")} (lock {self.path}); wait for it to end, or '
                    'delete the lock file if that process is gone') from None
            with os.fdopen(fd, 'w') as file:
                file.write(json.dumps(info))
            return self
        raise CampaignLocked(f'could not take the lock {self.path}')

    def _holder(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except (OSError, json.JSONDecodeError):
            return {}

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)


def _alive(pid) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
