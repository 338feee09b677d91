"""A store's first big load: the articles staged on disk and bulk-loaded in a few large parts.

Each bulk load into a RocksDB database that already holds data is compacted with that data (the
keys are hashed: every loaded file spans each index's whole key range). Committed 1,000 articles at
a time, the 100k-article ingest wrote 54 GB for a 4.2 GB store, and RocksDB's compaction was most of
the parent's CPU. A load into an empty database compacts almost nothing.

So while the store holds no article and no entity description, there is nothing stored to compare
an article with, and ``StagedBatch`` reads nothing from it: each article is appended to
``staged.nq`` as N-Quads (its graph, its lines for the default graph, the descriptions of entities
new to the load), and every ``part`` articles that file becomes the load journal
(``journal.load.nq``: fsync, atomic rename), is bulk-loaded in a background thread while the next
part is staged, and the journal removed once the load is on disk. Readers see each part whole (one
snapshot). A process killed mid-load leaves the journal, and the next writable open removes what it
names (``kg.store.journal.recover``); a ``staged.nq`` left over was never loaded and is deleted.
The counters are recounted (one scan) and the merge is owed in full after the load.

A new version of an article staged in the same part is staged too, and the byte range of the old
version's graph is left out of the load; the old version's lines for the default graph stay in it (another
article may state them), and those its successor does not state are removed after the load if no graph
states them. A new version of an article loaded in an earlier part is replaced after the part's load, as a
later ingest would. An article the staging cannot take as it is (an entity described otherwise than
before, blank nodes, lines that are not one triple each) ends it: what is staged is loaded, and that
article and the rest go through ``ArticleBatch``, as any later ingest does.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store import counters, pending
from kg.store.batch import SIZE, ArticleBatch
from kg.store.bulk import Deferred, Load, bulk_load
from kg.store.journal import LOAD_JOURNAL, STAGED, sync_folder
from kg.store.terms import checked_iri

if TYPE_CHECKING:
    from kg.store.core import Store

#: articles per part: at 100k articles, one load at the end. Each load into a store that holds data
#: compacts with it (at 100k, same machine, within two hours: parts of 25,000 853 s, of 50,000 783 s,
#: one 760 s; one run each, a rerun of the last 884 s: within the noise of that machine)
PART = 100_000
#: a first ingest of fewer articles goes through ``ArticleBatch`` (a few loads compact little)
STAGE_MIN = 5_000
#: articles after which the default-graph lines of subjects only one of them stated are forgotten
WINDOW = 1_000
#: default-graph lines remembered as written (a safety bound: shared entities are far fewer)
SEEN_MAX = 400_000
#: new versions of articles of a part loaded before, held for after the part's load (N-Triples, ~10 KB
#: each): more end the staging
DEFERRED_MAX = 10_000


def stageable(store: Store) -> bool:
    """Whether the store holds no article and no entity description (the schema graphs aside)."""
    if store.read_only or not store.merged_default:
        return False
    prefix, ents = store.article_graph(""), store.entities_graph
    return not any(isinstance(g, ox.NamedNode) and (g.value.startswith(prefix) or g.value == ents)
                   for g in store.oxigraph.named_graphs())


class StagedBatch:
    """``ArticleBatch``'s interface for a first load (see the module docstring). Not thread-safe.

    ``added`` counts the articles given to ``add``, ``stored`` the first of them that are loaded;
    ``commit`` loads what is staged and waits; ``close`` waits for a load under way and drops the
    rest (after an error: each article is stored whole or not at all).
    """

    def __init__(self, store: Store, part: int | None = None, size: int | None = None) -> None:
        self.store, self.part = store, PART if part is None else part  # (read here: tests set PART)
        self._size = size
        self._batch: ArticleBatch | None = None  # once staging has ended
        self._keys: dict[str, bytes] = {}  # key -> digest of the article staged
        self._known: dict[str, str] = {}  # entity IRI -> description staged
        self._seen: set[bytes] = set()  # default-graph lines written (see _unseen)
        self._first: dict[bytes, int] = {}  # subject (as in lines) -> the first article of the window stating it
        self._lines: defaultdict[bytes, list[bytes]] = defaultdict(list)  # ... -> the lines it added to _seen
        self._shared: set[bytes] = set()  # subjects two articles stated
        self._fh: IO[bytes] | None = None
        # what is staged for the part (``_next_part`` sets them for each part)
        self._staged: int  # articles in staged.nq
        self._offset: int  # bytes written to staged.nq
        self._blocks: dict[str, tuple[int, int]]  # key -> byte range of its graph's quads in staged.nq
        self._skip: list[tuple[int, int]]  # ... of old versions: left out of the load
        self._orphans: list[bytes]  # default-graph lines of old versions their successors do not state
        self._deferred: Deferred  # new versions of loaded articles: replaced after the part's load
        self._next_part()
        self._loading: tuple[Future[None], int] | None = None  # the load under way, ``added`` at its start
        self._pool: ThreadPoolExecutor | None = None
        self.added = 0
        self._stored = 0
        self.commits = 0
        self.ents = ox.NamedNode(store.entities_graph)

    @property
    def staging(self) -> bool:
        return self._batch is None

    def __len__(self) -> int:
        return len(self._batch) if self._batch is not None else self._staged

    @property
    def stored(self) -> int:
        if self._loading is not None and self._loading[0].done():
            self._wait()
        return self._batch.stored if self._batch is not None else self._stored

    def add(self, key: str, ntriples: str, entities: Mapping[str, str] | None = None) -> None:
        """Stage an article (or, once staging has ended, ``ArticleBatch.add`` it)."""
        entities = entities or {}
        if self._batch is None:
            digest = _digest(ntriples, entities)
            if self._keys.get(key) == digest:  # the same article again (a feed repeats itself): nothing changes
                self.added += 1
                return
            taken = self._takes(key, ntriples, entities)
            if taken is None and key in self._keys and len(self._deferred) < DEFERRED_MAX and all(
                    self._known.get(iri) == text for iri, text in entities.items()):
                self._deferred.append((key, ntriples, dict(entities)))  # (its descriptions change nothing)
                self._keys[key] = digest
                self.added += 1
                return
            if taken is not None:
                self._stage(key, taken[0], entities, taken[1], digest)
                if self._staged >= self.part:
                    self._load()
                return
            self._end()
        assert self._batch is not None
        self.added += 1
        self._batch.add(key, ntriples, entities)

    def commit(self) -> None:
        """Store what is queued or staged, and wait until it is on disk."""
        if self._batch is not None:
            self._batch.commit()
            return
        if self._staged or self._deferred:
            self._load()
        self._wait()

    def close(self) -> None:
        """After an error: wait for a load under way (it completes whole), drop what is staged."""
        try:
            if self._loading is not None:
                self._loading[0].exception()
        finally:
            self._discard()
            if self._pool is not None:
                self._pool.shutdown()
            self._seen, self._shared, self._keys, self._known = set(), set(), {}, {}  # (the merge pass follows)
            if self._batch is not None:
                self._batch.close()

    # ---- staging ---------------------------------------------------------------------------------

    def _takes(self, key: str, ntriples: str,
               entities: Mapping[str, str]) -> tuple[list[bytes], dict[str, list[bytes]]] | None:
        """The article's lines and those of the descriptions new to the load, if the staging can take it
        (not a new version of an article of a part loaded before)."""
        if (key in self._keys and key not in self._blocks) or "_:" in ntriples:
            return None
        lines = _lines(ntriples)
        new = {iri: _lines(text) for iri, text in entities.items() if iri not in self._known}
        if any(self._known.get(iri, text) != text for iri, text in entities.items()) or not all(
                _one_triple(line) for part in (lines, *new.values()) for line in part) or any(
                "_:" in entities[iri] for iri in new):
            return None
        return lines, new

    def _stage(self, key: str, lines: list[bytes], entities: Mapping[str, str], new: dict[str, list[bytes]],
               digest: bytes) -> None:
        graph = checked_iri(self.store.article_graph(key)).encode("utf-8")
        described = [line for iri in sorted(new) for line in new[iri]]
        fh = self._fh if self._fh is not None else self._open()
        self.added += 1
        quads = _quads(lines, graph)
        data = quads + _quads(described, self.ents.value.encode("utf-8")) + b"".join(self._unseen(lines + described))
        try:
            if key in self._blocks:
                self._supersede(self._blocks[key], quads)
            fh.write(data)
        except OSError as exc:
            raise StoreError(f"cannot stage articles for the load: {exc.strerror}", where=self.store.path / STAGED,
                             fix="check the disk has room") from exc
        self._blocks[key] = (self._offset, self._offset + len(quads))
        self._offset += len(data)
        self._known.update((iri, entities[iri]) for iri in new)
        self._keys[key] = digest
        self._staged += 1
        if self.added % WINDOW == 0:
            self._forget()

    def _supersede(self, old: tuple[int, int], quads: bytes) -> None:
        """Leave the old version's graph out of the load; note its lines the new version does not state."""
        assert self._fh is not None
        self._fh.flush()
        stale = os.pread(self._fh.fileno(), old[1] - old[0], old[0])
        self._skip.append(old)
        self._orphans += set(stale.splitlines(keepends=True)).difference(quads.splitlines(keepends=True))

    def _open(self) -> IO[bytes]:
        try:
            self._fh = open(self.store.path / STAGED, "wb+")  # noqa: SIM115 (closed by _load or _discard)
        except OSError as exc:
            raise StoreError(f"cannot stage articles for the load: {exc.strerror}", where=self.store.path / STAGED,
                             fix="check the disk has room and the store folder is writable") from exc
        return self._fh

    def _unseen(self, lines: list[bytes]) -> list[bytes]:
        """The lines not written for the default graph yet, as far as this load remembers.

        An article's own subjects (its IRI, its evidence, its meetings) are stated by it alone, so
        their lines are forgotten after the window in which only one article stated them; a
        shared subject's (a leader, a country) are kept: they come again in most articles.
        """
        seen, first, number = self._seen, self._first, self.added
        out = []
        for line in lines:
            subject = line[:line.find(b" ")]
            if first.setdefault(subject, number) != number:
                self._shared.add(subject)
            if line not in seen:
                out.append(line)
                self._lines[subject].append(line)
        seen.update(out)
        return out

    def _forget(self) -> None:
        for subject, lines in self._lines.items():
            if subject not in self._shared:
                self._seen.difference_update(lines)
        self._first.clear()
        self._lines.clear()
        if len(self._seen) > SEEN_MAX:
            self._seen.clear()
            self._shared.clear()

    # ---- loading ---------------------------------------------------------------------------------

    def _load(self) -> None:
        """Turn the staged file into the load journal and load it in the background (after the load before)."""
        self._wait()
        store, fh = self.store, self._fh
        path = store.path / LOAD_JOURNAL
        try:
            if not self.commits:  # what the counters and the merge know is not measured from here on
                counters.invalidate(store)
                pending.note_unknown(store)
            if fh is not None:
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
                self._fh = None
                os.replace(store.path / STAGED, path)
                sync_folder(store.path)
        except OSError as exc:
            raise StoreError(f"cannot write the load journal: {exc.strerror}", where=path) from exc
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="kg-load")
        load = Load(fh is not None, sorted(self._skip), self._orphans, self._deferred)
        if load.orphans or load.deferred:  # old versions' lines may leave the default graph: later parts write them
            self._seen.clear()
            self._shared.clear()
        self._loading = (self._pool.submit(bulk_load, store, load), self.added)
        self._next_part()
        self.commits += 1

    def _wait(self) -> None:
        """Wait for the load under way; its error (its part undone) raised here."""
        if self._loading is not None:
            future, added = self._loading
            self._loading = None
            future.result()
            self._stored = added

    def _end(self) -> None:
        """Load what is staged, wait, and go on with an ``ArticleBatch``."""
        from kg.store.snapshot import PublishedBatch

        self.commit()
        self._batch = PublishedBatch(self.store, SIZE if self._size is None else self._size)
        self._batch.added = self._batch.stored = self.added

    def _discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        (self.store.path / STAGED).unlink(missing_ok=True)
        self._next_part()

    def _next_part(self) -> None:
        """Start a part: nothing staged for it yet."""
        self._staged = self._offset = 0
        self._blocks, self._skip, self._orphans, self._deferred = {}, [], [], []


def _digest(ntriples: str, entities: Mapping[str, str]) -> bytes:
    h = hashlib.blake2b(ntriples.encode("utf-8"), digest_size=16)
    for iri in sorted(entities):
        h.update(b"\0" + iri.encode("utf-8") + b"\0" + entities[iri].encode("utf-8"))
    return h.digest()


def _lines(ntriples: str) -> list[bytes]:
    """An N-Triples document's lines (blank ones dropped), each ending with a line break."""
    return [line + b"\n" for line in ntriples.encode("utf-8").split(b"\n") if line.strip()]


def _one_triple(line: bytes) -> bool:
    """A line as the mapper writes them (no comment: the terminating dot last)."""
    return line.rstrip().endswith(b".") and not line.lstrip().startswith(b"#")


def _quads(lines: list[bytes], graph: bytes) -> bytes:
    """N-Triples lines as N-Quads in ``graph``."""
    tail = b" <" + graph + b"> .\n"
    return b"".join(line[:line.rstrip().rfind(b".")].rstrip() + tail for line in lines)
