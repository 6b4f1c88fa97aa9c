import os
import sys
from pathlib import Path

import pytest

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


# The longest test files, longest first (pytest --durations=0 on 2 cores). `make test`
# runs xdist with --dist loadfile --no-loadscope-reorder, which hands files to the
# workers in collection order: started first, the long files run beside the many short
# ones instead of leaving one worker alone at the end. Order only; every test still runs.
LONGEST_FIRST = ('test_demo.py', 'test_pretrain_configs.py', 'test_gpu_check.py',
                 'test_packaged_configs.py', 'test_slurm_campaign.py',
                 'test_real_small_suite.py', 'test_finetune.py')


def pytest_collection_modifyitems(items: list) -> None:
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    # a stable sort: the other files keep their order
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(autouse=True)
def fresh_mmengine_globals(request):
    """Each test starts with mmengine's global 'current' instances in a known state: the
    default scope 'mmengine', and a logger without a file. Otherwise the last runner of an
    earlier test in the same worker leaks into it: its scope (an mmpretrain runner makes
    'RandomResizedCrop' mmpretrain's) and its logger (whose log file a finished test may
    have removed), and the outcome depends on which tests xdist ran before."""
    from mmengine.logging import MMLogger
    from mmengine.registry import DefaultScope

    name = f'pytest:{request.node.nodeid}'
    DefaultScope.get_instance(name, scope_name='mmengine')
    MMLogger.get_instance(name, log_level='WARNING')
    yield


@pytest.fixture(scope='session')
def slurm_cluster(tmp_path_factory):
    """A real one-node Slurm (munged, slurmctld, slurmd) on localhost for the session.

    Outside CI it skips when the Debian packages are missing or we are not root; with
    ``CI=true`` it must run, so a missing binary fails the tests that need it.
    """
    from slurm_cluster import missing_binaries, start_cluster

    in_ci = os.environ.get('CI', '').lower() == 'true'
    missing = missing_binaries()
    reason = None
    if missing:
        reason = (f'Slurm test cluster needs {", ".join(missing)}: '
                  'apt-get install slurm-wlm munge (.ci/run does)')
    elif os.geteuid() != 0:
        reason = 'the Slurm test cluster starts slurmctld/slurmd as root; run as root'
    if reason:
        if in_ci:
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = start_cluster(tmp_path_factory.mktemp('slurm'))
    saved = os.environ.get('SLURM_CONF')
    os.environ['SLURM_CONF'] = str(cluster.conf)
    try:
        yield cluster
    finally:
        cluster.stop()
        if saved is None:
            os.environ.pop('SLURM_CONF', None)
        else:
            os.environ['SLURM_CONF'] = saved
