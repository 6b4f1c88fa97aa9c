"""Two protocols of one exported task in one campaign (``export_task``): the protocol
noise measurements of configs/campaigns/protocol_noise_cpu.py run this way."""
from pathlib import Path

import pytest

from dar_transfer.campaign.graph import build_jobs
from dar_transfer.campaign.manifest import load_manifest
from dar_transfer.errors import UsageError

ROOT = Path(__file__).parents[1]


def test_protocol_noise_manifest_runs_seg_twice_from_one_export():
    manifest = load_manifest(ROOT / 'configs/campaigns/protocol_noise_cpu.py')
    jobs = {j.key: j for j in build_jobs(manifest)}
    export = jobs['export.baseline.s0']
    assert export.argv[export.argv.index('--tasks') + 1:][:2] == ['seg', '--suite']
    plain, frozen = jobs['finetune.dar.s0.seg.f3'], jobs['finetune.dar.s0.seg_bn_frozen.f3']
    # the same exported config, other options, another folder
    assert plain.config_text.splitlines()[0] == frozen.config_text.splitlines()[0]
    assert plain.config_text.splitlines()[0].endswith("dar_s0_seg_real-small_cpu.py'")
    assert 'model.backbone.norm_eval=true' in frozen.argv
    assert 'seg_bn_frozen' in str(frozen.work_dir) and plain.fingerprint() != frozen.fingerprint()
    assert len([k for k in jobs if k.startswith('finetune.')]) == 3 * 2 * 4


def test_export_task_must_be_exported(tmp_path):
    path = tmp_path / 'm.py'
    path.write_text("folder = 'x'\nvariants = [dict(name='a', config=None, seeds=[0])]\n"
                    "tasks = [dict(name='seg2', export_task='depth')]\n")
    with pytest.raises(UsageError, match='export_task'):
        load_manifest(path)
