"""Archive a campaign for git: one runs.jsonl, the manifest, the job records, provenance.json.

A campaign folder holds each run's work_dir (mmengine's config dumps, scalars, test
results, several timestamp folders where a run was retried) and machine paths in many
files. The archive keeps what the report reads, one row per run (the attempt the report
reads, see ``dar_transfer/report/archive.py`` for the row keys), and says how it was
made; no config dump, no weight, no log, no machine path:

    TARGET/runs.jsonl        a row per run (pretrain, finetune) and per probe job
    TARGET/manifest.py       the manifest the campaign ran
    TARGET/jobs/*.json       the job records, the campaign folder written {folder}
    TARGET/provenance.json   code commit, library versions, CPU, when the jobs ran
    TARGET/report/           the campaign's report, if it wrote one (small files only)
    TARGET/precision.json    a precision campaign's plans and seeds, if it has them

    python benchmarks/archive_campaign.py work_dirs/campaigns/real_small_cpu \\
        benchmarks/results/real_small_cpu --manifest configs/campaigns/real_small_cpu.py
    dar-transfer campaign report configs/campaigns/real_small_cpu.py \\
        --cfg-options folder=benchmarks/results/real_small_cpu

A folder of work_dirs that is not a campaign (no ``jobs/``) is archived too: its rows get
job keys in the campaign's form, built from what each run recorded.

A campaign that goes on in a fresh folder (another machine, the weights of the first gone)
is added to its earlier archive with ``--merge``: the archive keeps its rows and job
records of the jobs the new folder did not run, and the new folder's replace the rest.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from importlib import metadata
from pathlib import Path

from dar_transfer.campaign.precision_state import PRECISION_STATE
from dar_transfer.campaign.state import ACTIVE
from dar_transfer.report.archive import ROW_VERSION, RUNS_FILE, to_row
from dar_transfer.report.collect import _run_config, find_work_dirs, read_run
from dar_transfer.report.records import RunRecord
from dar_transfer.utils.machine import cpu_model

REPO = Path(__file__).resolve().parents[1]
PROVENANCE_VERSION = 1
# Distribution names of the libraries a run's numbers depend on, by the name users know.
LIBRARIES = {'torch': 'torch', 'torchvision': 'torchvision', 'mmengine': 'mmengine',
             'mmcv': 'mmcv', 'mmdet': 'mmdet', 'mmseg': 'mmsegmentation', 'mmpose': 'mmpose',
             'numpy': 'numpy', 'scipy': 'scipy'}
# What the mmengine log of a run says about its environment ("System environment:"):
# these keys only; others (CUDA_HOME, the compiler flags) hold machine paths.
LOG_KEYS = ('sys.platform', 'Python', 'PyTorch', 'TorchVision', 'OpenCV', 'MMEngine')
REPORT_SUFFIXES = {'.md', '.json', '.csv', '.tex', '.html', '.png'}
TEXT_SUFFIXES = {'.md', '.json', '.csv', '.tex', '.html', '.py', '.jsonl'}
MAX_REPORT_BYTES = 1024 * 1024  # an embedded-image HTML page is not worth a commit
FOLDER = '{folder}'  # the campaign folder, as the manifest's own paths name it
# An absolute path: a slash at the start of a token (not in a URL, not after {folder}),
# then at least one folder.
ABSOLUTE = re.compile(r'(?<![\w.:/}>~-])/(?:[\w.+-]+/)+')
logger = logging.getLogger('archive_campaign')


class Relativizer:
    """Paths as a campaign recorded them, made relative to its folder.

    The records name the folder as it was where the jobs ran: absolute (a checkout
    elsewhere, ``/work/campaign-run/work_dirs/campaigns/x``) or as the manifest wrote it
    (``work_dirs/campaigns/x``). Each form of the folder is an anchor; a path that holds
    one is the part after it.

    Args:
        folder (Path): the campaign folder being archived.
        recorded (str | None): the manifest's ``folder`` value. Defaults to None.
    """

    def __init__(self, folder: Path, recorded: str | None = None) -> None:
        anchors = {str(folder.resolve()), str(folder).rstrip('/')}
        if recorded:
            anchors.add(str(recorded).rstrip('/'))
        self.anchors = sorted((a for a in anchors if a not in ('', '.')), key=len, reverse=True)
        # An anchor, with any absolute prefix before a relative one (the checkout it ran in).
        self._pattern = re.compile('|'.join(
            r'(?<![\w.+-])(?:/[\w.+-]+)*/?' + re.escape(a.lstrip('/')) + r'(?![\w.+-])'
            for a in self.anchors))

    def path(self, text: str) -> str | None:
        """``text`` relative to the campaign folder, or None when it is outside it."""
        match = self._pattern.search(text)
        if match is None or match.start() != 0:
            return None
        rest = text[match.end():].lstrip('/')
        return rest or '.'

    def checkpoint(self, text: str) -> str:
        """A checkpoint's identity without the machine: relative to the campaign folder,
        else ``external/<12 hex of the path's sha256>/<file name>`` (stable, and two
        outside checkpoints of the same name stay apart)."""
        if not text:
            return ''
        relative = self.path(text)
        if relative is not None:
            return relative
        return f'external/{hashlib.sha256(text.encode()).hexdigest()[:12]}/{Path(text).name}'

    def text(self, text: str, *, folder: bool = True) -> str:
        """The campaign folder written ``{folder}`` (unless ``folder`` is False); any
        other absolute path cut to ``<abs>/`` and its last part."""
        if folder:
            text = self._pattern.sub(FOLDER, text)
        return ABSOLUTE.sub('<abs>/', text)


def scrub(value, rel: Relativizer):
    """Every string of a JSON value through :meth:`Relativizer.text`."""
    if isinstance(value, str):
        return rel.text(value)
    if isinstance(value, list):
        return [scrub(v, rel) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, rel) for k, v in value.items()}
    return value


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(seconds))


# --- the campaign: manifest, jobs, records ------------------------------------------------

def find_manifest(source: Path) -> Path | None:
    """The manifest the campaign ran: ``manifest.py`` in its folder, else the one file
    under ``configs/campaigns/`` whose ``folder`` ends with this folder's name."""
    if (source / 'manifest.py').is_file():
        return source / 'manifest.py'
    folder_line = re.compile(r"""^folder\s*=\s*['"]([^'"]+)['"]""", re.M)
    found = []
    for path in sorted((REPO / 'configs' / 'campaigns').glob('*.py')):
        match = folder_line.search(path.read_text())
        if match and Path(match.group(1)).name == source.resolve().name:
            found.append(path)
    return found[0] if len(found) == 1 else None


def campaign_jobs(manifest_path: Path, source: Path) -> tuple[list, str]:
    """The manifest's jobs with the campaign folder at ``source``, and its own ``folder``."""
    from dar_transfer.campaign.graph import build_jobs
    from dar_transfer.campaign.manifest import load_manifest

    recorded = load_manifest(manifest_path).folder
    return build_jobs(load_manifest(manifest_path, {'folder': str(source)})), str(recorded)


def read_records(source: Path) -> dict[str, dict]:
    records = {}
    for path in sorted((source / 'jobs').glob('*.json')):
        try:
            records[path.stem] = json.loads(path.read_text())
        except json.JSONDecodeError as error:
            raise SystemExit(f'{path} is not valid JSON ({error}); fix or delete it') from error
    return records


def derived_key(run: RunRecord) -> str:
    """A job key in the campaign's form from what the run recorded (no manifest job)."""
    def seed(value: int | None) -> str:
        return 'x' if value is None else str(value)

    if run.task in ('cls', 'lt'):
        return f'pretrain.{run.variant}.s{seed(run.seed)}'
    return f'finetune.{run.variant}.s{seed(run.pretrain_seed)}.{run.task}.f{seed(run.seed)}'


# --- rows --------------------------------------------------------------------------------

def _checkpoint_sha256(config_file: Path) -> str | None:
    """What export recorded of the backbone's checkpoint (``dar_provenance.source_sha256``)."""
    from mmengine.config import Config

    cfg = Config.fromfile(config_file, import_custom_modules=False)
    return (cfg.get('dar_provenance') or {}).get('source_sha256')


def run_rows(source: Path, jobs: list, records: dict[str, dict], rel: Relativizer,
             skip: set[str] = frozenset()) -> tuple[list[dict], list[Path]]:
    """A row per work_dir the report would read, and the config dumps the rows came from
    (the last attempt's, which the report reads; older attempts are left out); none for
    the jobs in ``skip``."""
    by_work_dir = {job.work_dir.resolve(): job for job in jobs if job.work_dir is not None}
    rows, configs = [], []
    for work_dir in find_work_dirs([source]):
        run = read_run(work_dir)
        job = by_work_dir.get(work_dir.resolve())
        if job is None and jobs:
            logger.warning('%s is no job of the manifest: its row gets the key %s',
                           work_dir, derived_key(run))
        key = job.key if job else derived_key(run)
        if key in skip:
            continue
        seed = job.cell['seed'] if job else (run.pretrain_seed if run.task not in (
            'cls', 'lt') else run.seed)
        config = _run_config(work_dir)
        configs.append(config)
        rows.append(to_row(
            run, job=key, seed=seed, work_dir=work_dir.relative_to(source).as_posix(),
            checkpoint=rel.checkpoint(run.checkpoint), config_sha256=sha256_file(config),
            job_seconds=records.get(key, {}).get('seconds'),
            checkpoint_sha256=_checkpoint_sha256(config)))
    return rows, configs


def probe_rows(jobs: list, records: dict[str, dict], runs: list[dict],
               rel: Relativizer) -> list[dict]:
    """A row per probe job that wrote its result: top-1 by '<method> <data>' (the names
    the report's probe columns use), for the backbone's checkpoint."""
    pretrain = {row['job']: row for row in runs}
    rows = []
    for job in (j for j in jobs if j.stage == 'probe' and j.summary.is_file()):
        result = json.loads(job.summary.read_text())
        entries = result.get('checkpoints') or {}
        backbone = pretrain.get(job.deps[0], {}) if job.deps else {}
        metrics, checkpoint, seconds, arch = {}, '', 0.0, None
        for name, entry in entries.items():
            # one checkpoint is the campaign's case; more get the checkpoint's name first
            prefix = f'{name} ' if len(entries) > 1 else ''
            for method, probe in entry.get('probes', {}).items():
                metrics[f'{prefix}{method} {result.get("data_name")}'] = float(probe['top1'])
                seconds += probe.get('probe_seconds') or 0.0
            seconds += entry.get('extract_seconds') or 0.0
            checkpoint = rel.checkpoint(entry.get('path') or '')
            arch = entry.get('arch')
        rows.append({
            'version': ROW_VERSION, 'job': job.key, 'stage': 'probe', 'task': 'probe',
            'variant': backbone.get('variant', job.cell['variant']),
            'backbone': arch or backbone.get('backbone'), 'seed': job.cell['seed'],
            'ft_seed': None, 'pretrain_seed': None, 'metrics': metrics, 'not_applicable': [],
            'status': 'finished', 'source': 'probe', 'cost': backbone.get('cost'),
            'wall_s': round(seconds, 2), 'job_seconds': records.get(job.key, {}).get('seconds'),
            'config_sha256': None, 'work_dir': rel.path(str(job.summary.parent)) or '',
            'checkpoint': checkpoint, 'checkpoint_sha256': None,
            'data': result.get('data_name') or '', 'generated_data': False,
            'pretrain_top1': None, 'probes': {}, 'dar_log': []})
    return rows


# --- provenance --------------------------------------------------------------------------

def git_state(repo: Path) -> dict:
    """HEAD of the checkout that archives, and whether its tracked files differ from it."""
    def git(*args: str) -> str | None:
        try:
            return subprocess.run(['git', '-C', str(repo), *args], check=True,
                                  capture_output=True, text=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    commit = git('rev-parse', 'HEAD')
    status = git('status', '--porcelain', '--untracked-files=no')
    return {'commit': commit, 'dirty': None if status is None else bool(status)}


def environment() -> dict:
    """This process's Python, libraries (installed versions, None where absent) and CPU."""
    versions = {}
    for name, dist in LIBRARIES.items():
        try:
            versions[name] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {'python': platform.python_version(), 'implementation': sys.implementation.name,
            'platform': f'{platform.system()} {platform.machine()}', 'libraries': versions,
            'cpu': cpu_model(), 'cpus': os.cpu_count()}


def logged_environment(configs: list[Path]) -> dict[str, list[str]] | None:
    """The environment the runs' own mmengine logs state (``LOG_KEYS``), each value once,
    from the attempt each row came from; None when no log is there."""
    values: dict[str, set[str]] = defaultdict(set)
    for config in configs:
        stamp = config.parents[1]
        log = stamp / f'{stamp.name}.log'
        if not log.is_file():
            continue
        block = re.search(r'System environment:\n(.*?)\n\s*\n', log.read_text(), re.S)
        for line in (block.group(1).splitlines() if block else []):
            key, _, value = line.strip().partition(': ')
            if key in LOG_KEYS and value:
                values[key].add(value.strip())
    return {k: sorted(v) for k, v in sorted(values.items())} or None


def job_summary(records: dict[str, dict]) -> dict:
    started = [r['started'] for r in records.values() if r.get('started')]
    ended = [r['ended'] for r in records.values() if r.get('ended')]
    return {'records': len(records),
            'states': dict(sorted(Counter(r.get('state', '?') for r in records.values()).items())),
            'first_started': _iso(min(started, default=None)),
            'last_ended': _iso(max(ended, default=None)),
            'hosts': sorted({r['host'] for r in records.values() if r.get('host')}),
            'executors': sorted({r['executor'] for r in records.values() if r.get('executor')})}


def machines(rows: list[dict]) -> dict[str, int]:
    """How many rows ran on each kind of machine, as the runs recorded it (seeded runs
    reproduce on one kind only); rows whose runs did not record it are counted apart."""
    counts = Counter(row.get('machine') or 'not recorded by the run' for row in rows)
    return dict(sorted(counts.items()))


def provenance(rows: list[dict], records: dict[str, dict], configs: list[Path], *,
               runs_commit: str | None, notes: list[str], manifest: str | None) -> dict:
    logged = logged_environment(configs)
    commit_note = ('given by whoever archived it (--runs-commit)' if runs_commit else
                   'unknown: the runs do not record the commit of the code that made them')
    return {
        'version': PROVENANCE_VERSION,
        'manifest': manifest,
        'rows': dict(sorted(Counter(row['stage'] for row in rows).items())),
        'runs': {
            'code_commit': runs_commit, 'code_commit_note': commit_note,
            'environment': logged,
            'environment_note': ("from the runs' mmengine logs (the attempt each row came "
                                 'from)') if logged else
                                'unknown: no mmengine log of these runs was in the folder',
            'machines': machines(rows), 'jobs': job_summary(records)},
        'archived': {'at': _iso(time.time()), 'tool_commit': git_state(REPO),
                     'environment': environment(),
                     'note': 'the checkout and environment that wrote this archive, not '
                             'necessarily those of the runs'},
        'paths': 'runs.jsonl: work_dir and checkpoint relative to the campaign folder; '
                 'jobs/*.json and report/: {folder} is the campaign folder, <abs>/ an '
                 'absolute path left out',
        'notes': notes}


# --- writing -----------------------------------------------------------------------------

def _write_json(path: Path, value, indent: int | None = 1) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=indent) + '\n')


def write_jobs(records: dict[str, dict], target: Path, rel: Relativizer) -> None:
    """The job records, paths scrubbed; records of jobs no longer in the source go."""
    folder = target / 'jobs'
    for stale in folder.glob('*.json'):
        if stale.stem not in records:
            stale.unlink()
    for key, record in records.items():
        _write_json(folder / f'{key}.json', scrub(record, rel))


def copy_report(source: Path, target: Path, rel: Relativizer) -> list[Path]:
    """The campaign's report files (small ones), text scrubbed of paths."""
    copied = []
    for path in sorted((source / 'report').rglob('*')):
        if not path.is_file() or path.suffix not in REPORT_SUFFIXES or \
                path.stat().st_size > MAX_REPORT_BYTES:
            continue
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix in TEXT_SUFFIXES:
            out.write_text(rel.text(path.read_text()))
        else:
            out.write_bytes(path.read_bytes())
        copied.append(out)
    return copied


def absolute_paths(folder: Path) -> list[str]:
    """'file: path' for each absolute path left in the archive's text files."""
    found = []
    for path in sorted(p for p in folder.rglob('*') if p.is_file()):
        if path.suffix in TEXT_SUFFIXES:
            found += [f'{path}: {m.group(0)}' for m in ABSOLUTE.finditer(path.read_text())]
    return found


def earlier_archive(target: Path) -> tuple[list[dict], dict[str, dict], dict]:
    """The rows, job records and provenance of the archive already at ``target``."""
    from dar_transfer.report.archive import read_rows

    if not (target / RUNS_FILE).is_file():
        raise SystemExit(f'--merge: {target} holds no archive ({RUNS_FILE} is missing); '
                         'archive without --merge to start one')
    records = {path.stem: json.loads(path.read_text())
               for path in sorted((target / 'jobs').glob('*.json'))}
    provenance_file = target / 'provenance.json'
    old = json.loads(provenance_file.read_text()) if provenance_file.is_file() else {}
    return read_rows(target / RUNS_FILE), records, old


def _merged_environment(new: dict | None, old: dict | None) -> dict | None:
    values = defaultdict(set)
    for env in (new or {}, old or {}):
        for key, seen in env.items():
            values[key].update(seen)
    return {k: sorted(v) for k, v in sorted(values.items())} or None


def archive(source: Path, target: Path, *, manifest: Path | None = None,
            runs_commit: str | None = None, notes: list[str] = (),
            merge: bool = False) -> list[dict]:
    """Write the archive of ``source`` into ``target``; returns its rows. ``merge`` keeps
    the rows and records of the archive at ``target`` whose jobs ``source`` did not run."""
    if not source.is_dir():
        raise SystemExit(f'{source} is not a folder')
    campaign = (source / 'jobs').is_dir()
    manifest = manifest or (find_manifest(source) if campaign else None)
    if campaign and manifest is None:
        raise SystemExit(f'{source} is a campaign folder, but its manifest was not found: '
                         'name it with --manifest')
    jobs, recorded = campaign_jobs(manifest, source) if manifest else ([], None)
    rel = Relativizer(source, recorded)
    records = read_records(source) if campaign else {}
    # a job still running (a campaign archived as its results come) has no result yet, and
    # its work_dir holds a partial run: left out, with the archive's earlier row on --merge
    active = sorted(k for k, r in records.items() if r.get('state') in ACTIVE)
    if active:
        logger.warning('left out %d jobs still running or submitted (%s): archive again with '
                       '--merge once they have ended', len(active), ', '.join(active))
        records = {k: r for k, r in records.items() if k not in active}
    rows, configs = run_rows(source, jobs, records, rel, skip=set(active))
    rows += probe_rows(jobs, records, rows, rel)
    earlier: dict = {}
    if merge:
        old_rows, old_records, earlier = earlier_archive(target)
        ran = {row['job'] for row in rows}
        kept = [row for row in old_rows if row['job'] not in ran]
        rows += kept
        records = {**{k: r for k, r in old_records.items() if k not in records}, **records}
        notes = [*earlier.get('notes', []), *notes,
                 f'merged: {len(kept)} rows kept from the archive this one was added to'
                 f' (its first part archived at {earlier.get("archived", {}).get("at")})']
    order = {job.key: i for i, job in enumerate(jobs)}
    rows.sort(key=lambda row: (order.get(row['job'], len(order)), row['job'], row['work_dir']))

    target.mkdir(parents=True, exist_ok=True)
    (target / RUNS_FILE).write_text(''.join(json.dumps(row) + '\n' for row in rows))
    if manifest:
        # as it ran: its own folder stays (a manifest reads it), absolute paths do not
        (target / 'manifest.py').write_text(rel.text(manifest.read_text(), folder=False))
    write_jobs(records, target, rel)
    copy_report(source, target, rel)
    if (source / PRECISION_STATE).is_file():  # no paths in it: targets, plans, seeds
        (target / PRECISION_STATE).write_text((source / PRECISION_STATE).read_text())
    where = (manifest.resolve().relative_to(REPO).as_posix()
             if manifest and manifest.resolve().is_relative_to(REPO) else
             manifest.name if manifest else None)
    written = provenance(rows, records, configs, runs_commit=runs_commit, notes=list(notes),
                         manifest=where)
    if earlier:
        runs = written['runs']
        runs['environment'] = _merged_environment(
            runs['environment'], earlier.get('runs', {}).get('environment'))
        runs['environment_note'] += '; merged with the earlier archive\'s'
    _write_json(target / 'provenance.json', written, indent=2)
    for line in absolute_paths(target):
        logger.warning('absolute path left in the archive: %s', line)
    return rows


def stage_times(folder: Path) -> str:
    """Markdown: each stage's finished jobs and their wall time (min to max, median) from
    the job records of the last attempt."""
    seconds = defaultdict(list)
    for record in sorted((folder / 'jobs').glob('*.json')):
        data = json.loads(record.read_text())
        if data.get('state') == 'done' and data.get('seconds') is not None:
            seconds[data['key'].split('.')[0] + (f" {data['key'].split('.')[3]}"
                                                 if data['key'].startswith('finetune')
                                                 else '')].append(data['seconds'])
    lines = ['| stage | jobs | seconds, min to max | median |', '|---|---|---|---|']
    for stage, values in sorted(seconds.items()):
        values.sort()
        lines.append(f'| {stage} | {len(values)} | {values[0]:.0f} to {values[-1]:.0f} | '
                     f'{values[len(values) // 2]:.0f} |')
    return '\n'.join(lines)


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('source', type=Path, help='the campaign folder (or a folder of runs)')
    parser.add_argument('target', type=Path, help='where the archive goes')
    parser.add_argument('--manifest', type=Path,
                        help="the campaign's manifest (default: SOURCE/manifest.py, else the "
                             'configs/campaigns/ file whose folder has the same name)')
    parser.add_argument('--runs-commit',
                        help='the commit of the code that made the runs, where it is known')
    parser.add_argument('--note', action='append', default=[],
                        help='a sentence for provenance.json (repeat for more)')
    parser.add_argument('--merge', action='store_true',
                        help='add to the archive at TARGET: keep its rows and job records of '
                             'jobs SOURCE did not run (a campaign resumed in a fresh folder)')
    parser.add_argument('--times', action='store_true',
                        help="also print each stage's wall times from the job records")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = get_args_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(message)s')
    rows = archive(args.source, args.target, manifest=args.manifest,
                   runs_commit=args.runs_commit, notes=args.note, merge=args.merge)
    size = sum(p.stat().st_size for p in args.target.rglob('*') if p.is_file())
    print(f'{len(rows)} rows; {args.target} holds {size / 1024:.0f} KiB')
    if args.times:
        print(stage_times(args.target))
    return 0


if __name__ == '__main__':
    sys.exit(main())
