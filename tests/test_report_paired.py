"""Paired statistics, the forest plot, probe columns and the rank agreement of the report,
on work_dirs written in mmengine's on-disk layout (config dump, scalars, test result)
with values chosen so that every number can be checked by hand."""
import json
import shutil
from pathlib import Path

import pytest

from dar_transfer.cli import main
from dar_transfer.report.collect import collect, headline_metric

STAMP = '20260101_000000'
PRETRAIN = """model = dict(type='ImageClassifier', arch='resnet18', num_classes=10)
randomness = dict(seed={seed})
train_cfg = dict(by_epoch=True, max_epochs=2)
val_evaluator = dict(type='TopKAccuracy', topk=(1, 5))
"""
DOWNSTREAM = """default_scope = '{scope}'
randomness = dict(seed=0)
train_cfg = dict(type='IterBasedTrainLoop', max_iters=4)
dar_provenance = dict(depth=18, variant='{variant}', source='{source}', pretrain_seed={seed},
                      pretrain_cost={cost})
"""
# Pretraining top-1 per (variant, seed). DaR's differences to the baseline in top-1 error:
# -1.0, -1.2, -0.8 (mean -1, s = 0.2), far smaller than the seed-to-seed spread (2).
TOP1 = {('baseline', 0): 70.0, ('baseline', 1): 72.0, ('baseline', 2): 74.0,
        ('dar', 0): 71.0, ('dar', 1): 73.2, ('dar', 2): 74.8,
        ('random', 10): 70.0, ('random', 11): 73.0}
KNN = {('baseline', 0): 30.0, ('baseline', 1): 32.0, ('dar', 0): 40.0, ('dar', 1): 38.0}
MIOU = {('baseline', 0): 10.0, ('baseline', 1): 12.0, ('dar', 0): 15.0, ('dar', 1): 16.0}


def write_run(work_dir: Path, config: str, scalars: list[dict], test: dict | None = None,
              summary: tuple[str, dict] | None = None) -> None:
    vis = work_dir / STAMP / 'vis_data'
    vis.mkdir(parents=True)
    (vis / 'config.py').write_text(config)
    (vis / 'scalars.json').write_text(''.join(json.dumps(s) + '\n' for s in scalars))
    if test is not None:
        (work_dir / STAMP / f'{STAMP}.json').write_text(json.dumps(test) + '\n')
    if summary is not None:
        (work_dir / summary[0]).write_text(json.dumps(summary[1]))


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp('paired')
    for (variant, seed), top1 in TOP1.items():
        work_dir = root / f'{variant}-s{seed}'
        write_run(work_dir, PRETRAIN.format(seed=seed),
                  [{'accuracy/top1': top1, 'accuracy/top5': 95.0, 'epoch': 2, 'step': 2}],
                  summary=('summary.json', {'top1': top1, 'seed': seed}))
        checkpoint = work_dir / 'epoch_2.pth'
        (work_dir / 'last_checkpoint').write_text(str(checkpoint))
        if variant != 'baseline':
            cost = 0.8 if variant == 'dar' else 0.7
            policy = 'hardest' if variant == 'dar' else 'random'
            (work_dir / 'dar_log.jsonl').write_text(json.dumps(
                {'epoch': 2, 'subset_size': 8, 'num_samples': 10, 'cost_so_far': cost,
                 'policy': policy}) + '\n')
        if (variant, seed) in KNN:
            (work_dir / 'epoch_2.probe-knn-imagenette-112.json').write_text(json.dumps(
                {'method': 'knn', 'data_name': 'imagenette-112',
                 'top1': KNN[variant, seed]}))
            for scope, metric in (('mmseg', {'mIoU': MIOU[variant, seed]}),
                                  ('mmpose', {'tPCK': MIOU[variant, seed] / 100})):
                write_run(root / f'{scope}-{variant}-s{seed}', DOWNSTREAM.format(
                    scope=scope, variant=variant, source=checkpoint, seed=seed, cost=1.0),
                    [], test=metric)
    return root


def report(runs, capsys, *argv):
    capsys.readouterr()
    assert main(['report', str(runs), *argv]) == 0
    return capsys.readouterr().out


def test_paired_interval_by_hand_and_welch_without_shared_seeds(runs, capsys):
    tables = {t['task']: t for t in json.loads(report(runs, capsys, '--format', 'json'))['tables']}
    rows = {r['variant']: r for r in tables['cls']['rows']}
    dar = rows['dar']['delta']['top-1 err']
    # Mean paired difference -1, s = 0.2, t(0.975, 2) = 4.3027: -1 ± 0.4968.
    assert (dar['ci_method'], dar['ci_n'], dar['ci_excludes_zero']) == ('paired t', 3, True)
    assert dar['interval_delta'] == pytest.approx(-1.0)
    assert (dar['ci_low'], dar['ci_high']) == (pytest.approx(-1.4968, abs=1e-4),
                                               pytest.approx(-0.5032, abs=1e-4))
    random = rows['random']['delta']['top-1 err']  # seeds 10, 11: nothing to pair with
    assert random['ci_method'] == 'welch' and random['ci_low'] < 0 < random['ci_high']
    seg = {r['variant']: r for r in tables['seg']['rows']}['dar']['delta']['mIoU']
    assert (seg['ci_method'], seg['ci_n']) == ('paired t', 2)  # by pretraining seed
    assert seg['interval_delta'] == pytest.approx(4.5)


def test_markdown_marks_intervals_that_exclude_zero(runs, capsys):
    text = report(runs, capsys)
    assert '-1.00 [-1.50, -0.50] * (paired, n=3)' in text
    assert '(Welch, n=2)' in text and '"*": the CI excludes 0' in text


def test_probe_columns_and_rank_agreement(runs, capsys):
    out = json.loads(report(runs, capsys, '--format', 'json'))
    headline = {r['variant']: r for r in out['headline']['rows']}
    assert headline['baseline']['pretrain_top1'] == pytest.approx(72.0)
    # One value per checkpoint, though each is named by a pretraining and two downstream runs.
    assert headline['baseline']['probes'] == {'knn imagenette-112': pytest.approx(31.0)}
    agreement = {(a['task'], a['metric']): a for a in out['agreement']}
    # Ranks: kNN b0 < b1 < d1 < d0, mIoU b0 < b1 < d0 < d1: one discordant pair of six.
    seg = agreement[('seg', 'mIoU')]
    assert (seg['probe'], seg['n']) == ('knn imagenette-112', 4)
    assert seg['tau'] == pytest.approx((5 - 1) / 6)
    assert agreement[('pose', 'tPCK')]['tau'] == pytest.approx((5 - 1) / 6)
    markdown = report(runs, capsys)
    assert '| knn imagenette-112 top-1 |' in markdown.replace('top-1 | seg', 'top-1 |')
    assert '### Probe vs transfer: rank agreement' in markdown


def test_pose_uses_tpck_when_present(runs):
    pose = [r for r in collect([runs]) if r.task == 'pose']
    assert pose and all(r.status == 'finished' for r in pose)
    assert pose[0].metrics['tPCK'] == pytest.approx(100 * MIOU[pose[0].variant, 0] / 100)
    assert headline_metric('pose', {'AP', 'tPCK'}) == 'tPCK'
    assert headline_metric('pose', {'AP'}) == 'AP'


def test_html_opens_with_the_forest_plot(runs, tmp_path):
    out = tmp_path / 'report.html'
    assert main(['report', str(runs), '--format', 'html', '--out', str(out),
                 '--plots', str(tmp_path / 'plots')]) == 0
    page = out.read_text()
    assert page.index('alt="Deltas against the baseline') < page.index('<h2>Summary</h2>')
    assert '<h2>Probe vs transfer: rank agreement</h2>' in page
    assert (tmp_path / 'plots' / 'forest.png').stat().st_size > 0


def test_tpck_column_only_where_reported(runs, tmp_path):
    from dar_transfer.report.tables import build_tables

    pose = [r for r in collect([runs]) if r.task == 'pose']
    assert 'tPCK' in build_tables(pose)[0].columns
    for run in pose:
        run.metrics = {**run.metrics, 'tPCK': None, 'AP': 50.0}
    assert 'tPCK' not in build_tables(pose)[0].columns


def test_probes_follow_results_copied_without_the_original_folder(runs, tmp_path, capsys):
    # A campaign's results committed elsewhere: the recorded checkpoint paths are gone.
    first, moved = tmp_path / 'first', tmp_path / 'moved'
    shutil.copytree(runs, first)
    shutil.copytree(first, moved)
    shutil.rmtree(first)
    out = json.loads(report(moved, capsys, '--format', 'json'))
    headline = {r['variant']: r for r in out['headline']['rows']}
    assert headline['baseline']['probes'] == {'knn imagenette-112': pytest.approx(31.0)}
    seg = {(a['task'], a['metric']): a for a in out['agreement']}[('seg', 'mIoU')]
    assert seg['n'] == 4 and seg['tau'] == pytest.approx((5 - 1) / 6)


def test_fine_tuning_repeats_form_the_noise_floor_not_extra_samples(runs, tmp_path, capsys):
    root = tmp_path / 'runs'
    shutil.copytree(runs, root)
    checkpoint = root / 'baseline-s0' / 'epoch_2.pth'
    for ft_seed, miou in ((5, 14.0), (6, 12.0)):  # the seed-0 baseline backbone again
        config = DOWNSTREAM.format(scope='mmseg', variant='baseline', source=checkpoint,
                                   seed=0, cost=1.0)
        write_run(root / f'mmseg-baseline-s0-ft{ft_seed}',
                  config.replace('seed=0)', f'seed={ft_seed})'), [], test={'mIoU': miou})
    out = json.loads(report(root, capsys, '--format', 'json'))
    seg = {r['variant']: r for r in {t['task']: t for t in out['tables']}['seg']['rows']}
    # the row keeps one run per backbone (10 and 12), so the repeats change nothing there
    assert seg['baseline']['metrics']['mIoU'] == {'mean': 11.0, 'std': pytest.approx(1.4142,
                                                                                       abs=1e-4),
                                                  'n': 2}
    assert seg['dar']['delta']['mIoU']['interval_delta'] == pytest.approx(4.5)
    (noise,) = out['noise_floor']
    assert (noise['task'], noise['variant'], noise['pretrain_seed'], noise['seeds']) == (
        'seg', 'baseline', 0, [0, 5, 6])
    # 10, 14, 12: mean 12, sample std 2, range 4
    assert (noise['mean'], noise['std'], noise['range']) == (12.0, 2.0, 4.0)
    assert '| seg | resnet18 | baseline | 0 | mIoU | 0, 5, 6 | 12.00 ± 2.00 | 4.00 |' in report(
        root, capsys)
