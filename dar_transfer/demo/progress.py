"""The demo's progress display: one line per stage, a bar and an ETA, drawn by rich.

Training runs report their iterations through :class:`StageProgressHook`, which looks
up the display by name (an mmengine ``ManagerMixin`` instance, like ``MessageHub``),
so a config only names a channel and the hook works in any runner, or does nothing
when no display listens. On a terminal the lines are live; elsewhere (CI logs, a pipe)
each stage prints one line when it ends.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.utils import ManagerMixin
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

CHANNEL = 'dar-transfer-demo'


class ProgressChannel(ManagerMixin):
    """A named place where training runs report the share of their iterations done."""

    def __init__(self, name: str = '', callback: Callable[[float], None] | None = None) -> None:
        super().__init__(name)
        self.callback = callback

    def report(self, fraction: float) -> None:
        if self.callback is not None:
            self.callback(min(max(fraction, 0.0), 1.0))


@HOOKS.register_module()
class StageProgressHook(Hook):
    """Reports ``iter / max_iters`` after each training iteration to a progress channel.

    Unlike mmengine's ``LoggerHook`` it prints nothing; a display subscribed to the
    channel draws the bar. Without one it does nothing.

    Args:
        channel (str): name of the :class:`ProgressChannel`. Defaults to the demo's.
    """

    priority = 'LOWEST'

    def __init__(self, channel: str = CHANNEL) -> None:
        self.channel = channel

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if ProgressChannel.check_instance_created(self.channel) and runner.max_iters:
            ProgressChannel.get_instance(self.channel).report(runner.iter / runner.max_iters)


class StageDisplay:
    """One line per stage (bar, share done, elapsed, ETA) and an overall line.

    Args:
        stages (dict[str, float]): stage name -> expected share of the demo's time
            (weights of the overall line; each stage's own ETA is measured).
        terminal (TextIO): where the lines go.
        live (bool, optional): redraw in place; defaults to whether ``terminal`` is a
            terminal.
    """

    def __init__(self, stages: dict[str, float], terminal: TextIO, *,
                 live: bool | None = None) -> None:
        self.console = Console(file=terminal, highlight=False)
        self.live = self.console.is_terminal if live is None else live
        self.weights = stages
        self.progress = Progress(
            TextColumn('{task.description:<22}'), BarColumn(bar_width=24),
            TextColumn('{task.percentage:>3.0f}%'), TimeElapsedColumn(),
            TextColumn('ETA'), TimeRemainingColumn(),
            console=self.console, disable=not self.live, redirect_stdout=False,
            redirect_stderr=False)
        self.overall: TaskID | None = None
        self.current: TaskID | None = None
        self.current_name = ''
        self.done_weight = 0.0
        self.started = time.monotonic()
        self.stage_started = self.started
        self.units = 1
        self.unit_index = 0

    def __enter__(self) -> StageDisplay:
        self.progress.start()
        self.overall = self.progress.add_task('demo (all stages)', total=sum(self.weights.values()))
        ProgressChannel.get_instance(CHANNEL).callback = self.update
        return self

    def __exit__(self, *exc) -> None:
        ProgressChannel.get_instance(CHANNEL).callback = None
        self.progress.stop()

    def skip(self, name: str) -> None:
        self.done_weight += self.weights[name]
        self._print(f'{name:<22} done earlier (kept)')

    def begin(self, name: str, units: int = 1) -> None:
        """Start stage ``name``, made of ``units`` runs that each report 0..1."""
        self.current_name, self.units = name, units
        self.stage_started = time.monotonic()
        self.current = self.progress.add_task(name, total=units)
        self.unit_index = 0

    def next_unit(self) -> None:
        self.unit_index += 1
        self.update(0.0)

    def update(self, fraction: float) -> None:
        if self.current is None:
            return
        completed = min(self.unit_index + fraction, self.units)
        self.progress.update(self.current, completed=completed)
        share = self.weights[self.current_name] * completed / self.units
        self.progress.update(self.overall, completed=self.done_weight + share)

    def end(self) -> float:
        """Finish the current stage; returns its wall time in seconds."""
        seconds = time.monotonic() - self.stage_started
        self.progress.update(self.current, completed=self.units)
        self.done_weight += self.weights[self.current_name]
        self.progress.update(self.overall, completed=self.done_weight)
        self._print(f'{self.current_name:<22} done in {seconds:5.0f} s')
        self.current = None
        return seconds

    def _print(self, line: str) -> None:
        if not self.live:
            self.console.print(line)
