"""Campaign engine: manifest checks, the job graph, records, fingerprints, the lock, the
local executor's order and failures, and the Slurm side against an injected executor.

The verbs are replaced by tests/campaign_fake_verb.py (it writes what each verb
writes, in milliseconds); tests/test_campaign_e2e.py runs the real ones.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dar_transfer.campaign import engine
from dar_transfer.campaign.graph import build_jobs
from dar_transfer.campaign.manifest import load_manifest, validate
from dar_transfer.campaign.state import CampaignLocked, FolderLock, read_record
from dar_transfer.cli import main

# real runners, subprocess campaigns, Slurm: `make test` runs them, `make test-fast` not
pytestmark = pytest.mark.slow

FAKE = str(Path(__file__).with_name('campaign_fake_verb.py'))
PRETRAIN = str(Path(__file__).parents[1] / 'configs/demo/resnet18_pretrain_toy.py')


def write_manifest(tmp: Path, *, overlay_text: str = '# ok\n', **extra) -> Path:
    overlay = tmp / 'overlay.py'
    overlay.write_text(overlay_text)
    fields = dict(
        folder=str(tmp / 'camp'),
        variants=[dict(name='base', config=PRETRAIN, seeds=[0, 1]),
                  dict(name='dar', config=PRETRAIN, seeds=[0, 1],
                       cfg_options={'train_cfg.max_epochs': 2})],
        tasks=['det', dict(name='seg', overlay=str(overlay))],
        report=dict(formats=['md', 'json']))
    fields.update(extra)
    path = tmp / 'manifest.py'
    path.write_text(''.join(f'{k} = {v!r}\n' for k, v in fields.items()))
    return path


def run(path: Path, **kw):
    return engine.run(load_manifest(path), python=FAKE, jobs=2, **kw)


@pytest.mark.parametrize('change, key', [
    (dict(colour='red'), 'colour'),
    (dict(variants=[dict(name='a', config='nope.py', seeds=[0])]), 'variants[0].config'),
    (dict(variants=[dict(name='a', config=PRETRAIN, seeds=[])]), 'variants[0].seeds'),
    (dict(tasks=['depth']), 'tasks[0].name'),
    (dict(variants=[dict(name='a', config=PRETRAIN, seeds=[0], lr=1)]), 'variants[0].lr'),
    (dict(resources=dict(pretrain=dict(gpu=1))), 'resources.pretrain.gpu'),
    (dict(probes=[dict(name='in1k')]), 'probes[0].data'),
    (dict(probes=[dict(name='in1k', data='x', methods=['svm'])]), 'probes[0].methods'),
])
def test_bad_manifest_names_the_key(tmp_path, capsys, change, key):
    path = write_manifest(tmp_path, **change)
    with pytest.raises(SystemExit) as exit_info:
        main(['campaign', 'status', str(path)])
    assert exit_info.value.code == 2
    assert f'manifest key {key}' in capsys.readouterr().err


def test_graph_pairs_seeds_adds_noise_floor_and_scratch(tmp_path):
    m = load_manifest(write_manifest(
        tmp_path, noise_floor=dict(variant='base', seed=0, finetune_seeds=[0, 7, 8]),
        variants=[dict(name='base', config=PRETRAIN, seeds=[0, 1]),
                  dict(name='scratch', config=None, seeds=[0], depth=18)]))
    jobs = {j.key: j for j in build_jobs(m)}
    stages = [j.stage for j in jobs.values()]
    # 2 pretrain + 3 export (the scratch row's writes its configs); base: 2 tasks x
    # (3 ft seeds for s0 + 1 for s1); scratch: 2.
    assert stages.count('pretrain') == 2 and stages.count('export') == 3
    assert stages.count('finetune') == 2 * 4 + 2 and stages.count('report') == 2
    ft = jobs['finetune.base.s1.det.f1']
    assert ft.deps == ['export.base.s1'] and 'randomness.seed=1' in ft.argv
    assert {'finetune.base.s0.seg.f7', 'finetune.base.s0.seg.f8'} <= set(jobs)
    scratch = jobs['finetune.scratch.s0.det.f0']
    assert scratch.deps == ['export.scratch.s0']
    assert jobs['export.scratch.s0'].deps == []
    assert jobs['export.scratch.s0'].argv[:4] == ['export', '--random-init', '--depth', '18']
    assert 'scratch_s0_det.py' in scratch.config_text
    assert jobs['export.base.s0'].argv[:2] == ['export', str(m.folder / 'pretrain/base/seed0')]
    order = list(jobs)
    assert all(order.index(d) < order.index(k) for k, j in jobs.items() for d in j.deps)


def test_finetune_seed_list(tmp_path):
    m = load_manifest(write_manifest(tmp_path, finetune_seeds=[3, 4]))
    keys = [j.key for j in build_jobs(m) if j.stage == 'finetune']
    assert len(keys) == 2 * 2 * 2 * 2 and 'finetune.dar.s1.seg.f4' in keys
    # seed rank first, so comparable backbones finish first
    assert [j.key for j in build_jobs(m) if j.stage == 'pretrain'] == [
        'pretrain.base.s0', 'pretrain.dar.s0', 'pretrain.base.s1', 'pretrain.dar.s1']


def test_one_slot_finishes_a_backbone_first_and_variants_restrict_the_run(tmp_path, capsys):
    path = write_manifest(tmp_path, probes=[dict(name='tiny', data='x', max_per_class=5)])
    m = load_manifest(path)
    with pytest.raises(ValueError, match='--variants: nope not in the manifest; its variants '
                                         'are base, dar'):
        engine.run(m, python=FAKE, jobs=1, variants=['nope'])
    statuses = engine.run(m, python=FAKE, jobs=1, variants=['dar'])
    assert {k for k, s in statuses.items() if s.state == 'done'} == {
        k for k in statuses if '.dar.' in k}
    started = {k: read_record(m.folder, k)['started'] for k in statuses
               if statuses[k].state == 'done'}
    # its fine-tunings run before the next pretraining starts
    assert started['pretrain.dar.s0'] < started['export.dar.s0'] < started[
        'finetune.dar.s0.seg.f0'] < started['pretrain.dar.s1']
    assert main(['campaign', 'run', str(path), '--dry-run', '--variants', 'base']) == 0
    planned = capsys.readouterr().out.splitlines()
    assert len(planned) == 2 + 2 + 4 + 2 and all(' base_s' in p or '/base/' in p
                                                 for p in planned)
    probe = read_record(m.folder, 'probe.dar.s1.tiny')
    assert probe['state'] == 'done' and '--max-per-class 5' in probe['command']
    assert '--beside --out' in probe['command']


def test_tasks_select_their_finetunings_and_what_they_need(tmp_path, capsys):
    path = write_manifest(tmp_path, probes=[dict(name='tiny', data='x')])
    m = load_manifest(path)
    graph = build_jobs(m)
    keys = {j.key for j in engine.select(m, graph, ['dar'], ['seg'])}
    assert keys == {'pretrain.dar.s0', 'export.dar.s0', 'finetune.dar.s0.seg.f0',
                    'pretrain.dar.s1', 'export.dar.s1', 'finetune.dar.s1.seg.f1'}
    with pytest.raises(ValueError, match='--tasks: pose not in the manifest; its tasks are '
                                         'det, seg'):
        engine.select(m, graph, None, ['pose'])
    assert main(['campaign', 'run', str(path), '--dry-run', '--tasks', 'det']) == 0
    planned = capsys.readouterr().out.splitlines()
    # 4 pretrainings, 4 exports, one det fine-tuning per backbone; no probe, no seg
    assert len(planned) == 4 + 4 + 4 and not any('probe' in p or '/seg/' in p for p in planned)
    with pytest.raises(SystemExit):
        main(['campaign', 'run', str(path), '--tasks', 'det', '--until-precision', 'det=1'])
    assert '--tasks and --until-precision do not go together' in capsys.readouterr().err


@pytest.fixture(scope='module')
def finished(tmp_path_factory):
    """One campaign run through the fake verbs (12 jobs), shared by the checks below."""
    tmp = tmp_path_factory.mktemp('campaign')
    path = write_manifest(tmp)
    statuses = run(path)
    return tmp, path, statuses


def test_run_finishes_every_job_with_records(finished):
    tmp, path, statuses = finished
    assert {s.state for s in statuses.values()} == {'done'}, statuses
    record = read_record(tmp / 'camp', 'pretrain.dar.s1')
    assert record['state'] == 'done' and record['attempts'] == 1 and record['exit_code'] == 0
    assert record['command'].startswith('dar-transfer pretrain ')
    assert 'train_cfg.max_epochs=2' in record['command']
    assert Path(record['log']).read_text().startswith('=== attempt 1: dar-transfer pretrain')
    assert record['host'] == socket.gethostname() and record['seconds'] >= 0


def test_status_json_and_table(finished, capsys):
    tmp, path, _ = finished
    assert main(['campaign', 'status', str(path), '--json']) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 * 2 + 2 * 2 + 2 * 2 * 2 + 2 and {r['state'] for r in rows} == {'done'}
    assert main(['campaign', 'status', str(path)]) == 0
    text = capsys.readouterr().out
    assert 'finetune.base.s0.seg.f0' in text and '18 done' in text
    assert main(['campaign', 'run', str(path), '--dry-run']) == 0
    assert capsys.readouterr().out.strip() == 'nothing to run'


def test_lost_weights_rerun_only_where_needed(tmp_path):
    path = write_manifest(tmp_path)
    run(path)
    camp = tmp_path / 'camp'
    # Weights are not in git: a checkout has records and summaries, not .pth files.
    for weights in camp.rglob('*.pth'):
        weights.unlink()
    _, statuses = engine.current(load_manifest(path))
    assert {s.state for s in statuses.values()} == {'done'}  # nothing needs the weights
    (camp / 'finetune/det/dar/seed1_ft1/finetune_summary.json').unlink()
    _, statuses = engine.current(load_manifest(path))
    needs = {k: s for k, s in statuses.items() if s.needs_run}
    # The fine-tuning needs the exported weights, the export needs the checkpoint, and
    # the reports read the new result; the other seed's and variant's jobs stay done.
    assert set(needs) == {'finetune.dar.s1.det.f1', 'export.dar.s1', 'pretrain.dar.s1',
                          'report.md', 'report.json'}
    assert 'dar_s1.pth is missing and finetune.dar.s1.det.f1 needs it' in needs[
        'export.dar.s1'].reason
    assert 'needs it' in needs['pretrain.dar.s1'].reason
    assert needs['report.md'].reason == 'finetune.dar.s1.det.f1 runs again'
    after = run(path)
    assert {s.state for s in after.values()} == {'done'}
    assert read_record(camp, 'export.dar.s0')['attempts'] == 1
    assert read_record(camp, 'export.dar.s1')['attempts'] == 2


def test_manifest_edit_marks_job_and_dependents_outdated(tmp_path, capsys):
    path = write_manifest(tmp_path)
    run(path)
    text = path.read_text().replace("'train_cfg.max_epochs': 2", "'train_cfg.max_epochs': 3")
    path.write_text(text)
    _, statuses = engine.current(load_manifest(path))
    outdated = {k: s.reason for k, s in statuses.items() if s.state == 'outdated'}
    assert outdated['pretrain.dar.s0'] == 'manifest changed: cfg_options/seed'
    assert outdated['export.dar.s0'] == 'manifest changed: its input job'
    assert 'finetune.dar.s1.seg.f1' in outdated and 'pretrain.base.s0' not in outdated
    assert main(['campaign', 'status', str(path)]) == 0
    assert 'manifest changed: cfg_options/seed' in capsys.readouterr().out


def test_accept_keeps_finished_results_through_an_edit(tmp_path, capsys):
    path = write_manifest(tmp_path)
    run(path)
    camp = tmp_path / 'camp'
    (camp / 'finetune/det/base/seed1_ft1/finetune_summary.json').unlink()  # no result
    (tmp_path / 'overlay.py').write_text('# a comment, edited\n')  # seg's overlay
    _, before = engine.current(load_manifest(path))
    assert {k for k, s in before.items() if s.state == 'outdated'} == {
        f'finetune.{v}.s{s}.seg.f{s}' for v in ('base', 'dar') for s in (0, 1)} | {
        'report.md', 'report.json'}  # a report follows every result it reads
    with pytest.raises(SystemExit) as exit_info:
        main(['campaign', 'accept', str(path), 'finetune.*.depth.*'])
    assert exit_info.value.code == 2
    assert 'no job matches finetune.*.depth.*' in capsys.readouterr().err
    assert main(['campaign', 'accept', str(path), 'finetune.*.seg.*', '--dry-run']) == 0
    assert capsys.readouterr().out.count('would accept finetune.') == 4
    assert engine.current(load_manifest(path))[1]['finetune.dar.s1.seg.f1'].state == 'outdated'
    assert main(['campaign', 'accept', str(path), 'finetune.*', '--json']) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out['accepted']) == 4 and out['left_out'] == []
    _, after = engine.current(load_manifest(path))
    assert {k for k, s in after.items() if s.needs_run} == {
        'finetune.base.s1.det.f1', 'report.md', 'report.json'}  # the missing result runs
    history = read_record(camp, 'finetune.dar.s1.seg.f1')['accepted']
    assert history[0]['was'] == 'manifest changed: config'
    # a job that never finished under the old settings has no result to keep
    (tmp_path / 'overlay.py').write_text('# edited again\n')
    (camp / 'finetune/seg/dar/seed0_ft0/finetune_summary.json').unlink()
    record = read_record(camp, 'finetune.dar.s0.seg.f0')
    (camp / 'jobs/finetune.dar.s0.seg.f0.json').write_text(
        json.dumps({**record, 'state': 'failed'}))
    assert main(['campaign', 'accept', str(path), 'finetune.dar.*']) == 0
    text = capsys.readouterr().out
    assert 'accepted finetune.dar.s1.seg.f1' in text
    assert 'left out finetune.dar.s0.seg.f0' in text
    with pytest.raises(SystemExit):
        main(['campaign', 'status', str(path), 'finetune.*'])
    assert 'only `campaign accept` does' in capsys.readouterr().err


def test_failing_job_siblings_go_on_and_a_fix_reruns_only_it(tmp_path, capsys):
    path = write_manifest(tmp_path, overlay_text='FAIL = 1\n')
    statuses = run(path)
    failed = sorted(k for k, s in statuses.items() if s.state == 'failed')
    assert failed == [f'finetune.{v}.s{s}.seg.f{s}' for v in ('base', 'dar') for s in (0, 1)]
    assert 'error: a bad config' in statuses[failed[0]].reason  # the log's last lines
    assert statuses['finetune.base.s0.det.f0'].state == 'done'
    assert statuses['report.md'].state == 'pending'  # its inputs are incomplete
    assert main(['campaign', 'report', str(path), '--json']) == 0
    missing = json.loads(capsys.readouterr().out)['missing']
    assert sorted(c['job'] for c in missing) == failed
    assert missing[0]['task'] == 'seg' and missing[0]['state'] == 'failed'
    (tmp_path / 'overlay.py').write_text('# fixed\n')
    after = run(path)
    assert {s.state for s in after.values()} == {'done'}
    camp = tmp_path / 'camp'
    assert read_record(camp, failed[0])['attempts'] == 2
    assert read_record(camp, 'finetune.base.s0.det.f0')['attempts'] == 1
    assert read_record(camp, 'pretrain.base.s0')['attempts'] == 1


def test_second_run_is_refused_naming_pid_and_host(tmp_path, capsys):
    path = write_manifest(tmp_path)
    with FolderLock(tmp_path / 'camp'):
        with pytest.raises(CampaignLocked, match=f'pid {os.getpid()} on host '):
            run(path)
        assert main(['campaign', 'run', str(path)]) == 1
    assert f'pid {os.getpid()} on host {socket.gethostname()}' in capsys.readouterr().err
    assert not (tmp_path / 'camp' / 'jobs').exists()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    path = write_manifest(tmp_path)
    lock = tmp_path / 'camp' / 'campaign.lock'
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({'pid': 2 ** 22 + 12345, 'host': socket.gethostname()}))
    assert {s.state for s in run(path).values()} == {'done'}
    assert not lock.exists()


def test_unwritable_folder_exits_1_without_records(tmp_path, capsys):
    blocker = tmp_path / 'file'
    blocker.write_text('not a folder')
    path = write_manifest(tmp_path, folder=str(blocker / 'camp'))
    assert not (blocker / 'camp').exists()
    with pytest.raises(SystemExit) as exit_info:
        main(['campaign', 'run', str(path)])
    assert exit_info.value.code == 1
    assert 'cannot write to the campaign folder' in capsys.readouterr().err


class FakeSlurm:
    """Records submissions; answers states from a dict the test sets."""

    def __init__(self):
        self.submitted, self.answers = [], {}

    def submit(self, key, argv, *, after, resources, log_path, env):
        job_id = str(1000 + len(self.submitted))
        self.submitted.append((key, job_id, list(after), dict(resources), argv))
        return job_id

    def states(self, job_ids):
        return {i: self.answers.get(i, 'PENDING') for i in job_ids}


def test_slurm_submits_in_order_with_afterok_and_status_reads_states(tmp_path):
    path = write_manifest(tmp_path, resources=dict(finetune=dict(gpus=2, time_min=60)))
    m, slurm = load_manifest(path), FakeSlurm()
    engine.run(m, executor='slurm', slurm=slurm)
    ids = {key: job_id for key, job_id, *_ in slurm.submitted}
    after = {key: a for key, _, a, _, _ in slurm.submitted}
    assert len(ids) == 18 and after['pretrain.base.s0'] == []
    assert after['export.base.s0'] == [ids['pretrain.base.s0']]
    assert after['finetune.dar.s1.seg.f1'] == [ids['export.dar.s1']]
    ft = next(s for s in slurm.submitted if s[0] == 'finetune.dar.s1.seg.f1')
    assert ft[3]['gpus'] == 2 and ft[3]['time_min'] == 60 and ft[4][-2:] == ['--launcher',
                                                                              'slurm']
    assert read_record(m.folder, 'pretrain.base.s0')['scheduler_id'] == ids['pretrain.base.s0']
    # A rerun while they are queued submits nothing.
    engine.run(m, executor='slurm', slurm=slurm)
    assert len(slurm.submitted) == 18
    # The scheduler says the pretraining completed: done only once its summary exists.
    slurm.answers[ids['pretrain.base.s0']] = 'COMPLETED'
    slurm.answers[ids['pretrain.base.s1']] = 'FAILED'
    work = m.folder / 'pretrain/base/seed0'
    work.mkdir(parents=True)
    (work / 'summary.json').write_text('{}')
    (work / 'last_checkpoint').write_text('x')
    _, statuses = engine.current(m, executor=slurm)
    assert statuses['pretrain.base.s0'].state == 'done'
    assert statuses['pretrain.base.s1'].state == 'failed'
    assert 'Slurm says FAILED' in statuses['pretrain.base.s1'].reason
    assert statuses['export.base.s0'].state == 'submitted'
    # Only the failed job is submitted again, and waits for nothing.
    engine.run(m, executor='slurm', slurm=slurm)
    assert [s[0] for s in slurm.submitted[18:]] == ['pretrain.base.s1']


def test_validate_allows_private_helper_keys(tmp_path):
    m = validate({'folder': str(tmp_path), '_data': 'x',
                  'variants': [dict(name='a', config=PRETRAIN, seeds=[0])]}, tmp_path / 'm.py')
    assert [t.name for t in m.tasks] == ['det', 'inst', 'pose', 'seg']


def test_paper_manifest_plans_the_table(monkeypatch):
    monkeypatch.chdir(Path(__file__).parents[1])
    m = load_manifest('configs/campaigns/paper_resnet50.py')
    stages = [j.stage for j in build_jobs(m)]
    # 3 variants x 3 seeds; 36 paired fine-tunings plus 2 noise-floor seeds x 4 tasks.
    assert stages.count('pretrain') == 9 and stages.count('export') == 9
    assert stages.count('finetune') == 36 + 8 and stages.count('report') == 4
    assert m.resources['pretrain']['gpus'] == 8


def test_killed_job_is_resumed_from_its_checkpoint(tmp_path):
    dying = tmp_path / 'dying.py'
    dying.write_text("_base_ = ['" + PRETRAIN + "']  # DIE\n")
    path = write_manifest(tmp_path, variants=[dict(name='v', config=str(dying), seeds=[0])])
    statuses = run(path)
    killed = statuses['pretrain.v.s0']
    assert killed.state == 'failed' and 'exit code -9' in killed.reason
    assert statuses['export.v.s0'].state == 'pending'  # never started after its dep failed
    after = run(path)
    assert {s.state for s in after.values()} == {'done'}
    record = read_record(tmp_path / 'camp', 'pretrain.v.s0')
    assert record['attempts'] == 2 and record['command'].endswith(' --resume')


def test_real_small_manifest_passes_the_suite_to_export(monkeypatch, tmp_path):
    monkeypatch.chdir(Path(__file__).parents[1])
    m = load_manifest('configs/campaigns/real_small_cpu.py')
    jobs = {j.key: j for j in build_jobs(m)}
    stages = [j.stage for j in jobs.values()]
    assert stages.count('pretrain') == 15 and stages.count('finetune') == 60 + 8 + 12
    scratch = jobs['export.scratch.s0']
    assert scratch.argv[:4] == ['export', '--random-init', '--depth', '18']
    assert '_pose_real-small_cpu.py' in jobs['finetune.scratch.s0.pose.f0'].config_text
    export = jobs['export.dar.s1']
    assert export.argv[-6:] == ['--suite', 'real-small', '--preset', 'cpu',
                                '--data-root', 'data/real-small']
    assert export.artifacts[1].name.endswith('_det_real-small_cpu.py')
    probe = jobs['probe.dar.s1.cifar10']
    assert probe.deps == ['pretrain.dar.s1'] and probe.argv[:2] == [
        'probe', str(m.folder / 'pretrain/dar/seed1')]
    assert '--val-fraction' in probe.argv and 'probe.dar.s1.cifar10' in jobs['report.md'].deps
    assert not any(k.startswith('probe.scratch') for k in jobs)  # nothing to probe
    ft = jobs['finetune.dar.s1.seg.f1']
    # the folder is relative: the base must resolve from the job config's own folder
    base = ft.config_text.split("'")[1]
    assert (ft.config_path.parent / base).resolve() == (
        export.work_dir / 'dar_s1_seg_real-small_cpu.py').resolve()
    # an edited preset changes the configs export writes, though not its argv
    from dar_transfer.export.real_small_tasks import PRESETS

    monkeypatch.setitem(PRESETS['cpu']['seg'], 'iters', 301)
    edited = {j.key: j for j in build_jobs(m)}
    assert edited['export.dar.s1'].fingerprint() != export.fingerprint()
    changed = sorted(k for k, j in edited.items() if j.fingerprint() != jobs[k].fingerprint()
                     and j.stage == 'finetune')
    # only that task's fine-tunings: det, inst and pose read the same configs as before
    assert changed and all('.seg.' in k for k in changed)
    assert len(changed) == sum('.seg.' in k for k in jobs if k.startswith('finetune.'))
    with pytest.raises(ValueError, match='export_options.data_root: suite real-small needs it'):
        validate({'folder': str(tmp_path), 'suite': 'real-small',
                  'export_options': {'preset': 'cpu'},
                  'variants': [dict(name='a', config=PRETRAIN, seeds=[0])]}, tmp_path / 'm.py')


def test_sigterm_stops_the_jobs_with_their_children_and_leaves_them_to_resume(tmp_path):
    sleepy = tmp_path / 'sleepy.py'
    sleepy.write_text("_base_ = ['" + PRETRAIN + "']  # SLEEP\n")
    path = write_manifest(tmp_path, variants=[dict(name='v', config=str(sleepy), seeds=[0])])
    code = ('import sys\nfrom dar_transfer.campaign import engine\n'
            'from dar_transfer.campaign.manifest import load_manifest\n'
            'engine.run(load_manifest(sys.argv[1]), python=sys.argv[2], jobs=1)\n')
    runner = subprocess.Popen([sys.executable, '-c', code, str(path), FAKE])
    deadline = time.monotonic() + 60
    while read_record(tmp_path / 'camp', 'pretrain.v.s0').get('state') != 'running':
        assert time.monotonic() < deadline and runner.poll() is None
        time.sleep(0.2)
    child_file = tmp_path / 'camp/pretrain/v/seed0/child.pid'
    while not child_file.exists() or not child_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.2)
    child = int(child_file.read_text())
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=30) == 128 + signal.SIGTERM
    deadline = time.monotonic() + 10
    while alive(child):  # the job's own child went with it
        assert time.monotonic() < deadline, f'pid {child} outlived its job'
        time.sleep(0.2)
    _, statuses = engine.current(load_manifest(path))
    assert statuses['pretrain.v.s0'].state == 'interrupted'
    assert not (tmp_path / 'camp' / 'campaign.lock').exists()


def alive(pid: int) -> bool:
    try:
        status = Path(f'/proc/{pid}/status').read_text()
    except FileNotFoundError:
        return False
    return 'State:\tZ' not in status  # a zombie has ended; only its parent has not waited
