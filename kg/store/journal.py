"""The batch journal: what a batch adds and deletes, written before it touches the store, so a batch
cut short (SIGKILL, power loss, a failed load) is undone on the next writable open.

One N-Quads file in three parts, split by comment lines (so the file stays N-Quads):

1. new named graphs (removed whole when undone), new entity descriptions, and default-graph copies;
2. ``CHANGED``: what new versions of stored graphs and changed descriptions add (removed when undone);
3. ``DELETED``: what the batch deletes, the old versions' quads (put back when undone).

A default-graph quad of parts 1 and 2 is removed when undone only if no named graph states it then:
the default graph is the merge of the named graphs. Undoing is idempotent, so a crash while
recovering is safe too. A journal written before parts 2 and 3 existed is part 1 alone.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import StoreError

if TYPE_CHECKING:
    from kg.store.core import Store

JOURNAL = "journal.nq"
#: a first load's part (``kg.store.staged``): new graphs, descriptions and default-graph lines only, streamed
LOAD_JOURNAL = "journal.load.nq"
#: the part being staged: never loaded, deleted when found
STAGED = "staged.nq"
#: the bulk-load calls' slices of the load journal (copies: the journal names what they hold), numbered
_LOAD_SLICE = "journal.load.slice{}.nq"
LOAD_SLICES = _LOAD_SLICE.format("*")
CHANGED = b"# kg journal: changes of stored graphs\n"
DELETED = b"# kg journal: deleted by this batch\n"
NQ = ox.RdfFormat.N_QUADS


def slice_name(number: int) -> str:
    """The file of a load journal's ``number``-th slice (``LOAD_SLICES``)."""
    return _LOAD_SLICE.format(number)


def write(path: Path, new: bytes, changed: bytes, deleted: bytes) -> None:
    """The journal, on disk (fsync, atomic rename) before the batch changes anything."""
    tmp = path.with_suffix(".tmp")
    try:
        with open(tmp, "wb") as fh:
            for part in (new, CHANGED if changed or deleted else b"", changed, DELETED if deleted else b"", deleted):
                fh.write(part)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        sync_folder(path.parent)
    except OSError as exc:
        raise StoreError(f"cannot write the ingest journal: {exc.strerror}", where=path) from exc


@contextlib.contextmanager
def journalled(store: Store, new: bytes = b"", changed: bytes = b"", deleted: bytes = b"", *,
               logged: bool = True) -> Iterator[None]:
    """Around a write that bypasses transactions (the bulk loader): the journal first, removed once the
    body is done; a failure in the body undoes what it wrote and becomes a ``StoreError``.

    ``logged`` False: no journal (the body is one transaction), the failure still a ``StoreError``.
    """
    path = store.path / JOURNAL
    if logged:
        write(path, new, changed, deleted)
    try:
        yield
    except (OSError, RuntimeError, SyntaxError) as exc:
        if logged:
            recover(store)
        raise StoreError(f"write failed: {exc}", where=store.path) from exc
    if logged:
        path.unlink()


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _parts(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(new, changed, deleted): the markers are whole lines (a literal cannot hold a raw line break)."""
    new, _, rest = (b"\n" + data).partition(b"\n" + CHANGED)
    changed, _, deleted = (b"\n" + rest).partition(b"\n" + DELETED)
    return new, changed, deleted


def recover(store: Store) -> bool:
    """Undo what an interrupted batch or load wrote, if its journal is there; idempotent, so a crash here is
    safe too."""
    (store.path / STAGED).unlink(missing_ok=True)
    for piece in store.path.glob(LOAD_SLICES):
        piece.unlink(missing_ok=True)
    loaded = _recover_load(store)
    journal = store.path / JOURNAL
    if not journal.exists():
        return loaded
    oxs = store._writable()
    try:
        new, changed, deleted = (list(ox.parse(part, format=NQ)) for part in _parts(journal.read_bytes()))
    except (OSError, SyntaxError) as exc:
        raise StoreError(f"cannot read the ingest journal: {exc}", where=journal,
                         fix="restore the store from a backup, or ingest into a new one") from exc
    ents = ox.NamedNode(store.entities_graph)
    for name in {q.graph_name for q in new if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != ents}:
        if oxs.contains_named_graph(name):
            oxs.remove_graph(name)
    for q in (*[q for q in new if q.graph_name == ents],
              *[q for q in changed if not isinstance(q.graph_name, ox.DefaultGraph)]):
        oxs.remove(q)
    oxs.extend([q for q in deleted if not isinstance(q.graph_name, ox.DefaultGraph)])
    for q in (*new, *changed):
        if isinstance(q.graph_name, ox.DefaultGraph) and not stated(oxs, q.triple):
            oxs.remove(q)
    oxs.extend([q for q in deleted if isinstance(q.graph_name, ox.DefaultGraph)])
    oxs.flush()
    journal.unlink()
    return True


def _recover_load(store: Store) -> bool:
    """Undo an interrupted part of a first load: its journal holds only what it added, read as a stream
    (a part is millions of quads)."""
    path = store.path / LOAD_JOURNAL
    if not path.exists():
        return False
    oxs = store._writable()
    ents = ox.NamedNode(store.entities_graph)
    try:
        graphs = set()
        for q in ox.parse(path=path, format=NQ):
            if q.graph_name == ents:
                oxs.remove(q)
            elif isinstance(q.graph_name, ox.NamedNode):
                graphs.add(q.graph_name)
        for name in graphs:
            if oxs.contains_named_graph(name):
                oxs.remove_graph(name)
        for q in ox.parse(path=path, format=NQ):
            if isinstance(q.graph_name, ox.DefaultGraph) and not stated(oxs, q.triple):
                oxs.remove(q)
    except (OSError, SyntaxError) as exc:
        raise StoreError(f"cannot read the load journal: {exc}", where=path,
                         fix="restore the store from a backup, or ingest into a new one") from exc
    oxs.flush()
    path.unlink()
    return True


def stated(oxs: ox.Store, t: ox.Triple) -> bool:
    """Whether a named graph states the triple."""
    return any(not isinstance(q.graph_name, ox.DefaultGraph)
               for q in oxs.quads_for_pattern(t.subject, t.predicate, t.object))


def nquads(quads: Iterable[ox.Quad]) -> bytes:
    """N-Quads of quads (a default-graph quad without a graph name)."""
    return "".join(f"{q.subject} {q.predicate} {q.object} .\n" if isinstance(q.graph_name, ox.DefaultGraph)
                   else f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n" for q in quads).encode("utf-8")
