import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def pytest_configure(config) -> None:
    # Under pytest-xdist (`make test` runs one worker per core), each worker gets its
    # share of the cores: with torch's default of one thread per core in every worker,
    # N workers would run N times as many threads as there are cores.
    workers = os.environ.get('PYTEST_XDIST_WORKER_COUNT')
    if workers:
        cores = (len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity')
                 else os.cpu_count() or 1)  # the cores this process may use, as xdist counts
        threads = max(1, cores // int(workers))
        os.environ['OMP_NUM_THREADS'] = str(threads)  # for the subprocesses tests start
        import torch
        torch.set_num_threads(threads)
