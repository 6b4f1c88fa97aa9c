"""``{work_dir}/dar_log.jsonl``: one JSON object per finished epoch, the cost's record."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from ..errors import UsageError

logger = logging.getLogger('dar_transfer')


class DaRLog:
    """Writes one line per finished epoch, exactly once per epoch even across resumes.

    A resumed run first cuts the file back to the epochs its checkpoint covers (a crash
    after the log line but before the checkpoint would otherwise repeat an epoch). A
    fresh run in a work_dir that already has a log moves the old one aside rather than
    deleting it.

    Each line goes to the file in one ``write`` of the whole line on an append-only
    descriptor, then ``fsync``; a crash in the middle of it can still leave a torn last
    line (a JSON object without its end, or a line without its newline). Such a line is
    recognisable because it never parses, and it is always the line of an epoch that no
    checkpoint covers yet: ``DaRHook`` writes the line before ``CheckpointHook`` saves
    the epoch. Reading drops it with a warning; a resume then cuts back to the
    checkpoint's epochs as usual. A line that does not parse anywhere else is not a
    crash, and is refused with its file and line number.

    Args:
        path (str | Path): the log file.
        resumed_epoch (int): epochs already finished by the checkpoint resumed from;
            0 for a fresh run.
        moved_suffix (str): suffix for an old log moved aside by a fresh run.
    """

    def __init__(self, path: str | Path, *, resumed_epoch: int, moved_suffix: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resumed_epoch > 0:
            self._truncate_to(resumed_epoch)
        elif self.path.exists() and self.path.stat().st_size > 0:
            self.path.rename(self.path.with_name(f'{self.path.stem}.{moved_suffix}.jsonl'))

    def _truncate_to(self, last_epoch: int) -> None:
        kept = [line for line in self.read(self.path) if line['epoch'] <= last_epoch]
        epochs = [line['epoch'] for line in kept]
        if epochs != list(range(1, last_epoch + 1)):
            raise RuntimeError(
                f'{self.path} holds epochs {epochs} but the checkpoint resumed from has finished '
                f'{last_epoch}; resume in the work_dir the run was started in')
        tmp = self.path.with_suffix('.jsonl.tmp')
        tmp.write_text(''.join(json.dumps(line) + '\n' for line in kept))
        os.replace(tmp, self.path)

    def append(self, record: dict) -> None:
        data = (json.dumps(record) + '\n').encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(f'{self.path}: wrote {written} of {len(data)} bytes of the '
                              f'epoch {record.get("epoch")} line; is the disk full?')
            os.fsync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def read(path: str | Path) -> list[dict]:
        """The records of ``path``, without a torn last line (dropped with a warning).

        Raises:
            ValueError: a line other than the last does not parse.
        """
        path = Path(path)
        if not path.exists():
            return []
        text = path.read_text()
        lines = text.splitlines()
        records = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            is_last = number == len(lines)
            try:
                record = json.loads(line)
                if is_last and not text.endswith('\n'):
                    raise ValueError('no newline at the end')
            except ValueError as error:
                if not is_last:
                    raise UsageError(
                        f'{path}, line {number}: not a JSON record ({error}); the file was '
                        'edited or damaged other than by a crash. Restore it from a copy, or '
                        'start the run afresh in a new work_dir') from None
                logger.warning(
                    '%s: dropped a torn last line (line %d: %s), left by a crash while it '
                    'was written; its epoch is redone from the last checkpoint',
                    path, number, error)
                continue
            records.append(record)
        return records
