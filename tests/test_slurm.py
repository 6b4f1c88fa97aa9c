"""The campaign's Slurm executor: parameters and dry run, then a real Slurm on localhost."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from slurm_cluster import wait_for

from dar_transfer.campaign.slurm import SlurmExecutor, build_submission, normalise_state

# real runners, subprocess campaigns, Slurm: `make test` runs them, `make test-fast` not
pytestmark = pytest.mark.slow

PY = sys.executable


def _job(tmp_path: Path, **resources):
    return dict(after=[], resources=resources, log_path=tmp_path / 'logs' / 'a.log', env={})


def test_resources_map_to_submitit_parameters(tmp_path):
    sub = build_submission('pretrain/dar/s0', ['dar-transfer', 'pretrain', 'c.py'],
                           after=['12', '13'], log_path=tmp_path / 'a.log',
                           env={'OMP_NUM_THREADS': '4'},
                           resources=dict(gpus=1, cpus=6, mem_gb=32, time_min=90,
                                          partition='gpu', slurm_extra={'account': 'lab'}))
    p = sub.parameters
    assert (p['job_name'], p['time'], p['cpus_per_task'], p['gpus_per_node']) == \
        ('pretrain/dar/s0', 90, 6, 1)
    assert (p['mem'], p['partition'], p['ntasks_per_node']) == ('32GB', 'gpu', 1)
    assert p['additional_parameters'] == {'account': 'lab', 'dependency': 'afterok:12:13'}
    assert p['setup'] == ['export OMP_NUM_THREADS=4']
    assert p['srun_args'] == ['--output', str(tmp_path / 'a.log')]
    assert sub.command == ['dar-transfer', 'pretrain', 'c.py']  # one GPU: no launcher


def test_multi_gpu_runs_one_task_per_gpu_with_slurm_launcher(tmp_path):
    argv = ['dar-transfer', 'finetune', 'c.py', '--launcher', 'slurm']  # as the engine adds
    sub = build_submission('ft', argv, **_job(tmp_path, gpus=4))
    assert sub.parameters['ntasks_per_node'] == 4 and sub.parameters['gpus_per_node'] == 4
    assert sub.command == argv  # the flag is the caller's: never added, never doubled
    equals = build_submission('ft', [*argv[:3], '--launcher=slurm'], **_job(tmp_path, gpus=2))
    assert equals.parameters['ntasks_per_node'] == 2


@pytest.mark.parametrize('verb', [['export', 'e.pth', '--name', 'x'], ['probe', 'p.pth'],
                                  ['report', 'work_dirs']])
def test_multi_gpu_verb_without_launcher_runs_once(tmp_path, verb):
    # export, probe and report take no --launcher: with gpus > 1 they run as one task
    # that sees every GPU, and their command stays as given (issue 30).
    argv = [PY, '-m', 'dar_transfer.cli', *verb]
    sub = build_submission('job', argv, **_job(tmp_path, gpus=4))
    assert sub.command == argv
    assert sub.parameters['ntasks_per_node'] == 1 and sub.parameters['gpus_per_node'] == 4


@pytest.mark.parametrize('resources, match', [
    (dict(gpu=1), r"unknown key\(s\) \['gpu'\]"),
    (dict(cpus=0), r'resources.cpus=0'),
    (dict(mem_gb=-1), r'resources.mem_gb=-1'),
    (dict(time_min=1.5), r'resources.time_min=1.5'),
    (dict(slurm_extra={'dependency': 'afterany:1'}), r'slurm_extra.dependency'),
])
def test_bad_resources_are_named(tmp_path, resources, match):
    job = _job(tmp_path, **resources)
    job['after'] = ['1']
    with pytest.raises((ValueError, TypeError), match=match):
        build_submission('k', ['x'], **job)


def test_bad_env_name_and_job_id_are_named(tmp_path):
    with pytest.raises(ValueError, match="'1BAD'"):
        build_submission('k', ['x'], after=[], resources={}, log_path=tmp_path / 'l',
                         env={'1BAD': 'v'})
    with pytest.raises(ValueError, match="'<pretrain>' is not a Slurm job id"):
        SlurmExecutor(tmp_path).submit('k', ['x'], after=['<pretrain>'], resources={},
                                       log_path=tmp_path / 'l', env={})


def test_dry_run_shows_options_and_command_without_slurm(tmp_path):
    ex = SlurmExecutor(tmp_path)
    text = ex.dry_run('finetune/dar/s0/det', [PY, '-m', 'dar_transfer.cli', 'finetune', 'c.py',
                                              '--launcher', 'slurm'],
                      after=['<export/dar/s0>'], resources=dict(gpus=2, time_min=30),
                      log_path=tmp_path / 'l.log', env={})
    assert '--dependency=afterok:<export/dar/s0>' in text
    assert '--gpus-per-node=2' in text and '--ntasks-per-node=2' in text
    assert 'finetune c.py --launcher slurm' in text
    script = ex.plan('k', ['echo', 'hi'], after=['7'], resources={}, log_path=tmp_path / 'l',
                     env={'A': 'b c'}).sbatch_script(ex.folder, PY)
    # submitit's own sbatch text: its parameters, our setup line, srun with our log
    assert '#SBATCH --dependency=afterok:7' in script
    assert "export A='b c'" in script
    assert f'--output {tmp_path / "l"}' in script
    assert not ex.folder.exists()  # nothing written, nothing submitted


def test_state_names_fold_to_seven():
    assert normalise_state('CANCELLED by 0') == 'CANCELLED'
    assert normalise_state('COMPLETING') == 'RUNNING'
    assert normalise_state('OUT_OF_MEMORY') == 'FAILED'
    assert normalise_state('') == 'UNKNOWN' and normalise_state('WEIRD') == 'UNKNOWN'


def _scontrol(job_id: str) -> str:
    return subprocess.run(['scontrol', '-o', 'show', 'job', job_id], capture_output=True,
                          text=True, check=True).stdout


def test_submit_chain_and_states_on_real_slurm(slurm_cluster, tmp_path):
    ex = SlurmExecutor(tmp_path)
    log_a, log_b = tmp_path / 'logs' / 'a.log', tmp_path / 'logs' / 'b.log'
    start = time.monotonic()
    a = ex.submit('a', ['bash', '-c', 'sleep 1; echo from-a $DAR_X; echo warn >&2'], after=[],
                  resources=dict(cpus=1, time_min=2), log_path=log_a, env={'DAR_X': 'x y'})
    b = ex.submit('b', ['bash', '-c', 'echo from-b'], after=[a],
                  resources=dict(cpus=1, time_min=2), log_path=log_b, env={})
    assert ex.states([a, b])[b] == 'PENDING'  # waits for a
    states = wait_for(ex.states, [a, b], timeout=60)
    assert states == {a: 'COMPLETED', b: 'COMPLETED'}, (states, slurm_cluster.logs())
    assert time.monotonic() - start < 60
    text = log_a.read_text()
    assert 'from-a x y' in text and 'warn' in text  # stdout and stderr, env exported
    assert 'from-b' in log_b.read_text()
    record = _scontrol(b)
    assert 'JobName=b ' in record and 'JobState=COMPLETED' in record
    assert (ex.folder / f'{b}_submission.sh').is_file()  # submitit wrote the sbatch file


def test_failed_job_blocks_its_dependents_on_real_slurm(slurm_cluster, tmp_path):
    ex = SlurmExecutor(tmp_path)
    bad = ex.submit('bad', ['bash', '-c', 'echo dying; exit 3'], after=[],
                    resources=dict(time_min=2), log_path=tmp_path / 'bad.log', env={})
    child = ex.submit('child', ['bash', '-c', 'echo never'], after=[bad],
                      resources=dict(time_min=2), log_path=tmp_path / 'child.log', env={})
    assert wait_for(ex.states, [bad], timeout=60) == {bad: 'FAILED'}
    assert 'dying' in (tmp_path / 'bad.log').read_text()
    deadline = time.monotonic() + 20
    while 'DependencyNeverSatisfied' not in _scontrol(child) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert 'DependencyNeverSatisfied' in _scontrol(child)
    assert ex.states([child]) == {child: 'PENDING'}
    subprocess.run(['scancel', child], check=True)
    assert wait_for(ex.states, [child], timeout=20) == {child: 'CANCELLED'}
    assert not (tmp_path / 'child.log').exists()
    assert ex.states(['999999']) == {'999999': 'UNKNOWN'}


def test_cluster_stop_leaves_no_job_processes(slurm_cluster, tmp_path):
    # A second, throw-away cluster (the session's one stays up): stopping it while a
    # job runs must leave neither the job nor slurmstepd behind.
    from slurm_cluster import start_cluster
    other = start_cluster(tmp_path / 'other', partition='spare')
    env = {**os.environ, **other.env()}
    try:
        job = subprocess.run(['sbatch', '--parsable', '-o', str(tmp_path / 'sleep.log'),
                              '--wrap', 'sleep 300'], env=env, capture_output=True,
                             text=True, check=True).stdout.strip()
        deadline = time.monotonic() + 30
        while 'JobState=RUNNING' not in subprocess.run(
                ['scontrol', '-o', 'show', 'job', job], env=env, capture_output=True,
                text=True).stdout:
            assert time.monotonic() < deadline, other.logs()
            time.sleep(0.2)
        assert other.leftover_pids()  # slurmstepd and the sleep, seen by their SLURM_CONF
    finally:
        other.stop()
    assert other.leftover_pids() == []


def test_multi_gpu_job_runs_one_task_per_gpu_on_real_slurm(slurm_cluster, tmp_path):
    # The test node has two stand-in GPUs (gres/gpu, no devices): Slurm allocates them
    # and srun starts one task per GPU, each with its rank, as mmengine's slurm
    # launcher expects; both tasks' output lands in the job's one log.
    ex = SlurmExecutor(tmp_path)
    log = tmp_path / 'mg.log'
    job = ex.submit('mg', ['bash', '-c', 'echo rank=$SLURM_PROCID/$SLURM_NTASKS '
                           'gpus=$CUDA_VISIBLE_DEVICES args="$*"', 'bash', 'finetune', 'c.py',
                           '--launcher', 'slurm'],
                    after=[], resources=dict(gpus=2, time_min=2), log_path=log, env={})
    assert wait_for(ex.states, [job], timeout=60) == {job: 'COMPLETED'}, slurm_cluster.logs()
    lines = sorted(line for line in log.read_text().splitlines() if line.startswith('rank='))
    assert lines == [f'rank={r}/2 gpus=0,1 args=finetune c.py --launcher slurm'
                     for r in (0, 1)], log.read_text()
    record = _scontrol(job)
    assert 'NumTasks=2' in record and 'gres:gpu:2' in record, record
