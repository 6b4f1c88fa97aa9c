"""The demo's wall and CPU time, against another checkout's demo, runs alternating.

Issue 20 asks the demo, now a campaign of subprocess jobs, to take the same time as the
in-process demo it replaced, or less. Each run is ``python -m dar_transfer.cli demo`` in a
fresh folder, with its checkout first on PYTHONPATH. CPU time is the whole machine's
busy time from /proc/stat over the run (jobs forked by a server are not children the
demo waits for, so its rusage would miss them); run it on an otherwise idle machine.

    python benchmarks/bench_demo.py --against ../old-checkout --runs 2

Writes benchmarks/results/demo_timing.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / 'benchmarks' / 'results' / 'demo_timing.json'


def busy_seconds() -> float:
    """CPU seconds spent busy on all cores since boot (user, nice, system, irq, steal)."""
    fields = [int(v) for v in Path('/proc/stat').read_text().split('\n')[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf('SC_CLK_TCK')


def cpu_model() -> str:
    for line in Path('/proc/cpuinfo').read_text().splitlines():
        if line.startswith('model name'):
            return line.split(':', 1)[1].strip()
    return platform.processor()


def commit(tree: Path) -> str:
    return subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=tree,
                           capture_output=True, text=True).stdout.strip()


def run_demo(tree: Path, out: Path) -> dict:
    env = {**os.environ, 'PYTHONPATH': str(tree)}
    cpu, wall = busy_seconds(), time.perf_counter()
    done = subprocess.run([sys.executable, '-m', 'dar_transfer.cli', 'demo', '--out', str(out)],
                          cwd=tree, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - wall, busy_seconds() - cpu
    if done.returncode:
        sys.exit(f'the demo in {tree} failed ({done.returncode}):\n{done.stderr[-3000:]}')
    return {'wall_s': round(wall, 1), 'cpu_s': round(cpu, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--against', type=Path, required=True,
                        help='the other checkout (e.g. a worktree of the in-process demo)')
    parser.add_argument('--runs', type=int, default=2, help='runs of each, alternating')
    args = parser.parse_args()
    trees = {'this': ROOT, 'against': args.against.resolve()}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix='bench-demo-') as tmp:
        for i in range(args.runs):
            for name, tree in trees.items():
                runs[name].append(run_demo(tree, Path(tmp) / f'{name}{i}'))
                print(name, commit(tree), runs[name][-1], flush=True)
    result = {'cpu': cpu_model(), 'cores': os.cpu_count(), 'date': time.strftime('%Y-%m-%d'),
              'commits': {name: commit(tree) for name, tree in trees.items()}, 'runs': runs,
              'wall_ratio_this_over_against': [
                  round(a['wall_s'] / b['wall_s'], 2)
                  for a, b in zip(runs['this'], runs['against'], strict=True)]}
    OUT.write_text(json.dumps(result, indent=2) + '\n')
    print(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()
