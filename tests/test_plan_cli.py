"""`dar-transfer plan`: human and JSON output, the keep-ratio solver, usage errors."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dar_transfer.cli import main

PAPER_IMAGENET = ['plan', '--num-samples', '1281167', '--epochs', '120', '--warmup', '10',
                  '--interval', '2', '--active', '10', '--refresh', '30', '60', '90']


def run_json(argv, capsys):
    code = main([*argv, '--json'])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('semantics, cost', [('cyclic', 0.739), ('paper-literal', 0.956)])
def test_paper_settings_cost(semantics, cost, capsys):
    code, result = run_json([*PAPER_IMAGENET, '--keep', '0.9', '--semantics', semantics], capsys)
    assert code == 0
    assert round(result['cost'], 3) == cost
    assert len(result['sizes']) == 120
    assert result['sizes'][0] == 1281167 and result['sizes'][12] == 1153051


def test_human_output_is_a_compact_table(capsys):
    assert main([*PAPER_IMAGENET, '--keep', '0.9']) == 0
    out = capsys.readouterr().out
    assert 'cost: 0.739' in out
    assert '    13-14     1,153,051     90.0%' in out
    assert len(out.splitlines()) == 2 + 20 + 1  # title, header, 20 runs of sizes, cost


def test_target_cost_solves_keep_ratio(capsys):
    code, result = run_json([*PAPER_IMAGENET, '--target-cost', '0.86'], capsys)
    assert code == 0 and result['reachable']
    assert abs(result['cost'] - 0.86) < 5e-4
    # The solved ratio reproduces the cost when given back as --keep.
    _, again = run_json([*PAPER_IMAGENET, '--keep', str(result['keep_ratio'])], capsys)
    assert again['cost'] == result['cost']


def test_target_cost_out_of_reach(capsys, caplog):
    code = main([*PAPER_IMAGENET, '--target-cost', '0.05'])
    assert code == 1
    assert 'target cost 0.050 is out of reach' in caplog.text
    assert 'can range from 0.150' in caplog.text
    assert 'cost: 0.150' in capsys.readouterr().out  # the closest plan is still printed


def test_target_cost_unreachable_when_nothing_drops(capsys):
    code, result = run_json(['plan', '--num-samples', '100', '--epochs', '5', '--warmup', '4',
                             '--interval', '2', '--target-cost', '0.8'], capsys)
    assert code == 1 and not result['reachable'] and result['cost'] == 1.0


@pytest.mark.parametrize('argv, message', [
    (['--keep', '0'], '--keep (keep_ratio) must be in (0, 1], got 0.0'),
    (['--keep', '1.2'], '--keep (keep_ratio) must be in (0, 1], got 1.2'),
    (['--keep', '0.5', '--interval', '0'], '--interval (interval) must be >= 1, got 0'),
    (['--keep', '0.5', '--warmup', '12'], '--warmup (warmup_epochs) must be < max_epochs (12)'),
    (['--keep', '0.5', '--warmup', '-1'], '--warmup (warmup_epochs) must be >= 0, got -1'),
    (['--keep', '0.5', '--refresh', '13'], '--refresh (refresh_epochs) must lie in 1..12'),
    (['--keep', '0.5', '--refresh', '0'], '--refresh (refresh_epochs) must be >= 1'),
    (['--keep', '0.5', '--refresh', '4', '4'], '--refresh (refresh_epochs) must be distinct'),
    (['--keep', '0.5', '--active', '0'], '--active (active_epochs) must be >= 1, got 0'),
    (['--keep', '0.5', '--num-samples', '0'], '--num-samples must be >= 1, got 0'),
    (['--target-cost', '1.5'], 'target cost must be in (0, 1], got 1.5'),
    (['--keep', '0.5', '--target-cost', '0.8'], 'not allowed with argument'),
    (['--keep', 'half'], "invalid float value: 'half'"),
])
def test_usage_errors_exit_2_and_name_the_flag(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(['plan', '--epochs', '12', *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


CONSOLE_SCRIPT = Path(sys.executable).parent / 'dar-transfer'


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason='package not installed (make setup)')
def test_console_script_entry_point():
    exe = str(CONSOLE_SCRIPT)
    result = subprocess.run([exe, *PAPER_IMAGENET, '--keep', '0.9', '--json'],
                            capture_output=True, text=True, check=True)
    assert round(json.loads(result.stdout)['cost'], 3) == 0.739
