"""The report on real mmengine outputs: tiny pretraining runs (several seeds, DaR and
the random control), a fine-tuning run with exported provenance, and broken runs."""
import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import torch
import torchvision

from dar_transfer.cli import main
from dar_transfer.demo.classification_data import write_cifar_batches
from dar_transfer.demo.downstream_data import write_cityscapes
from dar_transfer.demo.toy_configs import write_toy_config

pytestmark = pytest.mark.slow
CONFIGS = Path(__file__).parents[1] / 'configs' / 'pretrain' / 'cifar10'


def pretrain(config: str, work_dir: Path, data: Path, seed: int, *extra: str) -> None:
    options = [f'randomness.seed={seed}', 'train_cfg.max_epochs=2', 'model.arch=cifar_resnet20',
               'train_dataloader.batch_size=10', *extra]
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options += [f'{loader}.dataset.data_root={data}', f'{loader}.num_workers=0',
                    f'{loader}.persistent_workers=False']
    if config.endswith(('_dar.py', '_random.py')):
        options += ['train_dataloader.sampler.warmup_epochs=0',
                    'train_dataloader.sampler.interval=1',
                    'train_dataloader.sampler.keep_ratio=0.5',
                    'train_dataloader.sampler.refresh_epochs=[]']
    assert main(['pretrain', str(CONFIGS / config), '--work-dir', str(work_dir),
                 '--cfg-options', *options]) == 0


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp('report')
    data = write_cifar_batches(root / 'cifar10', train_per_class=1, test_per_class=2)
    work = root / 'work_dirs'
    for seed in (0, 1):
        pretrain('resnet110_1xb128-300e_cifar10.py', work / f'base-s{seed}', data, seed)
        pretrain('resnet110_1xb128-300e_cifar10_dar.py', work / f'dar-s{seed}', data, seed)
    pretrain('resnet110_1xb128-300e_cifar10_random.py', work / 'random-s0', data, 0)
    # An interrupted run: its log stops after the first of two epochs.
    shutil.copytree(work / 'base-s0', work / 'cut-s0')
    for scalars in (work / 'cut-s0').glob('*/vis_data/scalars.json'):
        scalars.write_text(scalars.read_text().splitlines()[0] + '\n')
    # Runs stopped while they started leave an empty config dump: a newer one beside a
    # finished run (a retry), and one alone (the report leaves that run out).
    for stopped in (work / 'base-s1', work / 'stopped-s0'):
        (stopped / '20991231_235959' / 'vis_data').mkdir(parents=True)
        (stopped / '20991231_235959' / 'vis_data' / 'config.py').write_text('')
    # A fine-tuning run with provenance from export.
    torch.save(torchvision.models.resnet18().state_dict(), root / 'r18.pth')
    assert main(['export', str(root / 'r18.pth'), '--name', 'r18', '--out',
                 str(root / 'checkpoints'), '--tasks', 'seg', '--variant', 'baseline']) == 0
    toy = write_toy_config('seg', root / 'checkpoints' / 'r18_seg.py',
                           write_cityscapes(root / 'cityscapes'), length=4)
    assert main(['finetune', str(toy), '--work-dir', str(work / 'seg-r18')]) == 0
    return work


def report(runs, capsys, *argv):
    capsys.readouterr()
    assert main(['report', str(runs), *argv]) == 0
    return capsys.readouterr().out


def logged_top1(work_dir: Path) -> float:
    lines = [json.loads(x) for p in work_dir.glob('*/vis_data/scalars.json')
             for x in p.read_text().splitlines()]
    return [x for x in lines if 'accuracy/top1' in x][-1]['accuracy/top1']


def test_json_values_equal_the_logged_ones(runs, capsys):
    tables = {t['task']: t for t in json.loads(report(runs, capsys, '--format', 'json'))['tables']}
    rows = {(r['backbone'], r['variant']): r for r in tables['cls']['rows']}
    base, dar = rows[('cifar_resnet20', 'baseline')], rows[('cifar_resnet20', 'dar')]
    errors = [100 - logged_top1(runs / f'base-s{s}') for s in (0, 1)]
    assert base['metrics']['top-1 err']['n'] == 2
    assert base['metrics']['top-1 err']['mean'] == pytest.approx(sum(errors) / 2)
    assert base['metrics']['top-1 err']['std'] == pytest.approx(
        torch.tensor(errors).std().item(), abs=1e-9)
    dar_errors = [100 - logged_top1(runs / f'dar-s{s}') for s in (0, 1)]
    assert dar['delta']['top-1 err']['value'] == pytest.approx(
        sum(dar_errors) / 2 - sum(errors) / 2)
    assert dar['cost'] == pytest.approx(0.75) and base['cost'] == 1.0
    random = rows[('cifar_resnet20', 'random')]
    assert random['delta']['top-1 err']['within_spread'] is None  # one seed: spread unknown
    assert 'unfinished' in base['statuses']  # the cut run is listed, not averaged
    seg = tables['seg']['rows'][0]
    assert seg['variant'] == 'baseline' and seg['metrics']['mIoU']['mean'] is not None


def test_markdown_marks_noise_and_unfinished_runs(runs, capsys):
    text = report(runs, capsys)
    assert '### Classification on cifar10' in text
    assert '### Semantic segmentation (PSPNet) on cityscapes' in text
    assert '- cut-s0: unfinished' in text
    assert 'delta dar' in text and '"?": a row has one seed' in text


def test_a_run_stopped_while_starting_is_left_out(runs, capsys, caplog):
    text = report(runs, capsys)
    assert 'stopped-s0' not in text
    assert 'stopped-s0: its only config dump is empty' in caplog.text


def test_csv_and_latex_parse(runs, capsys):
    records = list(csv.DictReader(io.StringIO(report(runs, capsys, '--format', 'csv'))))
    assert {r['task'] for r in records} == {'cls', 'seg'}
    assert any(r['metric'] == 'mIoU' and float(r['mean']) >= 0 for r in records)
    latex = report(runs, capsys, '--format', 'latex')
    assert latex.count(r'\begin{tabular}') == 2 and r'$\pm$' in latex


def test_html_page_in_headless_chromium(runs, tmp_path):
    out = tmp_path / 'report.html'
    assert main(['report', str(runs), '--format', 'html', '--out', str(out),
                 '--plots', str(tmp_path / 'plots')]) == 0
    browser = shutil.which('chromium') or shutil.which('chromium-browser')
    if browser is None:
        if os.environ.get('CI'):
            pytest.fail('chromium is missing in CI; .ci/run installs it')
        pytest.skip('chromium not installed (apt-get install chromium); CI installs it')
    dom = subprocess.run([browser, '--headless', '--no-sandbox', '--disable-gpu',
                          '--dump-dom', out.as_uri()], capture_output=True, text=True,
                         timeout=120).stdout
    # the summary first, the power and non-inferiority table, then cls and seg
    assert dom.count('<table>') == 4
    assert 'Decision: non-inferiority against the baseline' in dom
    assert dom.index('<h2>Summary</h2>') < dom.index('<table>')
    # The forest plot opens the page, then cls, seg and the DaR subset.
    assert dom.count('src="data:image/png;base64,') == 4
    assert dom.index('alt="Deltas against the baseline') < dom.index('<h2>Summary</h2>')
    assert (tmp_path / 'plots' / 'dar_subset.png').exists()
