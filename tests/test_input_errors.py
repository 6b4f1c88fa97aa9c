"""Bad input gets a clear message; everything else keeps its traceback (issue 30).

- the CLI prints a ``UsageError`` as a usage error (exit 2), but lets an unexpected
  ``ValueError`` / ``TypeError`` (a bug, here or in a library) show where it came from;
- the report warns, naming the file, when a run's ``summary.json`` is corrupt;
- the campaign verbs take the folder that holds ``manifest.py`` as MANIFEST.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from dar_transfer.campaign.manifest import load_manifest
from dar_transfer.cli import main
from dar_transfer.errors import UsageError, UsageTypeError
from dar_transfer.report.collect import read_run
from dar_transfer.sampling import plan

PRETRAIN = str(Path(__file__).parents[1] / 'configs/demo/resnet18_pretrain_toy.py')


@pytest.mark.parametrize('error', [ValueError, TypeError])
def test_an_unexpected_error_keeps_its_traceback(monkeypatch, error):
    def broken(*args, **kwargs):
        raise error('raised deep inside a library')

    monkeypatch.setattr(plan, 'training_cost', broken)
    with pytest.raises(error, match='raised deep inside a library'):
        main(['plan', '--epochs', '12', '--keep', '0.5'])


def test_bad_user_input_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(['plan', '--epochs', '12', '--keep', '1.5'])
    assert exit_info.value.code == 2
    assert '--keep (keep_ratio) must be in (0, 1], got 1.5' in capsys.readouterr().err
    # What callers of the Python API catch stays what it was.
    assert issubclass(UsageError, ValueError) and issubclass(UsageTypeError, TypeError)


def fake_run(work_dir: Path, summary: str | None) -> Path:
    """A finished-looking run: a config dump with seed 7, and ``summary`` as summary.json."""
    dump = work_dir / '20260101_000000' / 'vis_data' / 'config.py'
    dump.parent.mkdir(parents=True)
    dump.write_text("model = dict(arch='resnet18')\ntrain_cfg = dict(max_epochs=2)\n"
                    'randomness = dict(seed=7)\n')
    if summary is not None:
        (work_dir / 'summary.json').write_text(summary)
    return work_dir


def test_a_corrupt_summary_is_named_not_skipped(tmp_path, caplog):
    good = read_run(fake_run(tmp_path / 'good', '{"seed": 3, "top1": 71.5}'))
    assert (good.seed, good.pretrain_top1) == (3, 71.5)
    with caplog.at_level(logging.WARNING):
        cut = read_run(fake_run(tmp_path / 'cut', '{"seed": 3, "top1": 7'))  # torn write
        listed = read_run(fake_run(tmp_path / 'list', '[3]'))
    assert cut.seed == listed.seed == 7  # the config's seed, now said aloud
    assert f'{tmp_path / "cut" / "summary.json"} is not valid JSON' in caplog.text
    assert f'{tmp_path / "list" / "summary.json"} is a JSON list' in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        read_run(fake_run(tmp_path / 'none', None))  # no summary at all: nothing to say
    assert 'summary.json' not in caplog.text


def write_manifest(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'manifest.py'
    path.write_text(f'folder = {str(folder)!r}\n'
                    f"variants = [dict(name='base', config={PRETRAIN!r}, seeds=[0])]\n"
                    "tasks = ['det']\n")
    return path


def test_campaign_verbs_take_the_folder_holding_manifest_py(tmp_path, capsys):
    path = write_manifest(tmp_path / 'demo')
    assert load_manifest(tmp_path / 'demo').path == path
    assert main(['campaign', 'status', str(tmp_path / 'demo'), '--json']) == 0
    assert 'pretrain.base.s0' in capsys.readouterr().out
    (tmp_path / 'empty').mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main(['campaign', 'status', str(tmp_path / 'empty')])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f'{tmp_path / "empty"} is a folder without a manifest.py' in err
    assert 'configs/campaigns/demo.py' in err  # and what to pass instead
