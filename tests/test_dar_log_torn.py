"""A torn last line of dar_log.jsonl (a crash mid-write) is recognised and dropped with a
warning naming the file; the resumed run's log keeps one line per epoch."""
import json
import logging

from dar_transfer.sampling.dar_log import DaRLog


def lines(n):
    return ''.join(json.dumps({'epoch': e, 'subset_size': 10, 'cost_so_far': e / 4}) + '\n'
                   for e in range(1, n + 1))


def test_torn_line_dropped_on_resume(tmp_path, caplog):
    path = tmp_path / 'dar_log.jsonl'
    path.write_text(lines(2) + '{"epoch": 3, "subset_size": 10, "cost_')
    with caplog.at_level(logging.WARNING, logger='dar_transfer'):
        log = DaRLog(path, resumed_epoch=2, moved_suffix='old')
    assert f'{path}: dropped a torn last line' in caplog.text
    assert [r['epoch'] for r in DaRLog.read(path)] == [1, 2]
    log.append({'epoch': 3, 'subset_size': 10, 'cost_so_far': 0.75})
    assert [r['epoch'] for r in DaRLog.read(path)] == [1, 2, 3]
    assert path.read_text().endswith('\n')

