"""The local executor: up to N verbs at once as subprocesses, one log file each.

With this interpreter (the default), jobs are forked from a server that imported the
libraries once (``forked.py``); with another one, they start as ``python -m
dar_transfer.cli``. Either way a job is the verb a user would type, with the same log.

On a GPU machine each slot is one visible GPU (``CUDA_VISIBLE_DEVICES``); on a CPU
machine the cores are split among the parallel jobs (``OMP_NUM_THREADS``), so two
jobs on two cores do not each start two torch threads.
"""
from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .forked import ForkedVerb, available
from .graph import Job
from .state import JobStatus, write_record

TAIL_LINES = 15


def visible_gpus() -> list[str]:
    env = os.environ.get('CUDA_VISIBLE_DEVICES')
    if env is not None:
        return [g for g in env.split(',') if g.strip() and g.strip() != '-1']
    try:
        import torch

        return [str(i) for i in range(torch.cuda.device_count())]
    except ImportError:
        return []


def default_jobs() -> int:
    return max(1, len(visible_gpus()))


def log_tail(path: Path, lines: int = TAIL_LINES) -> str:
    try:
        return '\n'.join(path.read_text(errors='replace').splitlines()[-lines:])
    except OSError:
        return ''


def command_line(job: Job) -> str:
    return shlex.join(['dar-transfer', *job.argv])


def prepare(job: Job, status: JobStatus) -> list[str]:
    """Clear what must not survive into this attempt; the argv to run (maybe resumed)."""
    argv = list(job.argv)
    job.summary.unlink(missing_ok=True)  # a summary appears only when this attempt ends
    pointer = job.work_dir / 'last_checkpoint' if job.work_dir else None
    if pointer is not None and job.stage in ('pretrain', 'finetune'):
        if status.state == 'outdated':
            pointer.unlink(missing_ok=True)  # never resume a run of another config
        elif pointer.exists() and status.state in ('failed', 'interrupted'):
            argv.append('--resume')
    return argv


def _exit_on_term(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


def stop_job(proc: subprocess.Popen | ForkedVerb) -> None:
    """Kill a job and what it started (data loader workers): its whole process group."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended meanwhile, or a fork has not made its group yet
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


class LocalExecutor:
    """Runs jobs as ``dar-transfer VERB ...`` subprocesses.

    Args:
        folder (Path): the campaign folder (logs go to ``folder/logs``).
        jobs (int): parallel jobs. Defaults to one per visible GPU, else 1.
        python (str): interpreter for the jobs. Defaults to this one, whose jobs are
            forked from a pre-imported server where the platform can.
    """

    def __init__(self, folder: Path, *, jobs: int | None = None,
                 python: str = sys.executable) -> None:
        self.folder = folder
        self.gpus = visible_gpus()
        self.jobs = jobs or default_jobs()
        self.python = python
        self.forked = python == sys.executable and available()
        self.threads = max(1, (os.cpu_count() or 1) // self.jobs)
        self.free_gpus = list(self.gpus)

    def _env(self, gpu: str | None) -> dict[str, str]:
        env = dict(os.environ)
        if gpu is not None:
            env['CUDA_VISIBLE_DEVICES'] = gpu
        if not self.gpus or self.jobs > 1:
            env['OMP_NUM_THREADS'] = env['MKL_NUM_THREADS'] = str(self.threads)
        return env

    def run(self, jobs: list[Job], statuses: dict[str, JobStatus],
            on_event: Callable[[str, Job, dict], None]) -> dict[str, str]:
        """Run every job that needs it, in dependency order; returns key -> end state."""
        todo = [j for j in jobs if statuses[j.key].needs_run]  # first startable job first
        ended = {k: s.state for k, s in statuses.items() if not s.needs_run}
        running: dict[str, tuple[subprocess.Popen, dict, str | None, Job]] = {}
        # A SIGTERM (scancel, a shell's kill, a session's end) unwinds like Ctrl-C, so the
        # jobs below are stopped and left 'interrupted' for the next run to resume.
        on_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _exit_on_term) if on_main else None
        try:
            while todo or running:
                for job in list(todo):
                    if len(running) >= self.jobs:
                        break
                    bad = [d for d in job.deps if ended.get(d) in ('failed', 'blocked')]
                    if bad:
                        todo.remove(job)
                        ended[job.key] = 'blocked'
                        on_event('blocked', job, {'note': f'{bad[0]} did not finish'})
                    elif all(ended.get(d) == 'done' for d in job.deps):
                        todo.remove(job)
                        running[job.key] = self._start(job, statuses[job.key], on_event)
                for key, (proc, record, gpu, job) in list(running.items()):
                    if proc.poll() is None:
                        continue
                    del running[key]
                    if gpu is not None:
                        self.free_gpus.append(gpu)
                    ended[key] = self._finish(job, proc.returncode, record, on_event)
                if running:
                    time.sleep(0.05)
        finally:
            for proc, _, _, _ in running.values():  # an error in the loop: stop our children
                stop_job(proc)
            if on_main:
                signal.signal(signal.SIGTERM, previous)
        return ended

    def _start(self, job: Job, status: JobStatus, on_event) -> tuple:
        argv = prepare(job, status)
        gpu = self.free_gpus.pop(0) if self.free_gpus else None
        log = self.folder / 'logs' / f'{job.key}.log'
        log.parent.mkdir(parents=True, exist_ok=True)
        record = {**status.record, 'key': job.key, 'state': 'running', 'executor': 'local',
                  'attempts': status.record.get('attempts', 0) + 1, 'log': str(log),
                  'command': shlex.join(['dar-transfer', *argv]), 'started': time.time(),
                  'ended': None, 'exit_code': None, 'host': socket.gethostname(),
                  'fingerprint': job.fingerprint(), 'parts': job.parts, 'note': ''}
        with log.open('a') as file:
            file.write(f'=== attempt {record["attempts"]}: {record["command"]}\n')
            file.flush()
        proc = self._launch(argv, log, gpu)
        record['pid'] = proc.pid
        write_record(self.folder, job.key, record)
        on_event('started', job, record)
        return proc, record, gpu, job

    def _launch(self, argv: list[str], log: Path, gpu: str | None):
        if self.forked:
            return ForkedVerb(argv, log, self._env(gpu))
        with log.open('a') as file:
            return subprocess.Popen([self.python, '-m', 'dar_transfer.cli', *argv],
                                    stdout=file, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=self._env(gpu),
                                    start_new_session=True)  # its workers go with it

    def _finish(self, job: Job, code: int, record: dict, on_event) -> str:
        record.update(ended=time.time(), exit_code=code)
        record['seconds'] = round(record['ended'] - record['started'], 1)
        if code == 0 and job.summary.exists():
            record['state'] = 'done'
        else:
            why = (f'exit code {code}' if code else f'exited 0 without writing {job.summary}')
            record.update(state='failed', note=f'{why}; last lines of {record["log"]}:\n'
                                               f'{log_tail(Path(record["log"]))}')
        write_record(self.folder, job.key, record)
        on_event(record['state'], job, record)
        return record['state']
