"""Send what the libraries print during an in-process stage to that stage's log file.

mmengine, pycocotools and the downstream libraries print tables, warnings and
per-iteration logs. ``make gpu-check`` (scripts/gpu_check.py) runs its stages in one
process, and their output belongs in a file per stage, so the terminal shows only the
stage table. (The demo runs its jobs as subprocesses, each with its own log file.)

One :class:`StageSink` stands in for ``sys.stdout`` and ``sys.stderr`` for the whole
run, and only its target changes from stage to stage: a logger created during one
stage (mmengine binds its stream handler to ``sys.stdout`` when it is created) keeps
writing to the sink, never to a file that a finished stage has closed.
"""
from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


class StageSink(io.TextIOBase):
    """A text stream that writes to the current stage's file (and the terminal if asked).

    Args:
        terminal (TextIO): where output goes outside stages, and also inside them
            when ``verbose``.
        verbose (bool): copy stage output to ``terminal``. Defaults to False.
    """

    def __init__(self, terminal: TextIO, *, verbose: bool = False) -> None:
        super().__init__()
        self.terminal = terminal
        self.verbose = verbose
        self.stage_file: TextIO | None = None

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.stage_file is not None:
            self.stage_file.write(text)
        if self.stage_file is None or self.verbose:
            self.terminal.write(text)
        return len(text)

    def flush(self) -> None:
        if self.stage_file is not None:
            self.stage_file.flush()
        self.terminal.flush()

    def isatty(self) -> bool:
        # Libraries draw their own progress bars on a terminal; in a log file they
        # would be thousands of carriage returns.
        return False

    @contextlib.contextmanager
    def stage(self, log_file: Path) -> Iterator[None]:
        """Route output to ``log_file`` (appending) until the block ends."""
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open('a', encoding='utf-8') as file:
            self.stage_file = file
            try:
                yield
            finally:
                self.stage_file = None


@contextlib.contextmanager
def captured(sink: StageSink) -> Iterator[StageSink]:
    """Install ``sink`` as stdout, stderr and the stream of the root logger's handlers."""
    handlers = [h for h in logging.getLogger().handlers
                if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)]
    old_streams = [h.setStream(sink) for h in handlers]
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        try:
            yield sink
        finally:
            for handler, stream in zip(handlers, old_streams, strict=True):
                handler.setStream(stream)
