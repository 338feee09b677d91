"""Opening a store: the one writer (exclusive lock, crash recovery, migration) or a reader (a snapshot).

Readers never open the writer's database (see ``kg.store.snapshot``). A store that has no
snapshot yet (made before them, or its writer still starting) gets one at its first read.
"""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError, StoreLocked
from kg.store import batch as article_batch
from kg.store import default as merge_default
from kg.store import snapshot
from kg.store.core import DB_DIR, Store, _norm_base, default_store_path, read_meta
from kg.store.lock import StoreLock
from kg.vocab import DEFAULT_BASE_IRI

#: seconds a reader of a store that has no snapshot yet waits for its writer to publish one
FIRST_SNAPSHOT_WAIT = 30.0


def open_store(path: str | Path | None = None, *, base_iri: str = DEFAULT_BASE_IRI,
               read_only: bool = False) -> Store:
    """Open (creating when writable) the store in ``path``, default ``$KG_STORE`` or ``./kg-data``.

    Writable: one process at a time (``StoreLocked`` for a second). Read-only: any number, also
    while a writer writes; they read the last state the writer published (see ``Store.refresh``).
    """
    folder = Path(path) if path is not None else default_store_path()
    base = _norm_base(base_iri)
    if read_only:
        if not (folder / DB_DIR).is_dir():
            raise StoreError(f"no store at {folder}", fix="create it with `kg ingest PATH --store DIR`")
        pinned = snapshot.pin(folder) or _first_snapshot(folder, base)
        store = Store(folder, snapshot.open_pinned(pinned), pinned, base, True)
        store.base_iri = str(pinned.info.get("base_iri") or base)
        store.merged_default = bool(pinned.info.get("merged_default"))
        return store
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store folder: {exc.strerror}", where=folder) from exc
    return _open_writer(folder, base, StoreLock(folder, exclusive=True))


def _open_database(folder: Path, lock: StoreLock, *, read_only: bool = False) -> ox.Store:
    """The writer's RocksDB database (the lock is released if it cannot be opened)."""
    db = folder / DB_DIR
    try:
        return ox.Store.read_only(str(db)) if read_only else ox.Store(str(db))
    except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
        lock.release()
        if "lock" in str(exc).lower():
            raise StoreLocked(f"store {folder} is locked by another process (the database itself)",
                              fix="wait for it to finish, or stop the server using this folder") from exc
        raise StoreError(f"cannot open the store: {exc}", where=folder,
                         fix="is this a kg store folder? point --store at a new folder to start over") from exc


def _open_writer(folder: Path, base: str, lock: StoreLock) -> Store:
    store = Store(folder, _open_database(folder, lock), lock, base, False)
    try:
        meta = store._meta()
        recorded = meta.get("base_iri")
        if recorded and recorded != base and len(store.oxigraph) > 0:
            raise StoreError(f"the store was built with base IRI {recorded}, not {base}", where=folder,
                             fix=f"use --base-iri {recorded}, or a new store folder")
        if recorded != base:
            store._write_meta({**meta, "base_iri": base})
        article_batch.recover(store)
        merge_default.migrate(store)
        store.load_schema()
        if store._dirty or store.snapshot is None or snapshot.behind(folder, store.snapshot):
            store.publish()
        else:
            snapshot.collect(folder, store.snapshot)  # what readers let go of since the last publish
    except BaseException:
        store.close()
        raise
    return store


def _first_snapshot(folder: Path, base: str) -> snapshot.Pinned:
    """A store no writer has published yet (made before snapshots, or its writer is starting): publish one.

    With the writer lock free, the database is read as it is (a half-written batch is undone first,
    as a writable open does); while a writer holds it, wait for the writer to publish.
    """
    deadline = time.monotonic() + FIRST_SNAPSHOT_WAIT
    while True:
        pinned = snapshot.pin(folder)
        if pinned is not None:
            return pinned
        try:
            lock = StoreLock(folder, exclusive=True)
        except StoreLocked as exc:
            if time.monotonic() > deadline:
                raise StoreLocked(f"store {folder} has nothing for readers yet: {exc.message}",
                                  fix="retry once its writer has committed a batch") from None
            time.sleep(0.1)
            continue
        try:
            if snapshot.current(folder) is None:
                meta = read_meta(folder)
                recorded = str(meta.get("base_iri") or base)
                if (folder / article_batch.JOURNAL).exists():
                    _open_writer(folder, recorded, lock).close()  # recovers, publishes, releases the lock
                else:
                    oxs = _open_database(folder, lock, read_only=True)
                    info = {"base_iri": recorded, "time": time.time(),
                            "merged_default": meta.get(merge_default.META_KEY) == merge_default.META_VALUE}
                    snapshot.publish(oxs, folder, info, flush=False)
                    del oxs
        finally:
            lock.release()
