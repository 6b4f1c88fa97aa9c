"""`dar-transfer demo --quick`: every job of the demo's campaign runs, the terminal stays
short and says the result is a smoke run, the report has all five tables, and a rerun
runs only what is not done."""
import json
from pathlib import Path

import pytest

from dar_transfer.cli import main
from dar_transfer.report.headline import SMOKE_LABEL

pytestmark = pytest.mark.slow
VARIANTS = ('baseline', 'dar', 'random')
TASKS = ('det', 'inst', 'pose', 'seg')
MAX_LINES = 40  # the budget for a successful demo's terminal output


def test_quick_demo_end_to_end(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = Path('demo')  # relative, as make demo's work_dirs/demo
    assert main(['demo', '--out', str(out), '--quick']) == 0
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    lines = printed.splitlines()
    assert len(lines) <= MAX_LINES, printed
    # Library output went to the job logs, not to the terminal: one log and one record
    # per job of the campaign, each done.
    assert 'Average Precision' not in printed and 'mmengine - ' not in printed
    assert 'Average Precision' in (out / 'logs' / 'finetune.dar.s0.det.f0.log').read_text()
    jobs = {f'{stage}.{variant}.s0' for stage in ('pretrain', 'export')
            for variant in VARIANTS}
    jobs |= {f'finetune.{variant}.s0.{task}.f0' for variant in VARIANTS for task in TASKS}
    jobs |= {'report.md', 'report.html', 'report.json'}
    assert {p.name for p in (out / 'logs').iterdir()} == {f'{job}.log' for job in jobs}
    records = {p.stem: json.loads(p.read_text()) for p in (out / 'jobs').iterdir()}
    assert set(records) == jobs and all(r['state'] == 'done' for r in records.values())
    # The headline is labelled a smoke run and shows what is real: cost, wall time,
    # downstream status.
    assert ' '.join(SMOKE_LABEL.split()[:6]) in printed
    start = next(i for i, line in enumerate(lines) if line.startswith('variant'))
    table = lines[start:start + 4]
    assert table[0].split() == ['variant', 'backbone', 'pretrain', 'cost', 'pretrain', 'wall',
                                'pretrain', 'top-1', 'det', 'inst', 'pose', 'seg']
    for line, variant, cost in zip(table[1:], ('baseline', 'dar', 'random'),
                                   ('1.00', '0.83', '0.83'), strict=True):
        cells = line.split()
        assert cells[0] == variant and cells[2] == cost and cells[4] == 's', line
        assert 0 <= float(cells[5]) <= 100, line  # the pretraining top-1
        assert cells[6:] == ['ok'] * 4, line
    assert str(out / 'report' / 'report.html') in printed
    # The manifest the demo ran is there for `campaign status`, which finds every job done.
    assert f'dar-transfer campaign status {out / "manifest.py"}' in printed
    assert main(['campaign', 'status', str(out / 'manifest.py'), '--json']) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row['job'] for row in rows} == jobs and {row['state'] for row in rows} == {'done'}

    report = json.loads((out / 'report' / 'report.json').read_text())
    assert report['headline']['generated_data'] and report['headline']['label'] == SMOKE_LABEL
    tables = {t['task']: t for t in report['tables']}
    assert set(tables) == {'cls', 'det', 'inst', 'pose', 'seg'}
    for task, table in tables.items():
        variants = {row['variant'] for row in table['rows']}
        assert variants == {'baseline', 'dar', 'random'}, task
        headline = table['columns'][0]
        for row in table['rows']:
            assert row['metrics'][headline]['mean'] is not None, (task, row['variant'])
            assert row['cost'] == pytest.approx(1.0 if row['variant'] == 'baseline' else 5 / 6)
    markdown = (out / 'report' / 'report.md').read_text()
    # the five task tables, the power table and the transfer score's note (no scratch row)
    assert markdown.count('### ') == 7 and SMOKE_LABEL in markdown
    assert 'No transfer score: it needs a from-scratch row' in markdown
    page = (out / 'report' / 'report.html').read_text()
    assert page.index(SMOKE_LABEL) < page.index('<h2>Classification on imagenet')
    # COCO's -1 (no large objects in the toy images) reads n/a, explained once.
    assert 'missing' not in page and '<td>n/a</td>' in page
    assert page.count('cannot exist on this data') == 1
    assert (out / 'report' / 'plots' / 'dar_subset.png').exists()

    # A rerun finds the data and every job done and only prints the result again.
    assert main(['demo', '--out', str(out), '--quick']) == 0
    rerun = capsys.readouterr().out
    assert rerun.count('done earlier (kept)') == 1 + len(jobs) and 'pretrain wall' in rerun
    assert ' done in ' not in rerun

    # A fine-tuning whose result is gone runs again, and the report after it; the rest
    # is kept.
    (out / 'finetune' / 'seg' / 'random' / 'seed0_ft0' / 'finetune_summary.json').unlink()
    assert main(['demo', '--out', str(out), '--quick']) == 0
    again = [line.split()[0] for line in capsys.readouterr().out.splitlines()
             if ' done in ' in line]
    assert sorted(again) == ['finetune.random.s0.seg.f0', 'report.html', 'report.json',
                             'report.md']


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / 'file'
    blocker.write_text('not a folder')
    with pytest.raises(SystemExit) as exit_info:
        main(['demo', '--out', str(blocker / 'demo'), '--quick'])
    assert exit_info.value.code == 1
    assert 'cannot write to the demo output folder' in capsys.readouterr().err
