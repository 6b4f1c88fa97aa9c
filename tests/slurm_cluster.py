"""A real one-node Slurm cluster on localhost for tests: munged, slurmctld, slurmd.

Debian's ``slurm-wlm`` and ``munge`` packages, a ``slurm.conf`` in a temp dir (state,
spool, logs, pid files and munge's socket all there too), own ports, started as root.
The settings are those that start in this sandbox: no cgroups (proctrack/linuxproc,
task/none), cons_tres with CR_Core, no accounting storage, two stand-in GPUs
(gres/gpu on /dev/null and /dev/zero) for multi-GPU jobs. The daemons are stopped by
the PIDs they were started with.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

BINARIES = ('munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'srun')
MUNGE_KEY = Path('/etc/munge/munge.key')
FAKE_GPUS = 2  # gres/gpu on the test node (see _write_conf)


def missing_binaries() -> list[str]:
    """The daemons and clients this fixture needs that are not installed."""
    search = os.environ.get('PATH', '') + ':/usr/sbin:/sbin'
    return [name for name in BINARIES if shutil.which(name, path=search) is None]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _sbin(name: str) -> str:
    return shutil.which(name, path=os.environ.get('PATH', '') + ':/usr/sbin:/sbin')


def _alive(pid: int) -> bool:
    # The daemons fork away from us, so whoever adopts them reaps them: a zombie
    # (state Z) has exited even though kill(pid, 0) still finds it.
    try:
        stat = Path(f'/proc/{pid}/stat').read_text()
    except OSError:
        return False
    return stat.rsplit(')', 1)[1].split()[0] != 'Z'


def _ensure_munge_key() -> None:
    # Created only when absent: an existing key belongs to the machine's own munge.
    if MUNGE_KEY.exists():
        return
    MUNGE_KEY.parent.mkdir(parents=True, exist_ok=True)
    MUNGE_KEY.write_bytes(os.urandom(1024))
    MUNGE_KEY.chmod(0o400)


@dataclass
class SlurmCluster:
    """A started cluster: its config (``SLURM_CONF``), partition and daemon PIDs."""

    root: Path
    conf: Path
    partition: str
    pids: dict[str, int] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {'SLURM_CONF': str(self.conf)}

    def stop(self) -> None:
        """Cancel the jobs, stop the daemons by PID, then end what their jobs left."""
        # A test that gives up while jobs run (a timeout) would otherwise leave
        # slurmstepd and srun behind: they are re-parented to init when slurmd goes
        # and wait for ever on the stopped controller.
        self._cancel_jobs()
        for name in ('slurmd', 'slurmctld', 'munged'):
            pid = self.pids.pop(name, None)
            if pid is None:
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(100):
                if not _alive(pid):
                    break
                time.sleep(0.05)
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._kill_leftovers()

    def _cancel_jobs(self, timeout: float = 15.0) -> None:
        if not _alive(self.pids.get('slurmctld', -1)):
            return
        env = {**os.environ, **self.env()}
        try:
            subprocess.run(['scancel', f'--partition={self.partition}'], env=env,
                           capture_output=True, timeout=timeout, check=False)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                queued = subprocess.run(['squeue', '-h', '-o', '%i'], env=env,
                                        capture_output=True, text=True, timeout=timeout)
                if queued.returncode != 0 or not queued.stdout.strip():
                    return
                time.sleep(0.2)
        except subprocess.SubprocessError:
            pass  # the leftover sweep below still ends the jobs' processes

    def leftover_pids(self) -> list[int]:
        """Processes of this cluster's jobs still alive (slurmstepd, srun, tasks).

        Known by ``SLURM_CONF`` in their environment, which slurmd hands down to every
        step; this test process and its parents are never among them.
        """
        marker = f'SLURM_CONF={self.conf}'.encode()
        own = {os.getpid(), os.getppid()}
        found = []
        for entry in Path('/proc').iterdir():
            if not entry.name.isdigit() or int(entry.name) in own:
                continue
            try:
                environ = (entry / 'environ').read_bytes()
            except OSError:  # gone meanwhile, or not ours to read
                continue
            if marker in environ.split(b'\0') and _alive(int(entry.name)):
                found.append(int(entry.name))
        return found

    def _kill_leftovers(self) -> None:
        for pid in self.leftover_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def logs(self) -> str:
        parts = []
        for name in ('munged.log', 'slurmctld.log', 'slurmd.log'):
            path = self.root / name
            if path.exists():
                parts.append(f'--- {name}\n' + '\n'.join(path.read_text().splitlines()[-20:]))
        return '\n'.join(parts)


def _write_conf(root: Path, partition: str) -> Path:
    host = socket.gethostname().split('.')[0]
    cpus = os.cpu_count() or 1
    with open('/proc/meminfo') as f:
        mem_mb = int(next(line for line in f if line.startswith('MemTotal')).split()[1]) // 1024
    conf = root / 'slurm.conf'
    # Two stand-in GPUs so that multi-GPU jobs (one task per GPU under srun) really
    # run: GRES backed by character devices that are no GPUs; with task/none nothing
    # binds them, Slurm only counts them and sets CUDA_VISIBLE_DEVICES.
    (root / 'gres.conf').write_text('AutoDetect=off\n' + ''.join(
        f'Name=gpu File={dev}\n' for dev in ('/dev/null', '/dev/zero')[:FAKE_GPUS]))
    conf.write_text('\n'.join([
        'ClusterName=dartest',
        'GresTypes=gpu',
        f'SlurmctldHost={host}',
        'SlurmUser=root',
        f'SlurmctldPort={_free_port()}',
        f'SlurmdPort={_free_port()}',
        'AuthType=auth/munge',
        f'AuthInfo=socket={root / "munge.sock"}',
        f'StateSaveLocation={root / "state"}',
        f'SlurmdSpoolDir={root / "spool"}',
        f'SlurmctldPidFile={root / "slurmctld.pid"}',
        f'SlurmdPidFile={root / "slurmd.pid"}',
        f'SlurmctldLogFile={root / "slurmctld.log"}',
        f'SlurmdLogFile={root / "slurmd.log"}',
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        'MpiDefault=none',
        'ReturnToService=2',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        # keep finished jobs in scontrol for the tests' checks (no accounting here)
        'MinJobAge=3600',
        f'NodeName={host} CPUs={cpus} RealMemory={mem_mb} Gres=gpu:{FAKE_GPUS} State=UNKNOWN',
        f'PartitionName={partition} Nodes={host} Default=YES MaxTime=INFINITE State=UP',
        '',
    ]))
    return conf


def _read_pid(path: Path, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return int(path.read_text().strip())
        time.sleep(0.05)
    raise RuntimeError(f'{path} did not appear within {timeout} s')


def start_cluster(root: Path, *, partition: str = 'debug', timeout: float = 30.0) -> SlurmCluster:
    """Start munged, slurmctld and slurmd under ``root``; wait until the node is idle.

    Raises:
        RuntimeError: a daemon did not start or the node never became idle; the
            message holds the last lines of the daemons' logs.
    """
    root.mkdir(parents=True, exist_ok=True)
    for sub in ('state', 'spool'):
        (root / sub).mkdir(exist_ok=True)
    _ensure_munge_key()
    conf = _write_conf(root, partition)
    cluster = SlurmCluster(root=root, conf=conf, partition=partition)
    env = {**os.environ, 'SLURM_CONF': str(conf)}
    try:
        subprocess.run([_sbin('munged'), '--force', f'--socket={root / "munge.sock"}',
                        f'--key-file={MUNGE_KEY}', f'--log-file={root / "munged.log"}',
                        f'--pid-file={root / "munged.pid"}',
                        f'--seed-file={root / "munged.seed"}'], check=True, env=env,
                       capture_output=True, timeout=timeout)
        cluster.pids['munged'] = _read_pid(root / 'munged.pid', timeout)
        for daemon in ('slurmctld', 'slurmd'):
            subprocess.run([_sbin(daemon), '-f', str(conf)], check=True, env=env,
                           capture_output=True, timeout=timeout)
            cluster.pids[daemon] = _read_pid(root / f'{daemon}.pid', timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = subprocess.run(['sinfo', '-h', '-o', '%T'], env=env, capture_output=True,
                                 text=True, timeout=timeout).stdout
            if 'idle' in out:
                return cluster
            time.sleep(0.2)
        raise RuntimeError(f'the Slurm node did not become idle within {timeout} s')
    except (subprocess.SubprocessError, RuntimeError, OSError) as error:
        logs = cluster.logs()
        cluster.stop()
        raise RuntimeError(f'could not start the test Slurm cluster: {error}\n{logs}') from error


def wait_for(states_of, job_ids: list[str], *, timeout: float,
             final=('COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT')) -> dict[str, str]:
    """Poll ``states_of(job_ids)`` until every job is in a final state."""
    deadline = time.monotonic() + timeout
    states = {}
    while time.monotonic() < deadline:
        states = states_of(job_ids)
        if all(s in final for s in states.values()):
            return states
        time.sleep(0.3)
    raise TimeoutError(f'jobs not finished after {timeout} s: {states}')
