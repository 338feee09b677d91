"""A lock file beside the database, so a second kg writer fails at once with a clear message.

A writer holds an exclusive ``flock`` on ``<store>/kg.lock`` (with its pid in the file):
RocksDB (under pyoxigraph) allows one writer per directory. Readers do not take it: they
read snapshots the writer publishes (``kg.store.snapshot``), so a reader never waits for
a writer and a writer never waits for a reader. The kernel drops the lock when the
process dies, even on SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from kg.errors import StoreError, StoreLocked

LOCK_NAME = "kg.lock"


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except OSError:
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "a process that is starting"


class StoreLock:
    """An acquired lock; ``release()`` or process exit frees it."""

    def __init__(self, directory: Path, *, exclusive: bool) -> None:
        self.path = directory / LOCK_NAME
        self.exclusive = exclusive
        try:
            self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot open the lock file: {exc.strerror}", where=self.path,
                             fix="check the store folder is writable") from exc
        try:
            fcntl.flock(self._fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            self._fd = None
            raise StoreLocked(f"store {directory} is locked by another kg process ({_holder(self.path)})",
                              fix="wait for it to finish") from None
        if exclusive:
            os.ftruncate(self._fd, 0)
            os.write(self._fd, str(os.getpid()).encode("ascii"))

    def release(self) -> None:
        if self._fd is None:
            return
        if self.exclusive:
            os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
