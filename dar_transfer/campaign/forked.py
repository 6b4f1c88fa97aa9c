"""Jobs forked from a pre-imported server: the same verb as a subprocess, without its imports.

Every job of a local campaign is ``dar-transfer VERB ...``. Started as a fresh
interpreter, each one spends about 4 s of CPU importing torch and the OpenMMLab
libraries before it does any work; over the demo's 21 jobs on two cores that made the
campaign 1.2x slower than the in-process demo it replaced. Here a server process
(multiprocessing's ``forkserver``) imports them once, and each job is a fork of it that
runs the verb's ``main`` with the job's argv, environment, working folder and log file,
in its own process group like ``Popen(start_new_session=True)``.

As with any start method but ``fork``, each child imports the parent's ``__main__``
module (as ``__mp_main__``): a script that runs a campaign needs the usual
``if __name__ == '__main__':`` guard. The server imports but never runs torch code:
forking after an OpenMP or CUDA pool started would hang or break the children.
"""
from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.forkserver
import os
import sys
from pathlib import Path

# A warning filter (see that module), then what the verbs import: the CLI (torch,
# mmengine, mmdet) and the model registries ``register_all_modules`` imports in a job.
PRELOAD = ['dar_transfer.campaign.forkserver_preload', 'dar_transfer.cli',
           'mmpretrain.models', 'mmseg.models', 'mmpose.models']


def available() -> bool:
    return 'forkserver' in multiprocessing.get_all_start_methods()


def start_server() -> None:
    """Start the server (its imports take seconds) now, so it loads while we work."""
    multiprocessing.set_forkserver_preload(PRELOAD)
    multiprocessing.forkserver.ensure_running()


def _run_verb(entry: str, argv: list[str], log: str, env: dict[str, str], cwd: str) -> None:
    """The child: become the job (group, files, environment), then run the verb."""
    os.setpgid(0, 0)  # stop_job kills the group: the job and its data loader workers
    os.chdir(cwd)  # the server's is the one it started in
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ.clear()
    os.environ.update(env)
    # OMP_NUM_THREADS was read when the server loaded torch; set the job's share here.
    threads = env.get('OMP_NUM_THREADS')
    if threads:
        import torch

        torch.set_num_threads(int(threads))
    sys.argv = ['dar-transfer', *argv]
    module, function = entry.split(':')
    sys.exit(getattr(importlib.import_module(module), function)(argv))


class ForkedVerb:
    """A running job, with the part of ``subprocess.Popen`` the executor uses.

    Args:
        argv (list[str]): the verb and its arguments, as after ``dar-transfer``.
        log (Path): the file that gets the job's stdout and stderr (appended).
        env (dict): the job's whole environment.
        entry (str): ``module:function`` called with argv; its return is the exit code.
    """

    def __init__(self, argv: list[str], log: Path, env: dict[str, str],
                 entry: str = 'dar_transfer.cli:main') -> None:
        start_server()
        context = multiprocessing.get_context('forkserver')
        self._process = context.Process(target=_run_verb, name=f'dar-transfer {argv[0]}',
                                        args=(entry, argv, str(log), env, os.getcwd()))
        self._process.start()
        self.pid = self._process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode  # -N when killed by signal N, as Popen says

    def poll(self) -> int | None:
        return self.returncode

    def wait(self) -> int:
        self._process.join()
        return self._process.exitcode
