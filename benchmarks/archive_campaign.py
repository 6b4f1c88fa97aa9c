"""Copy a campaign's small result files (no weights, no logs) into a folder for git.

What `dar-transfer campaign report` and `report` read is kept: the job records, the run
summaries, mmengine's dumped configs, scalars and test results, DaR logs, export
metadata and probe results, and the report itself. Weights (``*.pth``) and log files
stay behind, so the copy is small enough to commit under ``benchmarks/results/``.

    python benchmarks/archive_campaign.py work_dirs/campaigns/real_small_cpu \\
        benchmarks/results/real_small_cpu
    dar-transfer campaign report configs/campaigns/real_small_cpu.py \\
        --cfg-options folder=benchmarks/results/real_small_cpu
"""
from __future__ import annotations

import argparse
import json
import shutil
from collections import defaultdict
from pathlib import Path

KEEP_SUFFIXES = {'.json', '.jsonl', '.py', '.md', '.html', '.png', '.csv', '.tex'}
KEEP_NAMES = {'last_checkpoint'}
MAX_BYTES = 2 * 1024 * 1024  # a bigger file is not a result summary


def run_config_copy(path: Path) -> bool:
    """mmengine writes a run's config beside the run and again as
    <timestamp>/vis_data/config.py, the one the report reads: keep that one only."""
    return path.suffix == '.py' and any(
        (d / 'vis_data' / 'config.py').is_file() for d in path.parent.iterdir() if d.is_dir())


def kept(path: Path) -> bool:
    if run_config_copy(path):
        return False
    return (path.suffix in KEEP_SUFFIXES or path.name in KEEP_NAMES) and \
        path.stat().st_size <= MAX_BYTES


def archive(source: Path, target: Path) -> list[Path]:
    """Copy what ``kept`` selects, keeping the layout; files already equal are skipped."""
    if not (source / 'jobs').is_dir():
        raise SystemExit(f'{source} is not a campaign folder (it has no jobs/ records)')
    copied = []
    for path in sorted(p for p in source.rglob('*') if p.is_file()):
        if 'logs' in path.relative_to(source).parts[:1] or not kept(path):
            continue
        out = target / path.relative_to(source)
        if out.exists() and out.read_bytes() == path.read_bytes():
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)
        copied.append(out)
    return copied


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('source', type=Path, help='the campaign folder')
    parser.add_argument('target', type=Path, help='where the copy goes')
    parser.add_argument('--times', action='store_true',
                        help="also print each stage's wall times from the job records")
    args = parser.parse_args()
    copied = archive(args.source, args.target)
    size = sum(p.stat().st_size for p in args.target.rglob('*') if p.is_file())
    print(f'{len(copied)} files updated; {args.target} holds {size / 1024:.0f} KiB')
    if args.times:
        print(stage_times(args.target))


if __name__ == '__main__':
    main()
