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
    assert export.argv[export.argv.index('--tasks') + 1:][:5] == [
        'seg', 'det', 'inst', 'pose', '--suite']
    plain, frozen = jobs['finetune.dar.s0.seg.f3'], jobs['finetune.dar.s0.seg_frozen.f3']
    # the same exported config, other options, another folder
    assert plain.config_text.splitlines()[0] == frozen.config_text.splitlines()[0]
    assert plain.config_text.splitlines()[0].endswith("dar_s0_seg_real-small_cpu.py'")
    assert {'model.backbone.frozen_stages=4', 'model.backbone.norm_eval=true'} <= set(frozen.argv)
    assert 'seg_frozen' in str(frozen.work_dir) and plain.fingerprint() != frozen.fingerprint()
    # baseline and DaR with four fine-tuning seeds, scratch with one; the long pose run
    # with one for each
    finetunes = [k for k in jobs if k.startswith('finetune.')]
    assert len(finetunes) == (2 * 4 + 1) * (len(manifest.tasks) - 1) + 3
    assert not any(k.startswith('finetune.scratch.') and not k.endswith('.f0') for k in finetunes)
    assert [k for k in finetunes if '.pose_e28.' in k] == [
        f'finetune.{v}.s0.pose_e28.f0' for v in ('baseline', 'dar', 'scratch')]
    # the other candidates: an overlay that moves det to the 65/65 split, a longer schedule
    val50 = jobs['finetune.dar.s0.det_val50.f1'].config_text
    assert "'data/real-small/pennfudan-val50/'" in val50 and 'test_evaluator' in val50
    assert {'train_cfg.max_epochs=10', 'param_scheduler.1.milestones=[9]',
            'train_cfg.val_begin=11'} <= set(jobs['finetune.dar.s0.pose_e10.f1'].argv)


def _manifest(tmp_path, variant='', task='', seeds='[0, 1, 2]'):
    path = tmp_path / 'm.py'
    path.write_text(f"folder = 'x'\nsuite = 'real-small'\nfinetune_seeds = {seeds}\n"
                    "export_options = dict(preset='cpu', data_root='data/real-small')\n"
                    f"variants = [dict(name='a', config=None, seeds=[0]{variant}),\n"
                    "            dict(name='b', config=None, seeds=[0])]\n"
                    f"tasks = [dict(name='seg'), dict(name='pose'{task})]\n")
    return path


def test_variant_and_task_finetune_seeds_pick_some_of_the_campaigns(tmp_path):
    jobs = build_jobs(load_manifest(_manifest(tmp_path, variant=', finetune_seeds=[0]',
                                              task=', finetune_seeds=[0, 2]')))
    keys = [j.key for j in jobs if j.stage == 'finetune']
    # a job runs where both the variant's and the task's seeds allow it, seed by seed
    assert keys == ['finetune.a.s0.seg.f0', 'finetune.a.s0.pose.f0',
                    'finetune.b.s0.seg.f0', 'finetune.b.s0.pose.f0', 'finetune.b.s0.seg.f1',
                    'finetune.b.s0.seg.f2', 'finetune.b.s0.pose.f2']


@pytest.mark.parametrize('variant, task, seeds, message', [
    (', finetune_seeds=[5]', '', '[0, 1, 2]', r'variants\[0\]\.finetune_seeds: \[5\] not in'),
    ('', ', finetune_seeds=[0, 3]', '[0, 1, 2]', r'tasks\[1\]\.finetune_seeds: \[3\] not in'),
    ('', ', finetune_seeds=[0]', "'pretrain'", r'tasks\[1\]\.finetune_seeds: needs'),
    ('', ', finetune_seeds=[]', '[0]', r'tasks\[1\]\.finetune_seeds: must be a non-empty'),
])
def test_finetune_seeds_subsets_are_checked(tmp_path, variant, task, seeds, message):
    with pytest.raises(UsageError, match=message):
        load_manifest(_manifest(tmp_path, variant, task, seeds))


def test_export_task_must_be_exported(tmp_path):
    path = tmp_path / 'm.py'
    path.write_text("folder = 'x'\nvariants = [dict(name='a', config=None, seeds=[0])]\n"
                    "tasks = [dict(name='seg2', export_task='depth')]\n")
    with pytest.raises(UsageError, match='export_task'):
        load_manifest(path)


def test_job_order_finetune_seed_pairs_the_backbones_seed_by_seed(tmp_path):
    path = _manifest(tmp_path, seeds='[0, 1]')
    path.write_text(path.read_text() + "job_order = 'finetune_seed'\n")
    keys = [j.key for j in build_jobs(load_manifest(path))]
    assert keys[:2] == ['export.a.s0', 'export.b.s0']
    assert keys[2:-3] == [f'finetune.{v}.s0.{t}.f{f}' for f in (0, 1) for v in 'ab'
                        for t in ('seg', 'pose')]
    path.write_text(path.read_text().replace("'finetune_seed'", "'seed'"))
    with pytest.raises(UsageError, match="job_order: must be one of"):
        load_manifest(path)


def test_verdict_manifest_pairs_the_variants_on_the_chosen_protocol():
    manifest = load_manifest(ROOT / 'configs/campaigns/verdict_cpu.py')
    jobs = {j.key: j for j in build_jobs(manifest)}
    # InfoBatch and RS2 joined later, with the same first stage
    variants = ('baseline', 'dar', 'infobatch', 'random', 'rs2')
    assert sorted(k for k in jobs if k.startswith('pretrain.')) == [
        f'pretrain.{v}.s{s}' for v in variants for s in range(5)]
    assert any(a.endswith('64px_infobatch.py') for a in jobs['pretrain.infobatch.s0'].argv)
    # seed-paired: each backbone fine-tuned once, with its pretraining seed; scratch once
    finetunes = [k for k in jobs if k.startswith('finetune.')]
    assert len(finetunes) == 25 * 4 + 4
    assert 'finetune.random.s4.pose.f4' in jobs and 'finetune.scratch.s0.seg.f0' in jobs
    export = jobs['export.dar.s1'].argv
    assert export[export.index('--preset') + 1] == 'cpu-v2'
    assert '_pose_real-small_cpu-v2.py' in jobs['finetune.dar.s1.pose.f1'].config_text
    assert (manifest.reference, manifest.max_seeds) == ('baseline', 8)
    assert manifest.until_precision == {'det': 0.7, 'inst': 0.7, 'seg': 0.7, 'pose': 0.35}
    assert manifest.margins == {'det': 1.0, 'inst': 1.0, 'seg': 1.0, 'pose': 0.5}
    assert '--margin' in jobs['report.md'].argv and 'report.html' not in jobs
    assert not any(k.startswith(('probe.', 'noise')) for k in jobs)
