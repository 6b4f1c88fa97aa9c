"""Jobs whose results live in an archive (``runs.jsonl``) instead of work_dirs.

``benchmarks/archive_campaign.py`` keeps each job's record, with the campaign folder
written ``{folder}``, and one row per run in ``runs.jsonl``; the summaries, logs and
weights stay behind. Read through the manifest with ``folder=ARCHIVE`` (how ``campaign
status``, ``plan`` and ``report`` of an archive run), every job would look outdated: a
command that names the folder has another fingerprint there, and its dependents follow.
A recorded job counts as done, "archived", only while it is still the manifest's job:

- every fingerprint part but the command's and the inputs' is the record's;
- the command, its ``{folder}`` read as the archive, has the job's fingerprint;
- every job it depends on is done or archived (that stands in for the inputs' part);
- a job that makes runs (pretraining, fine-tuning, probe) has its row in ``runs.jsonl``.

So a changed manifest (another preset, config or seed) still shows as outdated.
"""
from __future__ import annotations

import shlex
from pathlib import Path

from ..report.archive import RUNS_FILE, read_rows
from .graph import Job, argv_digest

FOLDER = '{folder}'
# the parts a moved folder changes: checked through the command and the dependencies
MOVED = ('argv', 'input')
ROWLESS = ('export', 'report')  # stages that add no row to runs.jsonl


def _command_matches(job: Job, record: dict, folder: Path) -> bool:
    if 'argv' not in job.parts:  # the command is not part of this job's fingerprint
        return True
    command = record.get('command')
    if not isinstance(command, str):
        return False
    try:
        argv = shlex.split(command.replace(FOLDER, str(folder)))[1:]  # after dar-transfer
    except ValueError:  # an unbalanced quote: a hand-edited record
        return False
    return argv_digest(argv) == job.parts['argv']


def _same_job(job: Job, record: dict, folder: Path) -> bool:
    recorded = record.get('parts')
    if not isinstance(recorded, dict):
        return False
    fixed = {k: v for k, v in job.parts.items() if k not in MOVED}
    return ({k: v for k, v in recorded.items() if k not in MOVED} == fixed
            and _command_matches(job, record, folder))


def archived_keys(folder: Path, jobs: list[Job], records: dict[str, dict],
                  done: set[str]) -> tuple[set[str], set[str]]:
    """(the jobs ``folder``'s archive holds as done, the jobs it would hold but for their
    row missing from ``runs.jsonl``); ``jobs`` in dependency order, ``done``: the jobs done
    in the ordinary way (summary on disk, fingerprint equal)."""
    path = folder / RUNS_FILE
    if not path.is_file():
        return set(), set()
    rows = {row['job'] for row in read_rows(path)}
    out: set[str] = set()
    rowless: set[str] = set()
    for job in jobs:
        record = records.get(job.key, {})
        if job.key in done or record.get('state') != 'done':
            continue
        if _same_job(job, record, folder) and all(d in done or d in out for d in job.deps):
            (out if job.stage in ROWLESS or job.key in rows else rowless).add(job.key)
    return out, rowless
