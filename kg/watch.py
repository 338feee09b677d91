"""``kg ingest --watch DIR``: ingest the articles a feed drops into a folder, as they appear, until stopped.

Which files: those ``kg ingest DIR`` reads (article suffixes ``.txt .md .html .json ...``;
dotfiles and dot-folders skipped, so ``.name.json`` and ``name.json.part`` / ``.tmp`` /
``.crdownload`` are never read). When: once its size and modification time have stayed
the same for ``settle`` seconds, so a file still being written is not read half-way.
The safe way for a feed to drop a file is still to write ``name.json.part`` (or a
dotfile) and rename it when complete: a rename is seen at once, whole.

A file is ingested again when it changes (a new size or modification time, settled
again); a file that disappears stays in the store (``kg remove`` removes it). The files
that settled in one poll are one ingest (batches and merge as ``kg ingest``), so a
reader of the store sees each of them whole or not at all. ``stop()`` (the CLI calls it
on Ctrl-C and SIGTERM) ends the watch after the batch being committed; articles not
committed yet are read again by the next watch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import ReadError

if TYPE_CHECKING:
    from kg.ingest import IngestReport, Outcome, Reject
    from kg.store import Store

#: seconds a file's size and modification time must stay unchanged before it is read
SETTLE = 2.0
#: seconds between two looks at the folder
POLL = 0.5

#: (size, modification time in ns): a file's version
Version = tuple[int, int]


@dataclass
class WatchReport:
    """What a watch stored and rejected, over all its rounds."""

    stored: int = 0
    rounds: int = 0
    seconds: float = 0.0
    keys: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    def add(self, report: IngestReport) -> None:
        self.stored += report.stored
        self.rejects.extend(report.rejects)
        self.keys.extend(report.keys)
        self.rounds += 1

    def summary(self) -> str:
        return (f"watched {self.seconds:.0f} s: {self.stored} articles stored, {self.rejected} rejected, "
                f"in {self.rounds} batches")


def _version(path: Path) -> Version | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class Watcher:
    """Polls a folder; ``settled()`` gives the files whose version held still for ``settle`` seconds."""

    def __init__(self, folder: Path, settle: float = SETTLE, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder, self.settle, self.clock = folder, settle, clock
        self._seen: dict[Path, tuple[Version, float]] = {}  # file -> version, when it was first seen so
        self._done: dict[Path, Version] = {}  # file -> the version ingested

    def settled(self) -> list[Path]:
        from kg.read import article_files

        now = self.clock()
        ready, present = [], set()
        for path in article_files([self.folder]):
            present.add(path)
            version = _version(path)
            if version is None or self._done.get(path) == version:
                continue
            previous = self._seen.get(path)
            if previous is None or previous[0] != version:
                self._seen[path] = (version, now)  # new, or still changing: the clock starts again
            elif now - previous[1] >= self.settle:
                ready.append(path)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return ready

    def done(self, paths: Iterable[Path]) -> None:
        """Mark files ingested at the version they settled at."""
        for path in paths:
            seen = self._seen.pop(path, None)
            if seen is not None:
                self._done[path] = seen[0]


def watch(store: Store, folder: str | Path, *, settle: float = SETTLE, poll: float = POLL,
          workers: int | None = None, published: datetime | None = None,
          on_outcome: Callable[[Outcome], None] | None = None,
          stopped: Callable[[], bool] = lambda: False) -> WatchReport:
    """Ingest the settled files of ``folder`` into ``store`` (open for writing) until ``stopped()``.

    ``on_outcome`` is called for each file once its batch is committed (or rejected).
    Each round is published to readers when complete (its batches, then the merged graph).
    """
    from kg.ingest import Ingest, warm_up, worker_count
    from kg.workers import WorkerPool

    root = Path(folder)
    if not root.is_dir():
        raise ReadError(f"not a folder: {root}", where=root, fix="give the folder the feed writes to")
    watcher = Watcher(root, settle)
    report = WatchReport()
    start = time.monotonic()
    size = worker_count(workers)

    def warm_pool() -> WorkerPool:  # a worker's first article would cost ~1 s (its rules compiled)
        return WorkerPool(size, warm=(warm_up, ()))

    pool = warm_pool() if size > 1 else None  # started now and kept between rounds
    try:
        while not stopped():
            ready = watcher.settled()
            if not ready:
                time.sleep(poll)
                continue
            if pool is not None and not pool.reusable:  # a worker killed meanwhile (out of memory?)
                pool.close(kill=True)
                pool = warm_pool()
            run = Ingest(store, ready, workers=size, published=published, pool=pool)
            finished = 0
            for outcome in run:
                finished += 1
                if on_outcome is not None:
                    on_outcome(outcome)
                if stopped():
                    break  # what was yielded is committed; the rest is read again next time
            watcher.done(ready[:finished])
            store.publish()
            report.add(run.report)
    finally:
        if pool is not None:
            pool.close(kill=not pool.reusable)
    report.seconds = time.monotonic() - start
    return report

