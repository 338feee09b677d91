"""Articles stored many at a time: one bulk load, made all-or-nothing by a journal.

Oxigraph's transactional writes cost ~20 µs a quad here: an article with its default-graph
copies, ~4 ms, the ingest's bottleneck. Its bulk loader writes index files directly, three times
faster, but is not atomic. So a batch is first written to ``journal.nq`` (``kg.store.journal``):
the new articles, what new versions of stored articles and changed entity descriptions add, and
what they delete. Then the deletions are applied, the rest bulk-loaded, and the journal removed
once both are on disk. A store opened for writing with a journal left over (the process was
killed mid-batch) undoes the batch: every article is stored whole or not at all, and an article
being replaced keeps its old version.

A new version of a stored article is written as the difference (at 100k articles, 45-63 ms an
article as a transaction of its own after the load; in the load, the difference's default-graph
share costs a few lookups).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store import counters, journal, pending
from kg.store.journal import JOURNAL, recover
from kg.store.terms import checked_iri, parse_ntriples

if TYPE_CHECKING:
    from kg.store.core import Store

__all__ = ["JOURNAL", "SIZE", "ArticleBatch", "recover"]

#: articles per bulk load (~220 quads each with their default-graph copies): 10k articles 224/s against 219/s
#: with 200, 100k in 662 s against 722 s with 2,500
SIZE = 1000
#: lines remembered as already in the default graph (~50 % of an article's lines describe shared entities)
SEEN_MAX = 200_000
NT = ox.RdfFormat.N_TRIPLES
ALL = b"*"
_DEFAULT = ox.DefaultGraph()
Pair = tuple[ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]


class ArticleBatch:
    """Queue articles with ``add``; ``commit`` stores the queue. Not thread-safe.

    ``size`` 0: ``commit`` is one transaction instead of a bulk load (one article; a journal only
    when it deletes something). ``counted`` False: counters not valid are left to be recounted later.
    """

    #: (``kg.store.staged.StagedBatch`` stages a first load: no commit until a part is staged)
    staging = False

    def __init__(self, store: Store, size: int = SIZE, *, counted: bool = True) -> None:
        self.store = store
        self.size = size
        self._staged = ox.Store()  # in memory (parses all or nothing): new articles and new descriptions
        self._versions = ox.Store()  # new versions of stored articles, changed descriptions: written as a difference
        self._default: list[bytes] = []  # the staged lines for the default graph not in it yet, as far as we know
        self._stale: set[bytes] = set()  # subjects (as in lines) of queued versions replaced since: their lines
        #                                   may be stated no more (ALL: any line)
        self._keys: set[str] = set()
        self._queued = 0
        self._replacing: set[ox.NamedNode] = set()  # graphs of stored articles with a new version queued
        self._fresh: set[str] = set()  # IRIs described for the first time (in _staged)
        self._changing: set[str] = set()  # IRIs whose stored description a queued one replaces (in _versions)
        self._known: dict[str, str] = {}  # entity IRI -> description (N-Triples) stored or queued
        self._seen: set[bytes] = set()  # N-Triples lines in the default graph, valid while generation is
        self._generation = store.generation
        self._facts: set[str] = set()  # meetings and pledges of the new articles (for kg.merge.update)
        #: commits so far, also those ``add`` makes when the queue is full (a caller reporting progress follows it)
        self.commits = 0
        #: articles given to ``add``, and how many of the first of them are committed
        self.added = 0
        self.stored = 0
        if counted and not store.read_only:
            counters.current(store)  # valid counters are kept by every write (a scan only if they are not)

    def __len__(self) -> int:
        return self._queued + len(self._replacing)

    def add(self, key: str, ntriples: str, entities: Mapping[str, str] | None = None) -> None:
        """Store an article (N-Triples) with its entity descriptions, as ``Store.replace_article`` does.

        Another version of a queued article or description replaces the queued one, so the store
        ends as if they were added one at a time. The queue is committed once it holds ``size`` articles.
        """
        store = self.store
        graph = ox.NamedNode(checked_iri(store.article_graph(key)))
        entities = entities or {}
        described = self._compare(entities)  # (a description that is not N-Triples is refused here)
        data = _nt_bytes(ntriples)
        again = key in self._keys
        stored = graph in self._replacing if again else store.oxigraph.contains_named_graph(graph)
        target = self._versions if stored else self._staged
        if again:
            parse_ntriples(ntriples)  # refused now, the queued version kept
            if not stored:
                self._stale.update(_subjects(self._staged.quads_for_pattern(None, None, None, graph)))
            target.remove_graph(graph)
        try:
            target.load(data, format=NT, to_graph=graph)
        except SyntaxError as exc:
            target.remove_graph(graph)
            raise StoreError(f"not valid N-Triples: {exc}") from exc
        lines = [line for iri, new in described if (line := self._describe(iri, entities[iri], new))]
        if stored:
            self._replacing.add(graph)
        else:
            lines.insert(0, data)
            self._facts |= pending.facts_in_ntriples(ntriples)
        self._queued += not (again or stored)
        self._default.append(self._unseen(lines))
        self._keys.add(key)
        self.added += 1
        if self.size and len(self) >= self.size:
            self.commit()

    def _unseen(self, data: list[bytes]) -> bytes:
        """The lines not written to the default graph yet, as far as this batch knows."""
        if self._generation != self.store.generation or len(self._seen) > SEEN_MAX:
            self._seen.clear()  # a write outside the batch may have deleted some
            self._generation = self.store.generation
        seen = self._seen
        lines = [line for line in b"".join(data).splitlines(keepends=True) if line not in seen]
        seen.update(lines)
        return b"".join(lines)

    def _compare(self, entities: Mapping[str, str]) -> list[tuple[str, set[ox.Triple]]]:
        """The IRIs whose description differs from the one stored or queued, with their new triples."""
        out = []
        for iri in sorted(entities):
            text = entities[iri]
            if self._known.get(iri) == text:
                continue
            new = set(parse_ntriples(text))
            old = set(parse_ntriples(self._known[iri])) if iri in self._known else self._stored(iri)
            if old != new:
                out.append((iri, new))
            elif iri not in self._fresh and iri not in self._changing:
                self._known[iri] = text  # the same description, written differently
        return out

    def _stored(self, iri: str) -> set[ox.Triple]:
        ents = ox.NamedNode(self.store.entities_graph)
        return {q.triple for q in self.store.oxigraph.quads_for_pattern(ox.NamedNode(iri), None, None, ents)}

    def _describe(self, iri: str, text: str, new: set[ox.Triple]) -> bytes | None:
        """Queue a description in place of the stored or queued one; its lines when it is the first."""
        ents, node, data = ox.NamedNode(self.store.entities_graph), ox.NamedNode(iri), _nt_bytes(text)
        for queue, queued in ((self._staged, self._fresh), (self._versions, self._changing)):
            if iri in queued:
                for q in list(queue.quads_for_pattern(node, None, None, ents)):
                    queue.remove(q)
                if queue is self._staged:
                    self._stale.add(str(node).encode("utf-8"))
        self._known[iri] = text
        if iri in self._fresh or not (stored := self._stored(iri)):
            self._staged.load(data, format=NT, to_graph=ents)
            self._fresh.add(iri)
            return data
        self._changing.discard(iri)
        if new != stored:  # (else back to the stored one)
            self._versions.load(data, format=NT, to_graph=ents)
            self._changing.add(iri)
        return None

    def commit(self) -> None:
        """Store the queue; each article whole or not at all."""
        if len(self):
            try:
                self._write()
            except BaseException:
                self._known.clear()
                self._seen.clear()
                raise
            finally:
                self._clear()
            self.commits += 1
        self.stored = self.added

    def close(self) -> None:
        """Drop what is queued (after an error: nothing of it is stored)."""
        self._clear()

    def _write(self) -> None:
        """Journal, deletions, bulk load (``size`` 0: one transaction), journal removed; counters and facts kept."""
        store = self.store
        oxs = store._writable()
        ents = store.entities_graph
        gained, lost, facts, graphs = self._difference()
        versions = {q.triple for q in gained}
        dropped, lines = self._candidates(b"".join(self._default))
        kept = counters.load(store)
        if kept is not None:
            counters.invalidate(store)
        gain = counters.default_gain(store, lines, versions)
        gone = self._left_default(lost)
        pending.note_facts(store, self._facts | facts, absent=gain.unknown)
        graphs += [(g.value, False, True) for g in self._staged.named_graphs()
                   if isinstance(g, ox.NamedNode) and g.value != ents]
        ents_was = counters.nonempty(store, ents)
        new = (self._staged.dump(format=ox.RdfFormat.N_QUADS) or b"") + lines
        changed = journal.nquads(gained) + journal.nquads(gain.added)
        deleted = journal.nquads(lost) + journal.nquads(_in_default(gone))
        statements = len(self._staged) + len(gained) - len(lost)
        with journal.journalled(store, new, changed, deleted, logged=bool(self.size or deleted)):
            _delete(oxs, [*lost, *_in_default(gone)])
            if self.size:
                if new or changed:
                    oxs.bulk_load(new + changed, format=ox.RdfFormat.N_QUADS)
                oxs.flush()
            elif new or changed:
                oxs.load(new + changed, format=ox.RdfFormat.N_QUADS)
        graphs.append((ents, ents_was, counters.nonempty(store, ents)))
        counters.batch_written(store, kept, statements, graphs, gain, gone)
        # lines of these subjects may not be in the default graph (gone, dropped), or will hardly come again
        # (new to the store: an article's own): the lines kept describe shared entities
        forget = {str(t.subject).encode("utf-8") for t in gone | dropped} | {f"<{i}>".encode() for i in gain.unknown}
        if forget:
            self._seen = {line for line in self._seen if line.split(b" ", 1)[0] not in forget}

    def _candidates(self, lines: bytes) -> tuple[set[ox.Triple], bytes]:
        """The triples of queued versions replaced since that the queue no longer states, and the
        default-graph lines without them."""
        stale = self._stale
        dropped: set[ox.Triple] = set()
        if stale:
            kept = []
            for line in lines.splitlines(keepends=True):
                if ALL in stale or line.split(b" ", 1)[0] in stale:
                    found = parse_ntriples(line.decode("utf-8"))  # (a comment: nothing)
                    if found and not self._states(found[0]):
                        dropped.add(found[0])
                        continue
                kept.append(line)
            lines = b"".join(kept)
        return dropped, lines

    def _states(self, t: ox.Triple) -> bool:
        """Whether a queued graph states the triple."""
        return any(next(iter(queue.quads_for_pattern(t.subject, t.predicate, t.object)), None) is not None
                   for queue in (self._staged, self._versions))

    def _difference(self) -> tuple[list[ox.Quad], list[ox.Quad], set[str], list[tuple[str, bool, bool]]]:
        """What the queued versions add to and delete from the stored graphs (and descriptions), the facts
        they touch, and (graph, non-empty before, after) of the replaced graphs."""
        oxs = self.store.oxigraph
        ents = ox.NamedNode(self.store.entities_graph)
        gained: list[ox.Quad] = []
        lost: list[ox.Quad] = []
        facts: set[str] = set()
        graphs: list[tuple[str, bool, bool]] = []
        parts = [(g, None) for g in self._replacing] + [(ents, ox.NamedNode(iri)) for iri in sorted(self._changing)]
        for graph, subject in parts:
            old = {q.triple for q in oxs.quads_for_pattern(subject, None, None, graph)}
            new = {q.triple for q in self._versions.quads_for_pattern(subject, None, None, graph)}
            if old == new:
                continue
            if subject is None:
                facts |= _facts(old) | _facts(new)
                graphs.append((graph.value, bool(old), bool(new)))
            gained += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in new - old]
            lost += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in old - new]
        return gained, lost, facts, graphs

    def _left_default(self, lost: Iterable[ox.Quad]) -> set[ox.Triple]:
        """The triples ``lost`` takes out of the default graph: no graph states them after the batch.

        A subject's quads are read at once (one seek) when they are few (an article's own subjects);
        a shared one's (a country) are looked up per triple.
        """
        oxs = self.store.oxigraph
        by_subject: dict[ox.NamedNode | ox.BlankNode | ox.Triple, set[ox.Triple]] = defaultdict(set)
        for q in lost:
            by_subject[q.subject].add(q.triple)
        changing = {ox.NamedNode(iri) for iri in self._changing}
        gone = set()
        for subject, triples in by_subject.items():
            ts = {t for t in triples if not self._states(t)}
            if not ts:
                continue
            read = self._stated(oxs.quads_for_pattern(subject, None, None), changing, limit=counters.SCAN)
            if read is not None:
                held, kept = read
                gone |= {t for t in ts if (t.predicate, t.object) in held - kept}
                continue
            for t in ts:
                read = self._stated(oxs.quads_for_pattern(t.subject, t.predicate, t.object), changing, limit=0)
                if read is not None and read[0] and not read[1]:
                    gone.add(t)
        return gone

    def _stated(self, quads: Iterable[ox.Quad], changing: set[ox.NamedNode],
                limit: int) -> tuple[set[Pair], set[Pair]] | None:
        """((predicate, object) in the default graph, those a graph the batch leaves as it is states);
        None when there are more than ``limit`` quads (0: no limit, but the first such graph ends the read)."""
        ents = ox.NamedNode(self.store.entities_graph)
        held: set[Pair] = set()
        kept: set[Pair] = set()
        for n, q in enumerate(quads):
            if limit and n >= limit:
                return None
            name, pair = q.graph_name, (q.predicate, q.object)
            if isinstance(name, ox.DefaultGraph):
                held.add(pair)
            elif name not in self._replacing and (name != ents or q.subject not in changing):
                kept.add(pair)
                if not limit:
                    break
        return held, kept

    def _clear(self) -> None:
        self._staged = ox.Store()  # a new one: clear() keeps the interned strings, and gets slower
        self._versions = ox.Store()
        self._default = []
        self._keys = set()
        self._queued = 0
        self._stale = set()
        self._replacing = set()
        self._fresh = set()
        self._changing = set()
        self._facts = set()


def _delete(oxs: ox.Store, quads: list[ox.Quad]) -> None:
    """Remove quads: one DELETE DATA request for those without blank nodes (it cannot name one)."""
    by_graph: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[str]] = {}
    for q in quads:
        if any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object, q.graph_name)):
            oxs.remove(q)
        else:
            by_graph.setdefault(q.graph_name, []).append(f"{q.subject} {q.predicate} {q.object} .\n")
    if by_graph:
        body = "".join("".join(lines) if isinstance(g, ox.DefaultGraph) else f"GRAPH {g} {{\n{''.join(lines)}}}\n"
                       for g, lines in by_graph.items())
        oxs.update(f"DELETE DATA {{\n{body}}}")


def _subjects(quads: Iterable[ox.Quad]) -> set[bytes]:
    """Subjects as their lines start (ALL for a blank node: its label in the lines is another)."""
    return {ALL if isinstance(q.subject, ox.BlankNode) else str(q.subject).encode("utf-8") for q in quads}


def _in_default(triples: Iterable[ox.Triple]) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, _DEFAULT) for t in triples]


def _facts(triples: Iterable[ox.Triple]) -> set[str]:
    """Meeting and pledge IRIs the triples type."""
    return {t.subject.value for t in triples if t.predicate == counters.RDF_TYPE  # type: ignore[union-attr]
            and isinstance(t.object, ox.NamedNode) and t.object.value in counters.FACT_CLASSES}


def _nt_bytes(text: str) -> bytes:
    """N-Triples as bytes ending with a line break, so two documents concatenate into one."""
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")
