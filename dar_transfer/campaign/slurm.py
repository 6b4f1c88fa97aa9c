"""The Slurm executor of a campaign: one job per CLI verb, through submitit.

Each campaign job is the dar-transfer command a user would type by hand; submitit's
``CommandFunction`` runs it inside the allocation, and submitit writes the sbatch file
(we never write one). Dependencies are Slurm's own (``afterok``), so the whole graph is
queued at once and the scheduler starts each job when its inputs are done.

How it differs from running ``submitit.SlurmExecutor`` by hand:
- a campaign's ``resources`` dict (gpus, cpus, mem_gb, time_min, partition,
  slurm_extra) is translated and checked before anything is submitted;
- a command that carries mmengine's ``--launcher slurm`` (the campaign adds it to
  multi-GPU pretrain and finetune jobs, the verbs that take it) runs one task per GPU
  under submitit's ``srun``, as OpenMMLab's ``slurm_train.sh`` does (mmengine reads
  ``SLURM_PROCID`` / ``SLURM_NTASKS`` / ``SLURM_NODELIST``); any other command (export,
  probe, report) runs once, seeing every GPU of the job;
- the job's output (stdout and stderr, all tasks) goes to the campaign's ``log_path``;
- ``states`` reads the scheduler (squeue, then sacct when accounting is on, then
  scontrol, then submitit's result file), because clusters without accounting storage
  answer sacct with "Slurm accounting storage is disabled".
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError, UsageTypeError

RESOURCE_KEYS = ('gpus', 'cpus', 'mem_gb', 'time_min', 'partition', 'slurm_extra')
STATES = ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'UNKNOWN')
# Slurm's many job states, folded into the seven a campaign acts on.
_STATE_MAP = {
    'PENDING': 'PENDING', 'CONFIGURING': 'PENDING', 'REQUEUED': 'PENDING',
    'REQUEUE_FED': 'PENDING', 'REQUEUE_HOLD': 'PENDING', 'RESV_DEL_HOLD': 'PENDING',
    'SUSPENDED': 'PENDING', 'STOPPED': 'PENDING',
    'RUNNING': 'RUNNING', 'COMPLETING': 'RUNNING', 'RESIZING': 'RUNNING',
    'SIGNALING': 'RUNNING', 'STAGE_OUT': 'RUNNING',
    'COMPLETED': 'COMPLETED',
    'FAILED': 'FAILED', 'NODE_FAIL': 'FAILED', 'BOOT_FAIL': 'FAILED',
    'OUT_OF_MEMORY': 'FAILED', 'DEADLINE': 'FAILED', 'PREEMPTED': 'FAILED',
    'REVOKED': 'CANCELLED', 'CANCELLED': 'CANCELLED',
    'TIMEOUT': 'TIMEOUT',
}
_JOB_ID = re.compile(r'^\d+(_\d+)?$')
_ENV_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


def normalise_state(raw: str) -> str:
    """Fold a Slurm state ("CANCELLED by 0", "RUNNING") into one of ``STATES``."""
    word = raw.strip().split(' ')[0].rstrip('+').upper() if raw.strip() else ''
    return _STATE_MAP.get(word, 'UNKNOWN')


@dataclass
class SlurmSubmission:
    """What one ``submit`` hands to submitit: its parameters and the job's command.

    Args:
        key (str): the campaign's name for the job.
        command (list[str]): the command each task runs (the verb's argv).
        parameters (dict): ``submitit.SlurmExecutor.update_parameters`` keywords.
    """

    key: str
    command: list[str]
    parameters: dict[str, Any] = field(default_factory=dict)

    def sbatch_script(self, folder: Path, python: str) -> str:
        """The sbatch file submitit will write for this job (for ``--dry-run``)."""
        # submitit's own renderer (private in 1.5.4, pinned): the preview is the very
        # text that sbatch receives, not a look-alike.
        from submitit.slurm.slurm import _make_sbatch_string
        runner = f'{shlex.quote(python)} -u -m submitit.core._submit {shlex.quote(str(folder))}'
        return _make_sbatch_string(command=runner, folder=folder, **self.parameters)

    def render(self) -> str:
        """A short human description: the sbatch options and the command."""
        options = []
        for name, value in sorted(self.parameters.items()):
            if name in ('setup', 'srun_args', 'stderr_to_stdout', 'additional_parameters'):
                continue
            options.append(f'--{name.replace("_", "-")}={value}')
        for name, value in sorted(self.parameters.get('additional_parameters', {}).items()):
            options.append(f'--{name.replace("_", "-")}={value}')
        lines = [f'[{self.key}] sbatch {" ".join(options)}']
        lines += [f'    {line}' for line in self.parameters.get('setup', [])]
        tasks = self.parameters.get('ntasks_per_node', 1)
        launch = f'srun (x{tasks} tasks) ' if tasks > 1 else 'srun '
        lines.append(f'    {launch}{shlex.join(self.command)}')
        return '\n'.join(lines)


def build_submission(key: str, argv: list[str], *, after: list[str], resources: dict,
                     log_path: Path, env: dict[str, str]) -> SlurmSubmission:
    """Translate one campaign job into submitit's Slurm parameters (no submission).

    Args:
        key (str): the campaign's job key; it becomes the Slurm job name.
        argv (list[str]): the dar-transfer command of the job; with ``--launcher
            slurm`` in it, a job of several GPUs runs one task per GPU.
        after (list[str]): job ids (or, for a dry run, placeholders) it waits for
            with ``afterok``. Defaults to none when empty.
        resources (dict): gpus (per node, default 0), cpus (per task, i.e. per GPU
            process; default 1), mem_gb (per node; default: the partition's default),
            time_min (default 60), partition (default: the cluster's default),
            slurm_extra (dict of further sbatch options, e.g. ``{'account': 'x'}``).
        log_path (Path): where the job's stdout and stderr go.
        env (dict[str, str]): variables exported in the job before the command runs.

    Raises:
        ValueError / TypeError: a bad key, value or variable name, named.
    """
    _validate_argv(argv)
    res = _validate_resources(resources)
    _validate_env(env)
    gpus = res['gpus']
    command = list(argv)
    # One task per GPU only for a distributed command: mmengine's slurm launcher builds
    # its process group from the SLURM_* variables srun gives each task. The flag is the
    # caller's to add (the engine adds it to pretrain and finetune); appending it here
    # would break export, probe and report, whose verbs take no --launcher.
    tasks = gpus if gpus > 1 and launches_slurm(command) else 1
    params: dict[str, Any] = {
        'job_name': key,
        'time': res['time_min'],
        'nodes': 1,
        'ntasks_per_node': tasks,
        'cpus_per_task': res['cpus'],
        # stdout and stderr of every task in the one log the campaign shows; srun's
        # last --output wins over the per-task file submitit names first.
        'stderr_to_stdout': True,
        'srun_args': ['--output', str(log_path)],
    }
    if gpus:
        params['gpus_per_node'] = gpus
    if res['mem_gb'] is not None:
        params['mem'] = _mem(res['mem_gb'])
    if res['partition']:
        params['partition'] = res['partition']
    if env:
        params['setup'] = [f'export {name}={shlex.quote(str(value))}'
                           for name, value in sorted(env.items())]
    extra = dict(res['slurm_extra'])
    if after:
        if 'dependency' in extra:
            raise UsageError(f'resources.slurm_extra.dependency={extra["dependency"]!r} for job '
                             f'{key!r}: the campaign sets the dependency itself (afterok on '
                             'the jobs this one needs); remove it from slurm_extra')
        extra['dependency'] = 'afterok:' + ':'.join(after)
    if extra:
        params['additional_parameters'] = extra
    return SlurmSubmission(key=key, command=command, parameters=params)


def launches_slurm(argv: list[str]) -> bool:
    """Whether ``argv`` asks mmengine for its slurm launcher (``--launcher slurm``)."""
    pairs = zip(argv, argv[1:], strict=False)  # each word with the next
    return '--launcher=slurm' in argv or ('--launcher', 'slurm') in pairs


class SlurmExecutor:
    """Submit campaign jobs to Slurm with submitit; read their state back.

    Args:
        folder (Path): the campaign folder; submitit's files (sbatch files, pickles,
            result files) go to its ``submitit/`` subfolder. It must be on a file system
            the compute nodes see.
        python (str): the interpreter that runs submitit's job wrapper on the nodes.
            Defaults to ``sys.executable``.
    """

    def __init__(self, folder: Path, *, python: str = sys.executable) -> None:
        self.folder = Path(folder) / 'submitit'
        self.python = python
        self._executor = None  # built on the first submit, so a dry run needs no srun

    def plan(self, key: str, argv: list[str], *, after: list[str], resources: dict,
             log_path: Path, env: dict[str, str]) -> SlurmSubmission:
        """What ``submit`` would hand to Slurm, without submitting (``--dry-run``)."""
        return build_submission(key, argv, after=after, resources=resources,
                                log_path=log_path, env=env)

    def dry_run(self, key: str, argv: list[str], *, after: list[str], resources: dict,
                log_path: Path, env: dict[str, str]) -> str:
        """The text ``--dry-run`` prints for one job: sbatch options and command."""
        return self.plan(key, argv, after=after, resources=resources, log_path=log_path,
                         env=env).render()

    def submit(self, key: str, argv: list[str], *, after: list[str], resources: dict,
               log_path: Path, env: dict[str, str]) -> str:
        """Submit one job; returns its Slurm job id."""
        for job_id in after:
            if not _JOB_ID.match(str(job_id)):
                raise UsageError(f'after={after!r} for job {key!r}: {job_id!r} is not a Slurm '
                                 'job id (digits, as sbatch returns them)')
        import submitit
        plan = self.plan(key, argv, after=after, resources=resources, log_path=log_path,
                         env=env)
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        executor = self._submitit_executor()
        # update_parameters merges into the executor's dict: start each job afresh so
        # one job's dependency or GPUs never leak into the next.
        executor.parameters.clear()
        executor.update_parameters(**plan.parameters)
        job = executor.submit(submitit.helpers.CommandFunction(plan.command, verbose=True))
        return str(job.job_id)

    def states(self, job_ids: list[str]) -> dict[str, str]:
        """The scheduler's state of each job, one of ``STATES``."""
        wanted = [str(j) for j in job_ids]
        found: dict[str, str] = {}
        if not wanted:
            return found
        found.update(_squeue(wanted))
        rest = [j for j in wanted if j not in found]
        if rest:
            found.update(_sacct(rest))
        rest = [j for j in wanted if j not in found]
        for job_id in rest:
            state = _scontrol(job_id) or self._result_state(job_id)
            found[job_id] = state
        return {j: found.get(j, 'UNKNOWN') for j in wanted}

    def _result_state(self, job_id: str) -> str:
        # Slurm forgets a finished job after MinJobAge when it has no accounting;
        # submitit's result pickle then still says whether the command succeeded.
        result = self.folder / f'{job_id}_0_result.pkl'
        if not result.is_file():
            return 'UNKNOWN'
        import submitit
        try:
            outcome, _ = submitit.core.utils.pickle_load(result)
        except Exception:  # a torn or foreign file says nothing about the job
            return 'UNKNOWN'
        return 'COMPLETED' if outcome == 'success' else 'FAILED'

    def _submitit_executor(self):
        if self._executor is None:
            import submitit
            self._executor = submitit.SlurmExecutor(folder=self.folder,
                                                    python=shlex.quote(self.python))
        return self._executor


def _squeue(job_ids: list[str]) -> dict[str, str]:
    out = _run(['squeue', '-h', '-o', '%i|%T', '-j', ','.join(job_ids)])
    return _parse_pairs(out, job_ids)


def _sacct(job_ids: list[str]) -> dict[str, str]:
    # Without accounting storage sacct exits 1 ("accounting storage is disabled").
    out = _run(['sacct', '-n', '-X', '-P', '-o', 'JobID,State', '-j', ','.join(job_ids)])
    return _parse_pairs(out, job_ids)


def _scontrol(job_id: str) -> str | None:
    out = _run(['scontrol', '-o', 'show', 'job', job_id])
    match = re.search(r'\bJobState=(\S+)', out or '')
    return normalise_state(match.group(1)) if match else None


def _parse_pairs(out: str | None, job_ids: list[str]) -> dict[str, str]:
    found = {}
    for line in (out or '').splitlines():
        job_id, _, state = line.partition('|')
        if job_id.strip() in job_ids:
            found[job_id.strip()] = normalise_state(state)
    return found


def _run(cmd: list[str]) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return None
    return done.stdout if done.returncode == 0 else None


def _mem(mem_gb: float) -> str:
    return f'{int(mem_gb)}GB' if float(mem_gb).is_integer() else f'{int(mem_gb * 1024)}MB'


def _validate_argv(argv: list[str]) -> None:
    if not isinstance(argv, (list, tuple)) or not argv or not all(isinstance(a, str)
                                                                  for a in argv):
        raise UsageTypeError(f'argv={argv!r}: expected a non-empty list of strings (the verb\'s '
                        'command line)')


def _validate_env(env: dict[str, str]) -> None:
    for name in env:
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            raise UsageError(f'env variable name {name!r}: use letters, digits and '
                             'underscores, not starting with a digit')


def _validate_resources(resources: dict) -> dict:
    if not isinstance(resources, dict):
        raise UsageTypeError(f'resources={resources!r}: expected a dict with keys {RESOURCE_KEYS}')
    unknown = sorted(set(resources) - set(RESOURCE_KEYS))
    if unknown:
        raise UsageError(f'resources: unknown key(s) {unknown}; allowed: {list(RESOURCE_KEYS)} '
                         '(other sbatch options go in slurm_extra)')
    res = {'gpus': 0, 'cpus': 1, 'mem_gb': None, 'time_min': 60, 'partition': None,
           'slurm_extra': {}}
    res.update({k: v for k, v in resources.items() if v is not None})
    for name, low in (('gpus', 0), ('cpus', 1), ('time_min', 1)):
        value = res[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise UsageError(f'resources.{name}={value!r}: expected an integer >= {low}')
    mem = res['mem_gb']
    if mem is not None and (isinstance(mem, bool) or not isinstance(mem, (int, float))
                            or mem <= 0):
        raise UsageError(f'resources.mem_gb={mem!r}: expected a positive number of GB')
    if res['partition'] is not None and not isinstance(res['partition'], str):
        raise UsageTypeError(f'resources.partition={res["partition"]!r}: expected a string')
    if not isinstance(res['slurm_extra'], dict):
        raise UsageTypeError(f'resources.slurm_extra={res["slurm_extra"]!r}: expected a dict of '
                        'sbatch options, e.g. {"account": "proj"}')
    return res
