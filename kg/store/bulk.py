"""A staged part's load (``kg.store.staged``): the load journal given to Oxigraph's bulk loader in slices,
two at a time, the old versions of articles left out, then what those leave behind removed.

Runs in the loading thread while the next part is staged, so it reads nothing the staging writes: the
staging hands it a ``Load``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store.batch import ArticleBatch
from kg.store.journal import LOAD_JOURNAL, recover, slice_name, stated, sync_folder

if TYPE_CHECKING:
    from kg.store.core import Store

#: bytes of N-Quads per bulk-load call, ``LOADERS`` calls at once (0: a part in one call). A call parses its
#: slice on its own thread, then writes it (on one loader thread below 1M quads): one call at a time left a
#: core idle. A 100k store's 3.4 GB of N-Quads loaded into an empty store and compacted (same machine, one
#: run each): one call at a time, slices of 384 MB 177 s (peak 1.8 GB), 192 MB 176 s (1.3 GB), 96 MB 137 s
#: (0.6 GB); two at a time, 192 MB 154 s (2.0 GB), 128 MB 122 s (1.3 GB), 96 MB 115 s (1.0 GB), 64 MB 114 s
#: (0.65 GB); three at a time, 96 MB 110 s (1.5 GB)
SLICE = 64 << 20
#: bulk-load calls at once
LOADERS = 2
Deferred = list[tuple[str, str, dict[str, str]]]


@dataclass
class Load:
    """What a part's load does: ``journal`` False when nothing was staged (only new versions to write)."""

    journal: bool
    skip: list[tuple[int, int]]  # sorted byte ranges of old versions' graphs
    orphans: list[bytes]  # N-Quads lines of those the new versions do not state
    deferred: Deferred  # new versions of articles loaded before: replaced after


def bulk_load(store: Store, load: Load) -> None:
    """Load the journal, remove it, replace the articles with a new version since (as a later ingest does),
    show readers the part. A failure undoes the part (``StoreError``)."""
    path = store.path / LOAD_JOURNAL
    if load.journal:
        oxs = store._writable()
        try:
            cuts = slices(path, SLICE)
            if len(cuts) == 1 and not load.skip:
                oxs.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            else:
                pool = ThreadPoolExecutor(LOADERS, thread_name_prefix="kg-slice")
                try:
                    for done in [pool.submit(_load_slice, oxs, path, store.path / slice_name(n),
                                             without(*cut, load.skip)) for n, cut in enumerate(cuts)]:
                        done.result()
                finally:  # (after an error: the calls under way end, those not started do not start)
                    pool.shutdown(cancel_futures=True)
            _drop_orphans(oxs, load.orphans)
            oxs.flush()
        except (OSError, RuntimeError, SyntaxError) as exc:
            recover(store)
            raise StoreError(f"bulk load failed: {exc}", where=path) from exc
        path.unlink()
        sync_folder(store.path)
        store.generation += 1
    _trim()
    if load.deferred:
        batch = ArticleBatch(store, counted=False)
        for key, ntriples, entities in load.deferred:
            batch.add(key, ntriples, entities)
        batch.commit()
    store.publish(collect_later=True)


def _load_slice(oxs: ox.Store, journal: Path, piece: Path, ranges: list[tuple[int, int]]) -> None:
    """One bulk-load call: the byte ranges of the journal copied to a file of their own, loaded, removed."""
    try:
        oxs.bulk_load(path=str(copy_ranges(journal, piece, ranges)), format=ox.RdfFormat.N_QUADS)
    finally:
        piece.unlink(missing_ok=True)


def _drop_orphans(oxs: ox.Store, orphans: list[bytes]) -> None:
    """The default graph is the merge of the named graphs: an old version's line no graph states goes."""
    for q in ox.parse(b"".join(orphans), format=ox.RdfFormat.N_QUADS):
        if not stated(oxs, q.triple):
            oxs.remove(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))


def slices(path: Path, most: int) -> list[tuple[int, int]]:
    """(start, end) byte ranges of whole lines, of about equal size and none much above ``most``
    (0: one range); none for an empty file.

    Each is one bulk-load call: Oxigraph's loader holds a call's quads in memory. Each is given to it
    as a file (``path=``): a Python file object makes the loader thread take the GIL for every read,
    and while the main thread stages, a 192 MB slice then took minutes instead of seconds.
    """
    size = path.stat().st_size
    count = max(1, -(-size // most)) if most else 1
    even = -(-size // count)
    out: list[tuple[int, int]] = []
    with open(path, "rb") as fh:
        start = 0
        while start < size:
            fh.seek(min(start + even, size))
            if fh.tell() < size:
                fh.seek(-1, os.SEEK_CUR)
                fh.readline()  # to the end of the line the slice's last byte is in
            out.append((start, fh.tell()))
            start = fh.tell()
    return out


def without(start: int, end: int, skip: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``start:end`` outside the sorted, disjoint ranges ``skip``."""
    out = []
    for a, b in skip:
        if b <= start or a >= end:
            continue
        if a > start:
            out.append((start, a))
        start = max(start, b)
    if start < end:
        out.append((start, end))
    return out


def copy_ranges(source: Path, target: Path, ranges: list[tuple[int, int]]) -> Path:
    """The byte ranges of ``source``, one after the other, as the file ``target`` (copied by the kernel
    where it can)."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        for start, end in ranges:
            offset = start
            while offset < end:
                if hasattr(os, "copy_file_range"):  # (Linux)
                    done = os.copy_file_range(src.fileno(), dst.fileno(), end - offset, offset)
                else:
                    src.seek(offset)
                    done = dst.write(src.read(min(end - offset, 1 << 20)))
                if not done:
                    raise OSError(f"{source} ended before byte {end}")
                offset += done
    return target


def _trim() -> None:
    """Give the loader's freed memory back to the system (glibc keeps it for the thread that freed it)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
