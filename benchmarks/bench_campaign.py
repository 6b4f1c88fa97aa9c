"""Campaign overhead: per job against running the same command directly (goal <= 1 s),
and ``campaign status`` of a 500-job campaign (goal <= 1 s).

The jobs run tests/campaign_fake_verb.py in place of the interpreter, so what is timed
is the campaign's own work (records, lock, graph, polling, logs), not training.
Writes benchmarks/results/campaign.json.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dar_transfer.campaign import engine  # noqa: E402
from dar_transfer.campaign.display import table  # noqa: E402
from dar_transfer.campaign.graph import build_jobs  # noqa: E402
from dar_transfer.campaign.manifest import validate  # noqa: E402
from dar_transfer.campaign.state import write_record  # noqa: E402

FAKE = str(ROOT / 'tests' / 'campaign_fake_verb.py')
PRETRAIN = str(ROOT / 'configs/demo/resnet18_pretrain_toy.py')


def manifest(folder: Path, variants: int, seeds: int, ft_seeds: list[int]):
    return validate({'folder': str(folder), 'finetune_seeds': ft_seeds,
                     'variants': [dict(name=f'v{i}', config=PRETRAIN, seeds=list(range(seeds)))
                                  for i in range(variants)]}, folder / 'manifest.py')


def overhead(tmp: Path) -> dict:
    m = manifest(tmp / 'small', 1, 2, [0])  # 2 + 2 + 8 + 3 = 15 jobs
    jobs = build_jobs(m)
    started = time.perf_counter()
    engine.run(m, python=FAKE, jobs=1)
    campaign = time.perf_counter() - started
    started = time.perf_counter()
    for job in jobs:  # the same commands, one after the other, by hand
        subprocess.run([FAKE, '-m', 'dar_transfer.cli', *job.argv], check=True,
                       stdout=subprocess.DEVNULL)
    direct = time.perf_counter() - started
    return {'jobs': len(jobs), 'campaign_s': round(campaign, 2), 'direct_s': round(direct, 2),
            'overhead_per_job_s': round((campaign - direct) / len(jobs), 3)}


def status_500(tmp: Path) -> dict:
    m = manifest(tmp / 'large', 6, 4, list(range(5)))  # 24 + 24 + 480 + 3 = 531 jobs
    jobs = build_jobs(m)
    for job in jobs:  # every job finished: summaries and records, no weights
        job.summary.parent.mkdir(parents=True, exist_ok=True)
        job.summary.write_text('{}')
        write_record(m.folder, job.key, {'state': 'done', 'fingerprint': job.fingerprint(),
                                         'parts': job.parts, 'attempts': 1, 'seconds': 1.0})
    started = time.perf_counter()
    _, statuses = engine.current(m)
    from rich.console import Console
    Console(file=io.StringIO(), width=160).print(table(statuses))
    seconds = time.perf_counter() - started
    assert all(s.state == 'done' for s in statuses.values())
    return {'jobs': len(jobs), 'status_s': round(seconds, 3)}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = {'overhead': overhead(Path(tmp)), 'status': status_500(Path(tmp)),
                  'python': sys.version.split()[0]}
    print(json.dumps(result, indent=2))
    out = ROOT / 'benchmarks' / 'results' / 'campaign.json'
    out.write_text(json.dumps(result, indent=2) + '\n')


if __name__ == '__main__':
    main()
