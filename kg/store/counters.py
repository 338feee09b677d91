"""What a store holds, counted at write time.

``kg stats`` and the ingest summary read ``counters.json`` instead of scanning the store
(at 100k articles a count of the statements alone reads 22M quads). Every write path of
the store measures what it changed (the quads of the graphs it rewrote, and which of the
triples it touched the default graph held before and after) and adds that to the counters.
The file says ``"valid": false`` while a write is under way, so a crash in between (or a
user's SPARQL Update, whose effect is not measured) leaves counters that are recounted, by
one scan, the next time they are read. They are always exactly what a scan gives.

The same writes note the meeting and pledge IRIs they touch for the merge (``kg.store.pending``).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.store.terms import checked_iri

if TYPE_CHECKING:
    from kg.store.core import Store

FILE = "counters.json"
DIP = "https://w3id.org/diplomacy-kg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FACT_CLASSES = (DIP + "Meeting", DIP + "Pledge")
_DEFAULT = ox.DefaultGraph()
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: a subject with at most this many default-graph triples is read whole (one seek) rather than looked up per triple
SCAN = 64
#: ... and at most this many times the triples asked about: a quad read costs ~15 µs at 100k articles (its
#: terms' strings), a lookup ~50 µs, so a party's thousands of triples are not read for its two counts
SCAN_RATIO = 2
_TYPE_TEXT = f" <{RDF_TYPE.value}> ".encode()


@dataclass
class Counts:
    """The numbers ``kg stats`` shows (see ``kg.store.articles.store_stats``), kept exact by every write."""

    statements: int = 0  # quads in the named graphs
    triples: int = 0  # triples in the default graph (the merge of the named graphs)
    articles: int = 0
    graphs: int = 0  # non-empty named graphs
    same_as_links: int = 0
    classes: dict[str, int] = field(default_factory=dict)  # dip: class local name -> distinct instances

    def add_class(self, cls: str, n: int) -> None:
        if cls.startswith(DIP):
            name = cls[len(DIP):]
            self.classes[name] = self.classes.get(name, 0) + n
            if not self.classes[name]:
                del self.classes[name]


# ---- the counters file ---------------------------------------------------------------------------

def _read(store: Store) -> dict[str, Any]:
    try:
        data = json.loads(store.state_file(FILE).read_text(encoding="utf-8"))  # a reader: its snapshot's
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(store: Store, data: dict[str, Any]) -> None:
    tmp = store.path / (FILE + ".tmp")
    tmp.write_text(json.dumps(data, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, store.path / FILE)


def load(store: Store) -> Counts | None:
    """The counters, or None when a write was cut short or did not measure itself."""
    data = _read(store)
    if data.get("valid") is not True or not store.merged_default:
        return None
    try:
        return Counts(**{k: v for k, v in data.items() if k != "valid"})
    except TypeError:
        return None


def current(store: Store) -> Counts:
    """The counters; recounted by one scan (and saved, when writable) if they are not valid."""
    counts = load(store)
    if counts is None:
        counts = recount(store)
        if not store.read_only and store.merged_default:
            _write(store, {"valid": True, **asdict(counts)})
    return counts


def invalidate(store: Store) -> None:
    """Before a write whose effect is not measured (a user's update): recount on the next read."""
    if (store.path / FILE).exists():
        _write(store, {"valid": False})


def recount(store: Store) -> Counts:
    """Count by scanning: what the counters must always equal.

    In a store whose default graph is the merge (``kg.store.default``) each triple is there once, so
    its triples and each class's instances are plain counts: no DISTINCT (a hash of 6M triples, ~1 GB)
    and no filter that decodes every class name; the named graphs' statements are all quads but the
    default graph's. At 100k articles: ~16 s instead of ~70 s (``scan_counts``, kept for older stores).
    """
    if not store.merged_default:
        return scan_counts(store)
    named = [row[0].value for row in _rows(store, _NONEMPTY)]
    prefix = store.article_graph("")
    triples = _number(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    merged = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{checked_iri(store.merged_graph)}> {{ ?s ?p ?o }} }}"
    counts = Counts(statements=len(store.oxigraph) - triples, triples=triples, graphs=len(named),
                    articles=sum(1 for g in named if g.startswith(prefix)), same_as_links=_number(store, merged))
    for row in _rows(store, "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"):
        if isinstance(row[0], ox.NamedNode):
            counts.add_class(row[0].value, int(row[1].value))
    return counts


#: the named graphs that hold a quad (Oxigraph keeps a graph's name once its last quad is removed)
_NONEMPTY = "SELECT ?g WHERE { GRAPH ?g { } FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"


def scan_counts(store: Store) -> Counts:
    """``recount`` by queries that hold for any store (the union of the graphs as its default graph)."""
    graphs = store.graphs()
    prefix = store.article_graph("")
    counts = Counts(statements=sum(graphs.values()), articles=sum(1 for g in graphs if g.startswith(prefix)),
                    graphs=len(graphs), same_as_links=graphs.get(store.merged_graph, 0))
    union = not store.merged_default
    query = ("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c "
             f"FILTER(STRSTARTS(STR(?c), '{DIP}')) }} GROUP BY ?c")
    for row in _rows(store, query, union):
        counts.add_class(row[0].value, int(row[1].value))
    counts.triples = _number(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }", union)
    return counts


def _rows(store: Store, query: str, union: bool = False) -> ox.QuerySolutions:
    rows = store.oxigraph.query(query, use_default_graph_as_union=union)
    assert isinstance(rows, ox.QuerySolutions)
    return rows


def _number(store: Store, query: str, union: bool = False) -> int:
    return int(next(iter(_rows(store, query, union)))[0].value)


# ---- measuring a write ---------------------------------------------------------------------------

class Change:
    """Measure one write: ``Change(store, graphs, triples)`` before it, ``.done()`` after.

    ``graphs``: named graphs the write may change, counted before and after (article graphs
    are small); ``triples``: every triple whose presence in the default graph the write may
    change (what the changed graphs stated, and state).
    """

    def __init__(self, store: Store, graphs: Iterable[str] = (), triples: Iterable[ox.Triple] = (), *,
                 held: Iterable[ox.Triple] = (), adding: Iterable[ox.Triple] = ()) -> None:
        """``held``: those of ``triples`` a named graph holds before the write, ``adding``: those it adds
        (the default graph, their merge, holds them before, or after: not looked up there then)."""
        self.store = store
        self.counts = load(store)
        if self.counts is None:  # not valid: nothing to keep up to date; recounted when read
            return
        invalidate(store)
        self.graphs = list(dict.fromkeys(graphs))
        self.triples = set(triples)
        self.adding = set(adding)
        self.before_graphs = {g: _graph_size(store, g) for g in self.graphs}
        held = set(held)
        self.before = held | _present(store, self.triples - held)

    def done(self, sized: Iterable[tuple[str, int, bool, bool]] = ()) -> None:
        """``sized``: (graph, change in its quads, non-empty before, non-empty after) the caller knows."""
        counts = self.counts
        if counts is None:
            return
        store = self.store
        changes = [(g, old, _graph_size(store, g)) for g, old in self.before_graphs.items()]
        rows = [(g, new - old, old > 0, new > 0) for g, old, new in changes] + list(sized)
        prefix = store.article_graph("")
        for g, delta, was, now in rows:
            counts.statements += delta
            if g == store.merged_graph:
                counts.same_as_links += delta
            if was != now:
                step = 1 if now else -1
                counts.graphs += step
                if g.startswith(prefix):
                    counts.articles += step
        after = self.adding | _present(store, self.triples - self.adding)
        _count_default(counts, self.before, after)
        _write(store, {"valid": True, **asdict(counts)})


def nonempty(store: Store, graph: str) -> bool:
    return next(iter(store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))), None) is not None


def _count_default(counts: Counts, before: set[ox.Triple], after: set[ox.Triple]) -> None:
    counts.triples += len(after) - len(before)
    for t in after - before:
        if t.predicate == RDF_TYPE:
            counts.add_class(str(t.object.value), 1)  # type: ignore[union-attr]
    for t in before - after:
        if t.predicate == RDF_TYPE:
            counts.add_class(str(t.object.value), -1)  # type: ignore[union-attr]


def batch_written(store: Store, counts: Counts | None, statements: int, graphs: Iterable[tuple[str, bool, bool]],
                  gained: Gain, lost: set[ox.Triple]) -> None:
    """After a batch (``kg.store.batch``) changed ``statements`` quads in the named graphs and ``graphs``
    ((graph, non-empty before, after)); ``gained`` / ``lost``: what it added to / took out of the default graph."""
    if counts is None:
        return
    prefix = store.article_graph("")
    for name, was, now in graphs:
        if was != now:
            step = 1 if now else -1
            counts.graphs += step
            if name.startswith(prefix):
                counts.articles += step
    counts.statements += statements
    counts.triples += gained.triples - len(lost)
    for cls, n in gained.classes.items():
        counts.add_class(cls, n)
    for t in lost:
        if t.predicate == RDF_TYPE:
            counts.add_class(str(t.object.value), -1)  # type: ignore[union-attr]
    _write(store, {"valid": True, **asdict(counts)})


@dataclass
class Gain:
    """What a batch adds to the default graph (``default_gain``)."""

    triples: int = 0
    classes: dict[str, int] = field(default_factory=dict)  # rdf:type object -> new instances
    unknown: set[str] = field(default_factory=set)  # subject IRIs the default graph held nothing about
    added: set[ox.Quad] = field(default_factory=set)  # of ``triples`` (not the lines): the new ones

    def count(self, cls: str, n: int = 1) -> None:
        self.classes[cls] = self.classes.get(cls, 0) + n


def default_gain(store: Store, lines: bytes, triples: Iterable[ox.Triple] = ()) -> Gain:
    """What loading ``lines`` (N-Triples) and ``triples`` adds to the default graph, looked up before the load.

    ~100k lines a commit: they are parsed at once and grouped by their subject's text (one triple a line),
    cheaper than by term objects. A subject the default graph does not know at all (a new article,
    its evidence, most of its meetings) costs one lookup for all its triples, a subject with up to ``SCAN``
    triples there one read of them; the others, one lookup per triple.
    """
    text = [line for line in lines.splitlines(keepends=True) if line.strip() and not line.lstrip().startswith(b"#")]
    quads = list(ox.parse(b"".join(text), format=ox.RdfFormat.N_TRIPLES)) if text else []
    n = len(quads)
    quads += [ox.Quad(t.subject, t.predicate, t.object, _DEFAULT) for t in triples]
    groups: dict[bytes, list[int]] = defaultdict(list)
    if n == len(text):
        for i, line in enumerate(text):
            groups[line.split(None, 1)[0]].append(i)
        typed = {i for i, line in enumerate(text) if _TYPE_TEXT in line}
    else:  # (not one triple a line: grouped by the subject itself)
        for i in range(n):
            groups[str(quads[i].subject).encode("utf-8")].append(i)
        typed = set(range(n))
    for i in range(n, len(quads)):
        groups[str(quads[i].subject).encode("utf-8")].append(i)
    typed.update(range(n, len(quads)))
    by_subject: dict[ox.NamedNode | ox.BlankNode | ox.Triple, set[int]] = {}
    for group in groups.values():  # (one subject written two ways: one group)
        by_subject.setdefault(quads[group[0]].subject, set()).update(group)
    gain = Gain()
    oxs = store.oxigraph
    for subject, members in by_subject.items():
        qs = {quads[i] for i in members}
        held = _few(oxs, subject, len(qs))
        if held is None:
            new = {q for q in qs if q not in oxs}
        elif held:  # (a typed literal may be written otherwise than stored, "+00:00" for "Z": looked up, by value)
            new = {q for q in qs if q not in held and (not _typed(q.object) or q not in oxs)}
        else:
            new = qs
            if isinstance(subject, ox.NamedNode):
                gain.unknown.add(subject.value)
        gain.added |= {quads[i] for i in members if i >= n} & new
        gain.triples += _distinct(new)
        for q in {quads[i] for i in members & typed} & new:
            if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode):
                gain.count(q.object.value)
    return gain


def _distinct(quads: set[ox.Quad]) -> int:
    """How many triples ``quads`` are by value: a typed literal written two ways (a line's ``+00:00``,
    a stored ``Z``) is one."""
    typed = [q.predicate for q in quads if _typed(q.object)]
    if len(typed) == len(set(typed)):  # (no property with two typed values: none can be the same value)
        return len(quads)
    same = ox.Store()
    same.extend(quads)
    return len(same)


def _typed(term: object) -> bool:
    return isinstance(term, ox.Literal) and term.language is None and term.datatype.value != _XSD_STRING


def _in_default(store: Store, t: ox.Triple) -> bool:
    return ox.Quad(t.subject, t.predicate, t.object, _DEFAULT) in store.oxigraph


def _few(oxs: ox.Store, subject: ox.NamedNode | ox.BlankNode | ox.Triple, asked: int) -> set[ox.Quad] | None:
    """The default graph's quads of ``subject`` if it has few (one seek, a few steps: at most ``SCAN``, and
    ``SCAN_RATIO`` times the ``asked`` triples to look up otherwise); None: more."""
    held: set[ox.Quad] = set()
    limit = min(SCAN, SCAN_RATIO * asked)
    for q in oxs.quads_for_pattern(subject, None, None, _DEFAULT):
        if len(held) >= limit:
            return None
        held.add(q)
    return held


def _present(store: Store, triples: set[ox.Triple]) -> set[ox.Triple]:
    """Those of ``triples`` the default graph holds: a subject with a few of them read once (a lookup costs
    ~30 µs at 100k articles, and a full pass writes ~850k summary triples), the others looked up."""
    oxs = store.oxigraph
    # a property the default graph never states: none of its triples is there (the summary's, the
    # sameAs links, when a first merge pass writes them: ~850k lookups at 100k articles, one each here)
    unknown = {p for p in {t.predicate for t in triples}
               if next(iter(oxs.quads_for_pattern(None, p, None, _DEFAULT)), None) is None}
    by_subject: dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        if t.predicate not in unknown:
            by_subject[t.subject].append(t)
    found: set[ox.Triple] = set()
    for subject, ts in by_subject.items():
        held = _few(oxs, subject, len(ts)) if len(ts) > 1 else None
        if held is None:
            found.update(t for t in ts if _in_default(store, t))
            continue
        if not held:  # a subject new to the store (most of a summary written anew)
            continue
        said = {q.predicate for q in held}  # (a typed literal stored in another form: looked up, by value)
        found.update(t for t in ts if ox.Quad(t.subject, t.predicate, t.object, _DEFAULT) in held
                     or (_typed(t.object) and t.predicate in said and _in_default(store, t)))
    return found


def _graph_size(store: Store, graph: str) -> int:
    return sum(1 for _ in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
