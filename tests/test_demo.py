"""`dar-transfer demo --quick`: every stage runs and the report has all five tables."""
import json

import pytest

from dar_transfer.cli import main

pytestmark = pytest.mark.slow


def test_quick_demo_end_to_end(tmp_path, capsys):
    out = tmp_path / 'demo'
    assert main(['demo', '--out', str(out), '--quick']) == 0
    printed = capsys.readouterr().out
    assert 'Headline' in printed and str(out / 'report' / 'report.html') in printed
    report = json.loads((out / 'report' / 'report.json').read_text())
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
    assert markdown.count('### ') == 5
    assert (out / 'report' / 'plots' / 'dar_subset.png').exists()

    # A rerun finds every stage done and only prints the result again.
    assert main(['demo', '--out', str(out), '--quick']) == 0
    assert 'Headline' in capsys.readouterr().out


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / 'file'
    blocker.write_text('not a folder')
    with pytest.raises(SystemExit) as exit_info:
        main(['demo', '--out', str(blocker / 'demo'), '--quick'])
    assert exit_info.value.code == 1
    assert 'cannot write to the demo output folder' in capsys.readouterr().err
