"""The local executor's forked jobs: each one is its verb with its own folder,
environment, log, exit code and process group, as a subprocess would be."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_campaign import PRETRAIN, alive, write_manifest

from dar_transfer.campaign.forked import ForkedVerb, available
from dar_transfer.campaign.local import stop_job
from dar_transfer.campaign.state import read_record

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


def test_python_m_campaign_forks_quietly_and_records_the_verb_error(tmp_path):
    missing = tmp_path / 'no-data'
    path = write_manifest(tmp_path, tasks=['det'], variants=[dict(
        name='v', config=PRETRAIN, seeds=[0],
        cfg_options={'train_dataloader.dataset.data_root': str(missing)})])
    done = subprocess.run([sys.executable, '-m', 'dar_transfer.cli', 'campaign', 'run',
                           str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    # the jobs re-run __main__ (dar_transfer.cli) as __mp_main__; runpy's warning is off
    assert 'found in sys.modules' not in done.stdout + done.stderr
    record = read_record(tmp_path / 'camp', 'pretrain.v.s0')
    assert record['state'] == 'failed' and record['exit_code'] == 2
    assert str(missing) in record['note']
