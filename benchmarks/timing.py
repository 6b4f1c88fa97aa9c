"""The wall clock the benchmarks share: runner.train() time, less logged pauses."""
from __future__ import annotations

import time
from pathlib import Path

from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module(force=True)
class TrainWallClock(Hook):
    """Wall time of runner.train(), less any pauses listed in ``pause_log``.

    A long benchmark on a shared 2-core machine can be paused (SIGSTOP/SIGCONT) while
    other work runs; each pause is logged as a line "unix_start unix_end" and the
    overlap is subtracted, so the figure is the time the run itself took.
    """

    priority = 'VERY_LOW'

    def __init__(self, pause_log: str | None = None) -> None:
        self.pause_log = pause_log
        self.start = 0.0
        self.seconds = 0.0
        self.paused = 0.0

    def before_train(self, runner) -> None:
        self.start = time.time()

    def after_train(self, runner) -> None:
        end = time.time()
        self.paused = paused_seconds(self.pause_log, self.start, end)
        self.seconds = end - self.start - self.paused


def paused_seconds(pause_log: str | None, start: float, end: float) -> float:
    if not pause_log or not Path(pause_log).exists():
        return 0.0
    total = 0.0
    for line in Path(pause_log).read_text().split('\n'):
        if line.strip():
            pause_start, pause_end = map(float, line.split())
            total += max(0.0, min(end, pause_end) - max(start, pause_start))
    return total
