"""Snapshots: how readers read a store while one writer writes it.

RocksDB (under pyoxigraph) allows one writer per database, and opening it read-only
while another process writes is undefined behaviour. So readers never open the
writer's database: after each committed batch the writer takes a RocksDB checkpoint
(``Store.backup``: hard links to the immutable table files, ~0.1 s for 200k quads)
into ``<store>/snapshots/<n>/`` and then names it in ``snapshots/CURRENT`` with an
atomic rename. A reader opens the snapshot ``CURRENT`` names, read-only: nobody ever
writes it, so the read is well defined, consistent (a state between two batches) and
never waits for the writer; the writer never waits for a reader either.

A reader holds a shared ``flock`` on ``snapshots/<n>.lock`` while it reads ``<n>``;
the writer deletes an older snapshot only when it can take that lock exclusively, so
a snapshot in use stays. A reader that finds ``CURRENT`` newer than its snapshot
reopens (``kg serve`` checks before every query). A crash at any point leaves
``CURRENT`` naming a complete snapshot; leftovers are removed by the next publish.
A writer killed after a commit but before its publish leaves ``UNPUBLISHED`` behind (made
before its first write since the last publish): the next writer publishes on opening, so
readers are never left behind committed data.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store.batch import ArticleBatch

SNAPSHOTS = "snapshots"
CURRENT = "CURRENT"
INFO = "kg-snapshot.json"
#: made before the writer's first write since its last publish, removed by the next publish
UNPUBLISHED = "unpublished"
#: attempts to pin the current snapshot while a writer keeps replacing it
ATTEMPTS = 50
#: files the writer keeps beside the database that describe it (``kg.store.counters``): copied into each
#: snapshot, so a reader's are those of the state it reads (``Store.state_file``)
STATE_FILES = ("counters.json",)


def folder_of(store: Path) -> Path:
    return store / SNAPSHOTS


def current(store: Path) -> int | None:
    """The number of the newest complete snapshot (None: no snapshot yet)."""
    try:
        text = (folder_of(store) / CURRENT).read_text(encoding="ascii").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise StoreError(f"cannot read the snapshot pointer: {exc.strerror}", where=folder_of(store) / CURRENT) from exc
    return int(text) if text.isdigit() else None


def publish(oxs: ox.Store, store: Path, info: dict[str, Any], *, flush: bool = True,
            collector: Collector | None = None) -> int:
    """Checkpoint ``oxs`` (the writer's database) as the next snapshot and make it current.

    Called only while holding the store's exclusive lock. ``info`` (base IRI, whether the
    default graph is the merge) travels with the snapshot. ``flush`` False: ``oxs`` is read-only.
    """
    snaps = folder_of(store)
    try:
        snaps.mkdir(exist_ok=True)
        numbers = [int(p.name) for p in snaps.iterdir() if p.name.isdigit()]
        gen = max([current(store) or 0, *numbers]) + 1
        tmp = snaps / f"tmp-{gen}"
        shutil.rmtree(tmp, ignore_errors=True)
        if flush:
            oxs.flush()
        oxs.backup(str(tmp))
        (tmp / INFO).write_text(json.dumps(info, sort_keys=True) + "\n", encoding="utf-8")
        for name in STATE_FILES:
            if (store / name).is_file():
                shutil.copyfile(store / name, tmp / name)
        (snaps / f"{gen}.lock").touch()
        os.replace(tmp, snaps / str(gen))
        pointer = snaps / (CURRENT + ".tmp")
        pointer.write_text(f"{gen}\n", encoding="ascii")
        os.replace(pointer, snaps / CURRENT)
        (store / UNPUBLISHED).unlink(missing_ok=True)
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"cannot write a snapshot for readers: {exc}", where=snaps,
                         fix="check the disk has room and the store folder is writable") from exc
    if collector is None:
        collect(store, keep=gen)
    else:
        collector.start(store, gen)
    return gen


def mark_unpublished(store: Path) -> None:
    """Note, before a write, that the database is about to be ahead of what readers see."""
    try:
        (store / UNPUBLISHED).touch()
    except OSError as exc:
        raise StoreError(f"cannot write to the store folder: {exc.strerror}", where=store / UNPUBLISHED,
                         fix="check the disk has room and the store folder is writable") from exc


def behind(store: Path, number: int) -> bool:
    """Whether snapshot ``number`` may not hold everything written (gone, or a writer died before publishing)."""
    return not (folder_of(store) / str(number)).is_dir() or (store / UNPUBLISHED).exists()


class Collector:
    """The writer's deletion of older snapshots, in a thread: deleting a snapshot's last links to table files
    RocksDB compacted away frees their blocks (~1.2 s when adding 1,000 articles to 100k), which the merge
    update after a commit need not wait for. ``join`` before the next publish (it deletes ``tmp-*``, which a
    publish writes) and before the store is let go."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None

    def start(self, store: Path, keep: int) -> None:
        self.join()
        self._thread = threading.Thread(target=collect, args=(store, keep), name="kg-snapshot-collect", daemon=True)
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def collect(store: Path, keep: int, *, writer: bool = True) -> None:
    """Delete the snapshots no reader holds, except ``keep``.

    The writer (``keep``: the one it just published) also removes what a crashed publish left;
    a reader (``writer=False``, ``keep``: the current one) only snapshots older than ``keep``,
    never one the writer may be making.
    """
    snaps = folder_of(store)
    for entry in list(snaps.iterdir()):
        name = entry.name
        number = name[:-5] if name.endswith(".lock") else name
        if name.startswith("tmp-"):
            if writer:
                shutil.rmtree(entry, ignore_errors=True)
        elif not number.isdigit() or int(number) == keep or (not writer and int(number) > keep):
            continue
        elif name == number or not (snaps / number).exists():  # a snapshot, or the lock of a deleted one
            _delete_unused(snaps, number)


def _delete_unused(snaps: Path, name: str) -> None:
    lock = snaps / f"{name}.lock"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return  # a reader holds it: a later publish deletes it
    try:
        shutil.rmtree(snaps / name, ignore_errors=True)
        lock.unlink(missing_ok=True)  # before the lock is released: a reader that opened it finds no folder
    finally:
        os.close(fd)


class Pinned:
    """A snapshot held open for reading: its number, folder and what the writer recorded with it."""

    def __init__(self, number: int, path: Path, fd: int, info: dict[str, Any]) -> None:
        self.number, self.path, self.info = number, path, info
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # drops the shared lock: the writer may delete it now
            self._fd = None


def pin(store: Path) -> Pinned | None:
    """The current snapshot, locked against deletion; None when the store has none yet."""
    snaps = folder_of(store)
    for _ in range(ATTEMPTS):
        gen = current(store)
        if gen is None:
            return None
        try:
            fd = os.open(snaps / f"{gen}.lock", os.O_RDONLY)
        except FileNotFoundError:
            continue  # deleted since CURRENT was read: a newer one is current now
        except OSError as exc:
            raise StoreError(f"cannot open a snapshot lock: {exc.strerror}", where=snaps) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)  # being deleted right now
            continue
        path = snaps / str(gen)
        try:
            info = json.loads((path / INFO).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            os.close(fd)
            continue
        return Pinned(gen, path, fd, info if isinstance(info, dict) else {})
    raise StoreError("the store's snapshots keep changing under this reader", where=snaps,
                     fix="retry; if it persists, delete the snapshots folder while no kg process uses the store")


def open_pinned(pinned: Pinned) -> ox.Store:
    """The pinned snapshot's database, read-only (the pin is released if it cannot be opened)."""
    try:
        return ox.Store.read_only(str(pinned.path))
    except (OSError, RuntimeError) as exc:
        pinned.release()
        raise StoreError(f"cannot open the store's snapshot: {exc}", where=pinned.path,
                         fix="open the store once for writing (e.g. `kg ingest` of nothing new) to publish "
                             "a new one") from exc


class PublishedBatch(ArticleBatch):
    """A batch whose every commit readers then see whole, as one snapshot (``Store.batch``)."""

    def commit(self) -> None:
        pending = len(self)
        super().commit()
        if pending:
            self.store.publish(collect_later=True)
