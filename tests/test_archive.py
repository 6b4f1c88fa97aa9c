"""The campaign archive: ``benchmarks/archive_campaign.py`` writes runs.jsonl, the
manifest, the job records and provenance.json from a campaign folder; the report reads
it back as the runs it read from the work_dirs.

The campaign is made by hand in mmengine's on-disk layout (config dumps, scalars, test
results, summaries), as a campaign that ran in another checkout leaves it: every
machine path under ``/machine/checkout``.
"""
import dataclasses
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from helpers import load_benchmark

from dar_transfer.cli import main
from dar_transfer.report.archive import ROW_KEYS, RUNS_FILE, read_rows
from dar_transfer.report.collect import collect
from dar_transfer.utils.machine import cpu_model, machine

ROOT = Path(__file__).parents[1]
PRETRAIN_CONFIG = str(ROOT / 'configs/demo/resnet18_pretrain_toy.py')
RECORDED = 'work_dirs/campaigns/toy'  # the manifest's folder, as it ran
ELSEWHERE = f'/machine/checkout/{RECORDED}'  # ... in a checkout on another machine
OLD, NEW = '20260101_000000', '20260102_000000'
PRETRAIN = """model = dict(type='ImageClassifier', arch='resnet18', num_classes=10)
randomness = dict(seed={seed})
train_cfg = dict(by_epoch=True, max_epochs=2)
val_evaluator = dict(type='TopKAccuracy', topk=(1, 5))
"""
DOWNSTREAM = """default_scope = '{scope}'
randomness = dict(seed={seed})
train_cfg = dict(type='IterBasedTrainLoop', max_iters=4)
test_dataloader = dict(dataset=dict(data_root='/machine/data/{data}/'))
dar_provenance = dict(depth=18, variant='{variant}', source='{source}', pretrain_seed={seed},
                      pretrain_cost={cost}, source_sha256='{sha}')
"""
TOP1 = {('base', 0): 70.0, ('base', 1): 72.5, ('dar', 0): 71.0, ('dar', 1): 73.0}
DET = {('base', 0): 0.30, ('base', 1): 0.34, ('dar', 0): 0.33, ('dar', 1): 0.31}
MIOU = {('base', 0): 20.0, ('base', 1): 23.0, ('dar', 0): 22.5, ('dar', 1): 21.0}


def load_tool():
    return load_benchmark('archive_campaign')


def write_run(work_dir: Path, stamp: str, config: str, scalars: list[dict],
              test: dict | None = None) -> None:
    vis = work_dir / stamp / 'vis_data'
    vis.mkdir(parents=True)
    (vis / 'config.py').write_text(config)
    (vis / 'scalars.json').write_text(''.join(json.dumps(s) + '\n' for s in scalars))
    if test is not None:
        (work_dir / stamp / f'{stamp}.json').write_text(json.dumps(test) + '\n')


def write_manifest(tmp: Path) -> Path:
    fields = dict(
        folder=RECORDED,
        variants=[dict(name='base', config=PRETRAIN_CONFIG, seeds=[0, 1]),
                  dict(name='dar', config=PRETRAIN_CONFIG, seeds=[0, 1])],
        tasks=['det', 'seg'], probes=[dict(name='toy', data='data/toy', methods=['knn'])],
        report=dict(formats=['md']))
    path = tmp / 'toy_manifest.py'
    path.write_text(''.join(f'{k} = {v!r}\n' for k, v in fields.items()))
    return path


def record(key: str, seconds: float) -> dict:
    return {'key': key, 'state': 'done', 'executor': 'local', 'attempts': 1,
            'log': f'{ELSEWHERE}/logs/{key}.log', 'host': 'vm', 'started': 1.8e9,
            'ended': 1.8e9 + seconds, 'seconds': seconds,
            'command': f'dar-transfer pretrain x.py --work-dir {RECORDED}/pretrain/{key}'}


XEON, EPYC = 'Xeon (GenuineIntel family 6 model 167), 2 CPUs', 'EPYC, 2 CPUs'


def make_campaign(camp: Path) -> None:
    """Two variants x two seeds, pretraining (with a probe beside the checkpoint), det and
    seg fine-tunings; a superseded attempt in one work_dir; records and a probe result."""
    jobs = camp / 'jobs'
    jobs.mkdir(parents=True)
    for (variant, seed), top1 in TOP1.items():
        work_dir = camp / 'pretrain' / variant / f'seed{seed}'
        write_run(work_dir, NEW, PRETRAIN.format(seed=seed),
                  [{'accuracy/top1': top1, 'accuracy/top5': 95.0, 'epoch': 2, 'step': 2}])
        (work_dir / 'summary.json').write_text(json.dumps(
            {'top1': top1, 'seed': seed, 'wall_seconds': 30.5 + seed,
             'work_dir': f'{ELSEWHERE}/pretrain/{variant}/seed{seed}'}))
        checkpoint = f'{ELSEWHERE}/pretrain/{variant}/seed{seed}/epoch_2.pth'
        (work_dir / 'last_checkpoint').write_text(checkpoint)
        (work_dir / 'epoch_2.probe-knn-toy.json').write_text(json.dumps(
            {'checkpoint': checkpoint, 'method': 'knn', 'data_name': 'toy',
             'top1': 40.0 + top1 / 10}))
        if variant == 'dar':
            (work_dir / 'dar_log.jsonl').write_text(''.join(json.dumps(
                {'epoch': e, 'subset_size': s, 'num_samples': 10, 'cost_so_far': c,
                 'policy': 'hardest'}) + '\n' for e, s, c in ((1, 10, 0.5), (2, 6, 0.8))))
        (jobs / f'pretrain.{variant}.s{seed}.json').write_text(json.dumps(
            record(f'pretrain.{variant}.s{seed}', 31.0)))
        probe = camp / 'probe' / variant / f'seed{seed}' / 'toy.json'
        probe.parent.mkdir(parents=True)
        probe.write_text(json.dumps({'data_name': 'toy', 'checkpoints': {'epoch_2': {
            'path': checkpoint, 'arch': 'resnet18', 'extract_seconds': 1.5,
            'probes': {'knn': {'method': 'knn', 'top1': 40.0 + top1 / 10,
                               'probe_seconds': 0.25}}}}}))
        (jobs / f'probe.{variant}.s{seed}.toy.json').write_text(json.dumps(
            record(f'probe.{variant}.s{seed}.toy', 2.0)))
        cost = 0.8 if variant == 'dar' else 1.0
        for task, scope, data, test in (
                ('det', 'mmdet', 'pennfudan', {'coco/bbox_mAP': DET[variant, seed],
                                               'coco/bbox_mAP_l': -1.0}),
                ('seg', 'mmseg', 'camvid', {'mIoU': MIOU[variant, seed], 'aAcc': 80.0})):
            ft = camp / 'finetune' / task / variant / f'seed{seed}_ft{seed}'
            config = DOWNSTREAM.format(scope=scope, variant=variant, source=checkpoint,
                                       seed=seed, cost=cost, data=data, sha='ab' * 32)
            if (variant, seed, task) == ('base', 0, 'seg'):
                # a first attempt, superseded: the report reads the newer one only
                write_run(ft, OLD, config.replace('max_iters=4', 'max_iters=5'), [],
                          test={'mIoU': 1.0})
            write_run(ft, NEW, config, [], test=test)
            # dar's seed-1 runs were fine-tuned on another kind of machine than their
            # baseline partners; the pretrainings record none (made before runs did)
            (ft / 'finetune_summary.json').write_text(json.dumps(
                {'seed': seed, 'wall_seconds': 12.0, 'backbone_source': checkpoint,
                 'machine': EPYC if (variant, seed) == ('dar', 1) else XEON}))
            key = f'finetune.{variant}.s{seed}.{task}.f{seed}'
            (jobs / f'{key}.json').write_text(json.dumps(record(key, 13.0)))


@pytest.fixture(scope='module')
def campaign(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('archive')
    camp, target = tmp / 'toy', tmp / 'archived' / 'toy'
    make_campaign(camp)
    manifest = write_manifest(tmp)
    assert load_tool().main([str(camp), str(target), '--manifest', str(manifest)]) == 0
    return camp, target


def normalised(runs, folder: Path, campaign_folder: Path | None = None) -> list[dict]:
    """Records as dicts with the work_dir relative to its campaign folder and the
    checkpoint relative to it (the archive's only changes)."""
    out = []
    for run in runs:
        data = dataclasses.asdict(run)
        data['work_dir'] = run.work_dir.relative_to(folder).as_posix()
        if campaign_folder is not None and run.checkpoint:
            data['checkpoint'] = run.checkpoint.replace(f'{ELSEWHERE}/', '')
        out.append(data)
    return out


def test_rows_hold_every_key_the_last_attempt_and_the_job_keys(campaign):
    camp, target = campaign
    rows = read_rows(target / RUNS_FILE)
    assert all(tuple(row) == ROW_KEYS for row in rows)
    jobs = {row['job']: row for row in rows}
    assert set(jobs) == {f'{stage}.{v}.s{s}{suffix}' for v, s in TOP1 for stage, suffix in (
        ('pretrain', ''), ('probe', '.toy'), ('finetune', f'.det.f{s}'),
        ('finetune', f'.seg.f{s}'))}
    seg = jobs['finetune.base.s0.seg.f0']
    newest = camp / 'finetune/seg/base/seed0_ft0' / NEW / 'vis_data' / 'config.py'
    assert seg['config_sha256'] == hashlib.sha256(newest.read_bytes()).hexdigest()
    assert seg['metrics']['mIoU'] == 20.0 and seg['job_seconds'] == 13.0
    assert (seg['seed'], seg['ft_seed'], seg['pretrain_seed']) == (0, 0, 0)
    assert seg['checkpoint'] == 'pretrain/base/seed0/epoch_2.pth'
    assert seg['checkpoint_sha256'] == 'ab' * 32 and seg['data'] == 'camvid'
    det = jobs['finetune.dar.s1.det.f1']
    assert det['metrics']['box AP'] == pytest.approx(31.0) and det['not_applicable'] == [
        'box APl'] and det['cost'] == 0.8 and det['stage'] == 'finetune'
    dar = jobs['pretrain.dar.s1']
    assert (dar['variant'], dar['cost'], dar['wall_s'], dar['pretrain_top1']) == (
        'dar', 0.8, 31.5, 73.0)
    assert dar['probes'] == {'knn toy': 47.3} and len(dar['dar_log']) == 2
    probe = jobs['probe.dar.s1.toy']
    assert probe['metrics'] == {'knn toy': 47.3} and probe['wall_s'] == 1.75
    assert probe['checkpoint'] == dar['checkpoint'] == 'pretrain/dar/seed1/epoch_2.pth'
    assert (det['machine'], seg['machine'], dar['machine']) == (EPYC, XEON, '')


def test_archive_has_no_config_dump_and_no_machine_path(campaign):
    camp, target = campaign
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob('*') if p.is_file())
    assert [f for f in files if not f.startswith('jobs/')] == [
        'manifest.py', 'provenance.json', RUNS_FILE]
    assert len([f for f in files if f.startswith('jobs/')]) == 16
    for path in target.rglob('*'):
        if path.is_file():
            text = path.read_text()
            assert '/machine/' not in text and str(camp.parent) not in text, path
    log = json.loads((target / 'jobs' / 'pretrain.dar.s0.json').read_text())
    assert log['log'] == '{folder}/logs/pretrain.dar.s0.log'
    assert log['command'].endswith('--work-dir {folder}/pretrain/pretrain.dar.s0')


def test_provenance_says_what_is_known_and_what_is_not(campaign):
    _, target = campaign
    provenance = json.loads((target / 'provenance.json').read_text())
    assert provenance['runs']['code_commit'] is None
    assert 'unknown' in provenance['runs']['code_commit_note']
    assert provenance['runs']['environment'] is None  # no mmengine logs in this folder
    assert provenance['runs']['jobs']['records'] == 16
    assert provenance['runs']['jobs']['first_started'] == '2027-01-15T08:00:00Z'
    assert provenance['rows'] == {'finetune': 8, 'pretrain': 4, 'probe': 4}
    assert provenance['runs']['machines'] == {
        EPYC: 2, XEON: 6, 'not recorded by the run': 8}
    archived = provenance['archived']
    if (ROOT / '.git').exists():  # a source tarball has no commit to name
        assert re.fullmatch(r'[0-9a-f]{40}', archived['tool_commit']['commit'])
        assert isinstance(archived['tool_commit']['dirty'], bool)
    assert set(archived['environment']['libraries']) == {
        'torch', 'torchvision', 'mmengine', 'mmcv', 'mmdet', 'mmseg', 'mmpose', 'numpy',
        'scipy'}
    assert archived['environment']['libraries']['mmengine'].startswith('0.10')


@pytest.mark.parametrize('paths', [[''], ['pretrain', 'finetune'], [RUNS_FILE]])
def test_the_report_reads_the_same_runs_from_the_archive(campaign, paths):
    camp, target = campaign
    before = normalised(collect([camp]), camp, camp)
    after = normalised(collect([target / p if p else target for p in paths]), target)
    assert after == before
    # and the stage folders alone select their stage's rows
    assert {r['task'] for r in normalised(collect([target / 'pretrain']), target)} == {'cls'}


def test_report_text_is_unchanged_by_archiving(campaign, capsys):
    camp, target = campaign
    outputs = []
    for folder in (camp, target):
        capsys.readouterr()
        assert main(['report', str(folder / 'pretrain'), str(folder / 'finetune'),
                     '--format', 'md', '--baseline', 'base']) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] and 'knn toy top-1' in outputs[0]
    # dar's seed-1 fine-tunings paired with baseline runs made on another kind of machine
    crossed = (f'dar: 1 of its 2 runs paired with a base run on another kind of machine '
               f'(dar on {EPYC}, base on {XEON})')
    assert outputs[0].count(crossed) == 2  # det and seg; the pretrainings recorded none


def test_merge_adds_a_resumed_campaign_to_its_earlier_archive(campaign, tmp_path):
    """A campaign resumed in a fresh folder (one fine-tuning run again there, with another
    result) is added to its archive: the new row replaces the old one, the rest stay."""
    import shutil

    _, target = campaign
    merged = tmp_path / 'merged'
    with pytest.raises(SystemExit, match='holds no archive'):
        load_tool().archive(tmp_path, merged, merge=True)
    shutil.copytree(target, merged)
    fresh = tmp_path / 'toy'
    make_campaign(fresh)
    kept = 'finetune.dar.s1.det.f1'
    for path in sorted((fresh / 'jobs').glob('*.json')):
        if path.stem != kept:
            path.unlink()
    for stage in ('pretrain', 'probe', 'finetune/seg', 'finetune/det/base',
                  'finetune/det/dar/seed0_ft0'):
        shutil.rmtree(fresh / stage)
    test = fresh / 'finetune/det/dar/seed1_ft1' / NEW / f'{NEW}.json'
    test.write_text(json.dumps({'coco/bbox_mAP': 0.5}) + '\n')
    # a precision campaign's state goes with its runs: the folder's replaces the archive's
    (merged / 'precision.json').write_text('{"seeds": {}, "plans": []}')
    (fresh / 'precision.json').write_text('{"seeds": {"dar": [0, 1, 2]}, "plans": []}')
    assert load_tool().main([str(fresh), str(merged), '--manifest',
                             str(write_manifest(tmp_path)), '--merge']) == 0
    before = {row['job']: row for row in read_rows(target / RUNS_FILE)}
    after = {row['job']: row for row in read_rows(merged / RUNS_FILE)}
    assert set(after) == set(before)
    assert after[kept]['metrics']['box AP'] == pytest.approx(50.0)
    assert all(after[k] == before[k] for k in before if k != kept)
    assert len(list((merged / 'jobs').glob('*.json'))) == 16
    provenance = json.loads((merged / 'provenance.json').read_text())
    assert provenance['runs']['jobs']['records'] == 16
    assert provenance['notes'][-1].startswith('merged: 15 rows kept')
    assert json.loads((merged / 'precision.json').read_text())['seeds'] == {'dar': [0, 1, 2]}


def test_a_job_still_running_is_left_out_and_its_earlier_row_kept(campaign, tmp_path, caplog):
    """Archived while the campaign runs: the running job's work_dir holds a partial run,
    which must not replace (or, in a first archive, become) a row."""
    import shutil

    _, target = campaign
    merged = tmp_path / 'merged'
    shutil.copytree(target, merged)
    fresh = tmp_path / 'toy'
    make_campaign(fresh)
    running = 'finetune.dar.s1.det.f1'
    path = fresh / 'jobs' / f'{running}.json'
    path.write_text(json.dumps({**json.loads(path.read_text()), 'state': 'running',
                                'ended': None, 'seconds': None}))
    test = fresh / 'finetune/det/dar/seed1_ft1' / NEW / f'{NEW}.json'
    test.write_text(json.dumps({'coco/bbox_mAP': 0.5}) + '\n')
    manifest = write_manifest(tmp_path)
    with caplog.at_level('WARNING'):
        load_tool().archive(fresh, merged, manifest=manifest, merge=True)
    assert f'left out 1 jobs still running or submitted ({running})' in caplog.text
    before = {row['job']: row for row in read_rows(target / RUNS_FILE)}
    after = {row['job']: row for row in read_rows(merged / RUNS_FILE)}
    assert after[running] == before[running]
    assert json.loads((merged / 'jobs' / f'{running}.json').read_text())['state'] == 'done'
    first = tmp_path / 'first'
    load_tool().archive(fresh, first, manifest=manifest)
    assert running not in {row['job'] for row in read_rows(first / RUNS_FILE)}
    assert not (first / 'jobs' / f'{running}.json').exists()


def test_a_bad_row_is_named(tmp_path):
    (tmp_path / RUNS_FILE).write_text('{"version": 1, "job": "pretrain.x.s0"}\n')
    with pytest.raises(ValueError, match=r'runs.jsonl:1 \(pretrain.x.s0\) lacks stage'):
        collect([tmp_path])
    (tmp_path / RUNS_FILE).write_text('{"version": 99}\n')
    with pytest.raises(ValueError, match='row version 99'):
        collect([tmp_path])


@pytest.mark.parametrize('lines, expected', [
    # Linux's own vague name on the Xeon of benchmarks/README.md section 11
    (['vendor_id\t: GenuineIntel', 'cpu family\t: 6', 'model\t\t: 167',
      'model name\t: Intel(R) Xeon(R) Processor'],
     'Intel(R) Xeon(R) Processor (GenuineIntel family 6 model 167)'),
    (['model name\t: AMD EPYC'], 'AMD EPYC'),
    (['vendor_id\t: AuthenticAMD', 'cpu family\t: 25', 'model\t\t: 17'],
     'AuthenticAMD family 25 model 17'),
    ([], None)])
def test_the_cpu_is_named_with_its_family_and_model(tmp_path, lines, expected):
    cpuinfo = tmp_path / 'cpuinfo'
    cpuinfo.write_text(''.join(f'{line}\n' for line in lines * 2))  # two cores
    assert cpu_model(cpuinfo) == expected
    assert machine().endswith(f'{os.cpu_count()} CPUs')  # no GPU here: CPU, cores only


def test_a_row_archived_before_runs_recorded_their_machine_reads_as_unknown(campaign,
                                                                             tmp_path):
    _, target = campaign
    rows = read_rows(target / RUNS_FILE)
    (tmp_path / RUNS_FILE).write_text(''.join(
        json.dumps({k: v for k, v in row.items() if k != 'machine'}) + '\n' for row in rows))
    assert {run.machine for run in collect([tmp_path])} == {''}


def test_committed_results_hold_no_config_dump_and_no_absolute_path():
    results = ROOT / 'benchmarks' / 'results'
    dumps = sorted(str(p.relative_to(results)) for p in results.rglob('vis_data'))
    assert dumps == [], f'config dumps in benchmarks/results: {dumps[:5]}'
    absolute = re.compile(r'(?<![\w.:/}>~-])/(?:work|root|home|tmp|Users|mnt|scratch|data)/')
    found = [str(p.relative_to(results)) for p in sorted(results.rglob('*'))
             if p.is_file() and p.suffix != '.png' and absolute.search(p.read_text())]
    assert found == [], f'absolute paths in benchmarks/results: {found}'
