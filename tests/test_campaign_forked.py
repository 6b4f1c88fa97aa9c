"""The local executor's forked jobs: each one is its verb with its own folder,
environment, log, exit code and process group, as a subprocess would be."""
import os
import time
from pathlib import Path

import pytest
from test_campaign import alive

from dar_transfer.campaign.forked import ForkedVerb, available
from dar_transfer.campaign.local import stop_job

pytestmark = pytest.mark.skipif(not available(), reason='no forkserver on this platform')


def test_job_gets_its_folder_environment_threads_log_and_exit_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    log = tmp_path / 'job.log'
    env = {**os.environ, 'DAR_TEST_VALUE': 'seen', 'OMP_NUM_THREADS': '1'}
    job = ForkedVerb(['verb', '3'], log, env, entry='forked_entries:report_and_exit')
    assert job.wait() == 3 and job.returncode == 3 and job.poll() == 3
    text = log.read_text()
    assert f'cwd {tmp_path} env seen threads 1 argv dar-transfer verb 3' in text
    assert 'to stderr' in text


def test_a_verb_error_is_its_exit_code_in_the_log(tmp_path):
    log = tmp_path / 'job.log'
    job = ForkedVerb(['pretrain', 'no/such/config.py'], log, dict(os.environ))
    assert job.wait() == 2
    assert 'no/such/config.py' in log.read_text()


def test_stop_job_kills_the_fork_and_its_workers(tmp_path):
    pid_file = tmp_path / 'child.pid'
    job = ForkedVerb(['verb', str(pid_file)], tmp_path / 'job.log', dict(os.environ),
                     entry='forked_entries:sleep_with_a_child')
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline and job.poll() is None
        time.sleep(0.1)
    stop_job(job)
    assert job.returncode == -9
    child = int(Path(pid_file).read_text())
    deadline = time.monotonic() + 10
    while alive(child):
        assert time.monotonic() < deadline, f'pid {child} outlived its job'
        time.sleep(0.1)
