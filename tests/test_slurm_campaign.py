"""End to end on a real Slurm: ``dar-transfer campaign run --executor slurm``.

One toy pretraining, its export and two fine-tunings (one task, two fine-tuning seeds)
and the report, on generated data, submitted as afterok-chained Slurm jobs to the
one-node cluster of tests/slurm_cluster.py. Then the scheduler's record of each job, a
rerun that submits only what is not done, and ``--dry-run``.
"""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from dar_transfer.cli import main
from dar_transfer.demo.classification_data import write_image_folder
from dar_transfer.demo.downstream_data import write_cityscapes
from dar_transfer.demo.run import pretrain_options
from dar_transfer.demo.toy_configs import toy_overlay

REPO = Path(__file__).resolve().parents[1]
PRETRAIN = str(REPO / 'configs/demo/resnet18_pretrain_toy.py')

pytestmark = pytest.mark.slow


def _manifest(root: Path) -> Path:
    data = root / 'data'
    cls = write_image_folder(data / 'imagenet', num_classes=4,
                             per_class={'train': 12, 'val': 4}, size=40)
    seg = write_cityscapes(data / 'cityscapes', images={'train': 4, 'val': 2})
    # The toy layer over the exported seg config (the campaign writes the _base_ line
    # itself): 4 iterations on the generated Cityscapes.
    overlay = root / 'seg_overlay.py'
    overlay.write_text(toy_overlay('seg', seg, length=4, validate=False))
    job = dict(cpus=1, time_min=10)
    fields = dict(
        folder=str(root / 'camp'),
        variants=[dict(name='base', config=PRETRAIN, seeds=[0],
                       cfg_options=pretrain_options(cls, True, 'baseline'))],
        tasks=[dict(name='seg', overlay=str(overlay))],
        finetune_seeds=[0, 1],
        finetune_cfg_options={'log_level': 'WARNING'},
        resources=dict(pretrain=job, export=job, finetune=job, report=job),
        report=dict(formats=['json']))
    path = root / 'manifest.py'
    path.write_text(''.join(f'{k} = {v!r}\n' for k, v in fields.items()))
    return path


def _status(manifest: Path, capsys) -> dict[str, dict]:
    assert main(['campaign', 'status', str(manifest), '--json']) == 0
    return {row['job']: row for row in json.loads(capsys.readouterr().out)}


def _wait(manifest: Path, capsys, timeout: float) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    rows = {}
    while time.monotonic() < deadline:
        rows = _status(manifest, capsys)
        # a failed job leaves its dependents pending for ever (afterok): stop there
        if all(r['state'] == 'done' for r in rows.values()) or \
                any(r['state'] == 'failed' for r in rows.values()):
            return rows
        time.sleep(1)
    raise TimeoutError(f'campaign not finished after {timeout} s: '
                       f'{ {k: r["state"] for k, r in rows.items()} }')


def _scontrol(job_id: str) -> str:
    return subprocess.run(['scontrol', '-o', 'show', 'job', job_id], capture_output=True,
                          text=True, check=True).stdout


def _queued() -> list[str]:
    return subprocess.run(['squeue', '-h', '-o', '%i'], capture_output=True, text=True,
                          check=True).stdout.split()


def test_campaign_on_real_slurm(slurm_cluster, tmp_path, capsys):
    manifest = _manifest(tmp_path)
    camp = tmp_path / 'camp'

    # --dry-run: every job listed, nothing submitted, no records
    before = _queued()
    assert main(['campaign', 'run', str(manifest), '--executor', 'slurm', '--dry-run']) == 0
    planned = capsys.readouterr().out
    for verb in ('pretrain', 'export', 'finetune', 'report'):
        assert f' {verb} ' in planned, planned
    assert _queued() == before and not (camp / 'submitit').exists()

    start = time.monotonic()
    assert main(['campaign', 'run', str(manifest), '--executor', 'slurm', '--json']) == 0
    submitted = {row['job']: row for row in json.loads(capsys.readouterr().out)}
    ids = {k: r['scheduler_id'] for k, r in submitted.items()}
    stages = sorted(r['stage'] for r in submitted.values())
    assert stages.count('pretrain') == 1 and stages.count('export') == 1
    assert stages.count('finetune') == 2 and all(ids.values()), submitted

    rows = _wait(manifest, capsys, timeout=600)  # generous: a loaded CI machine
    took = time.monotonic() - start
    assert all(r['state'] == 'done' for r in rows.values()), \
        {k: (r['state'], r['why']) for k, r in rows.items()}
    with capsys.disabled():
        print(f'\ncampaign on Slurm: {len(rows)} jobs in {took:.0f} s')

    # the scheduler's record of each job: its name, a clean exit, and the afterok
    # chain submitit wrote into its sbatch file
    by_stage = {}
    for key, row in rows.items():
        record = _scontrol(row['scheduler_id'])
        assert f'JobName={key} ' in record and 'JobState=COMPLETED' in record, record
        assert 'ExitCode=0:0' in record, record
        by_stage.setdefault(row['stage'], []).append(row)
    script = (camp / 'submitit' / f'{by_stage["export"][0]["scheduler_id"]}_submission.sh')
    assert f'--dependency=afterok:{by_stage["pretrain"][0]["scheduler_id"]}' in \
        script.read_text()
    for row in by_stage['finetune']:
        text = (camp / 'submitit' / f'{row["scheduler_id"]}_submission.sh').read_text()
        assert f'--dependency=afterok:{by_stage["export"][0]["scheduler_id"]}' in text
        summary = json.loads(
            next((camp / 'finetune').rglob(f'*_ft{row["ft_seed"]}/finetune_summary.json'))
            .read_text())
        assert summary, row
        assert Path(row['log']).is_file() and Path(row['log']).stat().st_size > 0

    # a rerun with everything done submits nothing
    assert main(['campaign', 'run', str(manifest), '--executor', 'slurm', '--json']) == 0
    again = {row['job']: row['scheduler_id'] for row in json.loads(capsys.readouterr().out)}
    assert again == ids

    # one fine-tuning loses its summary: the rerun submits it (and what reads it), not
    # the pretraining, the export or the other fine-tuning
    lost = by_stage['finetune'][1]
    next((camp / 'finetune').rglob(f'*_ft{lost["ft_seed"]}/finetune_summary.json')).unlink()
    assert main(['campaign', 'run', str(manifest), '--executor', 'slurm', '--json']) == 0
    third = {row['job']: row['scheduler_id'] for row in json.loads(capsys.readouterr().out)}
    changed = {k for k in ids if third[k] != ids[k]}
    assert lost['job'] in changed
    assert {r['job'] for r in by_stage['pretrain'] + by_stage['export']}.isdisjoint(changed)
    assert by_stage['finetune'][0]['job'] not in changed
    rows = _wait(manifest, capsys, timeout=120)
    assert all(r['state'] == 'done' for r in rows.values())
