"""``{work_dir}/dar_log.jsonl``: one JSON object per finished epoch, the cost's record."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

logger = logging.getLogger('dar_transfer')


class DaRLog:
    """Writes one line per finished epoch, exactly once per epoch even across resumes.

    A resumed run first cuts the file back to the epochs its checkpoint covers (a crash
    after the log line but before the checkpoint would otherwise repeat an epoch). A
    fresh run in a work_dir that already has a log moves the old one aside rather than
    deleting it.

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
        # One write() of the whole line to an O_APPEND file, then fsync: a crash leaves
        # either the line or a prefix without its newline, which read() recognises.
        data = (json.dumps(record) + '\n').encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def read(path: str | Path) -> list[dict]:
        """The epochs' records; a torn last line (a crash mid-write) is dropped with a
        warning, since the resumed run writes that epoch again from its checkpoint."""
        path = Path(path)
        if not path.exists():
            return []
        text = path.read_text()
        lines = text.splitlines()
        records = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as error:
                if number == len(lines) and not text.endswith('\n'):
                    logger.warning('%s: dropped a torn last line (line %d, %d characters: a '
                                   'crash while it was written)', path, number, len(line))
                    break
                raise ValueError(f'{path} line {number} is not JSON ({error}); it is not '
                                 'the torn end of a crash: restore the file or start the '
                                 'run in a fresh work_dir') from None
        return records
