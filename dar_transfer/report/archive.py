"""Archived campaign results: one ``runs.jsonl`` row per run instead of the work_dirs.

``benchmarks/archive_campaign.py`` writes the rows from a campaign folder; the report
reads them back as the :class:`~.collect.RunRecord` s it would have read from the
work_dirs, so an archive needs neither mmengine's config dumps nor the machine paths
they hold. A row keeps what the report reads (the record's fields) plus what says where
the run came from: its campaign job key and the sha256 of its config dump.

Paths the report is given select rows (see :func:`locate`):

- a folder holding ``runs.jsonl``, or the file itself: every run;
- ``FOLDER/pretrain`` or ``FOLDER/finetune`` (what ``campaign report`` passes), absent
  on disk when FOLDER holds ``runs.jsonl``: the rows of that stage.

Row keys (``ROW_KEYS``; ``None`` where a run has no value):

- ``job``: the campaign job key (``pretrain.dar.s0``, ``finetune.dar.s0.det.f0``,
  ``probe.dar.s0.cifar10``); ``stage``: pretrain, finetune or probe;
- ``task`` (cls, lt, det, inst, pose, seg; ``probe`` for a probe job), ``variant``
  (the record's: the sampling policy or export's variant), ``backbone``;
- ``seed``: the backbone's (pretraining) seed; ``ft_seed``: the fine-tuning seed
  (fine-tunings only); ``pretrain_seed``: the seed export's provenance recorded
  (None for a from-scratch row, so such runs pair by fine-tuning seed alone);
- ``metrics`` {name: value} in the report's names and units ('box AP', 'mIoU'), None
  where missing; ``not_applicable``: names COCO marked -1; ``status``; ``source``
  (``test`` or ``val``: which evaluation the metrics come from);
- ``cost`` (of the pretraining, 1.0 for the baseline), ``wall_s`` (as the run measured
  itself), ``job_seconds`` (the campaign job's, start-up included);
- ``config_sha256`` of the config dump the report read; ``work_dir`` and ``checkpoint``
  relative to the campaign folder (an outside checkpoint as ``external/<hash>/<name>``);
  ``checkpoint_sha256`` where export recorded it;
- ``data``, ``generated_data``, ``pretrain_top1``, ``probes`` {name: top-1},
  ``dar_log`` (the DaR log lines, for the subset plot);
- ``machine``: the kind of machine the run ran on, as its summary recorded it ('' where
  it did not). Rows archived before runs recorded it lack the key and read as ''.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import UsageError
from .records import DOWNSTREAM, RunRecord

RUNS_FILE = 'runs.jsonl'
# A row's ``version``: bump it when a key changes meaning, so an old reader refuses a new
# archive instead of misreading it.
ROW_VERSION = 1
ROW_KEYS = ('version', 'job', 'stage', 'task', 'variant', 'backbone', 'seed', 'ft_seed',
            'pretrain_seed', 'metrics', 'not_applicable', 'status', 'source', 'cost',
            'wall_s', 'job_seconds', 'config_sha256', 'work_dir', 'checkpoint',
            'checkpoint_sha256', 'data', 'generated_data', 'pretrain_top1', 'probes',
            'dar_log', 'machine')
# Keys added to version-1 rows later, with what a row written before them reads as.
LATER_KEYS = {'machine': ''}
# The stages whose rows are report runs; a probe row records a probe job (its results are
# also in the probed backbone's ``probes``, where the report reads them).
RUN_STAGES = ('pretrain', 'finetune')
STAGE_FOLDERS = (*RUN_STAGES, 'probe')


def stage_of(task: str) -> str:
    return 'finetune' if task in DOWNSTREAM else 'pretrain'


def to_row(run: RunRecord, *, job: str, seed: int | None, work_dir: str, checkpoint: str,
           config_sha256: str | None, job_seconds: float | None = None,
           checkpoint_sha256: str | None = None) -> dict:
    """A run as a row. The caller gives what a record holds as machine paths
    (``work_dir``, ``checkpoint``) relative to the campaign folder, and the backbone's
    ``seed`` (the campaign cell's; a fine-tuning's own seed is ``run.seed``)."""
    finetune = stage_of(run.task) == 'finetune'
    return {
        'version': ROW_VERSION, 'job': job, 'stage': stage_of(run.task), 'task': run.task,
        'variant': run.variant, 'backbone': run.backbone,
        'seed': seed if finetune else run.seed, 'ft_seed': run.seed if finetune else None,
        'pretrain_seed': run.pretrain_seed, 'metrics': dict(run.metrics),
        'not_applicable': sorted(run.not_applicable), 'status': run.status,
        'source': run.source, 'cost': run.cost, 'wall_s': run.wall_seconds,
        'job_seconds': job_seconds, 'config_sha256': config_sha256, 'work_dir': work_dir,
        'checkpoint': checkpoint, 'checkpoint_sha256': checkpoint_sha256, 'data': run.data,
        'generated_data': run.generated_data, 'pretrain_top1': run.pretrain_top1,
        'probes': dict(run.probes), 'dar_log': list(run.dar_log), 'machine': run.machine}


def from_row(row: dict, folder: Path) -> RunRecord:
    """The record the report would have read from the run's work_dir; its ``work_dir``
    is ``folder`` joined with the row's (so notes and plot labels name the same run)."""
    finetune = row['stage'] == 'finetune'
    return RunRecord(
        folder / row['work_dir'], row['task'], row['backbone'], row['variant'],
        row['ft_seed'] if finetune else row['seed'], row['cost'], row['status'],
        dict(row['metrics']), row['source'], row['pretrain_top1'], list(row['dar_log']),
        set(row['not_applicable']), row['wall_s'], row['generated_data'],
        row['pretrain_seed'], row['checkpoint'], dict(row['probes']), row['data'],
        row['machine'])


def read_rows(path: Path) -> list[dict]:
    """Every row of a ``runs.jsonl``; ValueError names the file and line that is wrong."""
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise UsageError(f'{path}:{number} is not valid JSON ({error}); rewrite it with '
                             'benchmarks/archive_campaign.py') from error
        if not isinstance(row, dict) or row.get('version') != ROW_VERSION:
            got = row.get('version') if isinstance(row, dict) else type(row).__name__
            raise UsageError(f'{path}:{number}: row version {got!r}, this reader reads '
                             f'version {ROW_VERSION}')
        for key, default in LATER_KEYS.items():
            row.setdefault(key, default)
        missing = [key for key in ROW_KEYS if key not in row]
        if missing:
            raise UsageError(f'{path}:{number} ({row.get("job")}) lacks '
                             f'{", ".join(missing)}; rewrite it with '
                             'benchmarks/archive_campaign.py')
        rows.append(row)
    return rows


def locate(path: str | Path) -> tuple[Path, str | None] | None:
    """(the ``runs.jsonl`` a report path selects, the stage it selects or None for all),
    or None when the path is not an archive (a work_dir or a folder of them)."""
    path = Path(path)
    if path.name == RUNS_FILE and path.is_file():
        return path, None
    if path.is_dir() and (path / RUNS_FILE).is_file():
        return path / RUNS_FILE, None
    # An archive keeps no stage folders: campaign report's FOLDER/pretrain FOLDER/finetune
    # name them anyway, and each selects its stage's rows.
    if not path.exists() and path.name in STAGE_FOLDERS and (
            path.parent / RUNS_FILE).is_file():
        return path.parent / RUNS_FILE, path.name
    return None


def read_archived(paths: list[str | Path]) -> tuple[list[RunRecord], list[str | Path]]:
    """The runs the archive paths among ``paths`` select (each once, in the order of
    their work_dirs), and the other paths, left for :func:`~.collect.find_work_dirs`."""
    selected: dict[tuple[Path, str], RunRecord] = {}
    rest = []
    for path in paths:
        found = locate(path)
        if found is None:
            rest.append(path)
            continue
        file, stage = found
        for row in read_rows(file):
            if row['stage'] in RUN_STAGES and stage in (None, row['stage']):
                selected.setdefault((file.resolve(), row['work_dir']),
                                     from_row(row, file.parent))
    return sorted(selected.values(), key=lambda run: run.work_dir), rest
