"""Aggregates the global stored queries read, kept at write time in ``B graph/summary``.

Ranking every leader by meetings, or every pledger by troop pledges, means joining every
report of the store with its articles and its ``owl:sameAs`` link: 5.6 s at 100k articles.
So the merge pass (``kg.merge``), which already knows which reports a change touched, also
writes per entity what those queries count, as triples of ``B graph/summary`` (a named graph
like the others: in the default graph the queries read, in every export and push):

- a meeting participant: ``dip:meetingCount`` (distinct meetings, merged reports once) and
  ``dip:meetingSourceCount`` (distinct articles reporting them);
- a pledger of troops or peacekeepers: ``dip:troopPledgeCount``, ``dip:troopPledgeSourceCount``;
- a meeting reported by at least two articles (the canonical IRI of a merge):
  ``dip:corroboratingSourceCount`` and ``dip:corroboratingReportCount``;
- the graph itself: ``dip:factDate``, each date a meeting or pledge has (the index timeline
  reads: the few hundred dates in a range, then their facts by exact lookup, not every date).

Each number is what the query counted before (``summarise`` is that count, in Python), so
the answers are the same. ``refresh`` recounts only the entities of the reports a merge update
touched (their parties, and the merges they were or are in), reading each one's reports whole:
the same numbers as ``recompute`` from scratch (tests/test_merge_incremental.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.merge import Report
    from kg.store import Store

DIP = "https://w3id.org/diplomacy-kg/ontology#"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
OWL_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
PARTICIPANT, PLEDGED_BY, PLEDGE_TYPE = DIP + "participant", DIP + "pledgedBy", DIP + "pledgeType"
MEETING, PLEDGE = DIP + "Meeting", DIP + "Pledge"
TROOP_TYPES = frozenset(f"https://w3id.org/diplomacy-kg/vocab/pledge-type/{t}" for t in ("troops", "peacekeepers"))

MEETINGS, MEETING_SOURCES = DIP + "meetingCount", DIP + "meetingSourceCount"
TROOP_PLEDGES, TROOP_SOURCES = DIP + "troopPledgeCount", DIP + "troopPledgeSourceCount"
CORROBORATING_SOURCES, CORROBORATING_REPORTS = DIP + "corroboratingSourceCount", DIP + "corroboratingReportCount"
FACT_DATE = DIP + "factDate"
DATE = ox.NamedNode(DIP + "date")
PROPERTIES = (MEETINGS, MEETING_SOURCES, TROOP_PLEDGES, TROOP_SOURCES, CORROBORATING_SOURCES, CORROBORATING_REPORTS,
              FACT_DATE)

#: ``meta.json`` key: the summary graph is kept (a store without it gets it on the next merge pass)
META_KEY = "summary"
META_VALUE = "2"


def graph_iri(store: Store) -> str:
    return f"{store.base_iri}graph/summary"


@dataclass(slots=True)
class Fact:
    """What the summary needs of one meeting or pledge report."""

    iri: str
    meeting: bool = False
    parties: set[str] = field(default_factory=set)  # participants of a meeting; pledgers of a troop pledge
    articles: set[str] = field(default_factory=set)


def from_report(rep: Report, meeting: bool) -> Fact:
    """A ``kg.merge`` report (its signature holds ``"property value"`` strings) as a Fact."""
    fact = Fact(rep.iri, meeting, articles=set(rep.articles))
    values: dict[str, set[str]] = defaultdict(set)
    for item in rep.signature:
        prop, _, value = item.partition(" ")
        values[prop].add(value)
    if meeting:
        fact.parties = values[PARTICIPANT]
    elif values[PLEDGE_TYPE] & TROOP_TYPES:
        fact.parties = values[PLEDGED_BY]
    return fact


Numbers = dict[str, dict[str, int]]  # subject -> property -> value


def summarise(facts: Iterable[Fact], same: Mapping[str, Iterable[str]]) -> Numbers:
    """The summary of ``facts`` (``same``: a report's ``owl:sameAs`` targets), as the queries counted it:
    a report without an article does not count; a report's merge key is each sameAs target, else itself."""
    meetings: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    troops: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    keyed: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for fact in facts:
        if not fact.articles:
            continue
        keys = set(same.get(fact.iri, ())) or {fact.iri}
        for party in fact.parties:
            keys_of, articles = (meetings if fact.meeting else troops)[party]
            keys_of |= keys
            articles |= fact.articles
        if fact.meeting:
            for key in keys:
                articles, reports = keyed[key]
                articles |= fact.articles
                reports.add(fact.iri)
    out: Numbers = defaultdict(dict)
    for party, (keys, articles) in meetings.items():
        out[party].update({MEETINGS: len(keys), MEETING_SOURCES: len(articles)})
    for party, (keys, articles) in troops.items():
        out[party].update({TROOP_PLEDGES: len(keys), TROOP_SOURCES: len(articles)})
    for key, (articles, reports) in keyed.items():
        if len(articles) >= 2:
            out[key].update({CORROBORATING_SOURCES: len(articles), CORROBORATING_REPORTS: len(reports)})
    return out


def triples(numbers: Numbers) -> set[ox.Triple]:
    return {ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.Literal(str(n), datatype=XSD_INTEGER))
            for s, values in numbers.items() for p, n in values.items()}


def ntriples(numbers: Numbers, index: str = "", dates: Iterable[str] = ()) -> list[str]:
    """The summary as sorted N-Triples lines (what ``kg build`` writes); ``index``: the summary
    graph's IRI, which states each of ``dates`` (N-Triples literals) as a ``dip:factDate``."""
    return sorted([f"{t} ." for t in triples(numbers)] + [f"<{index}> <{FACT_DATE}> {d} ." for d in set(dates)])


def fact_dates(store: Store) -> set[str]:
    """Every date (as N-Triples) a meeting or pledge of the store has."""
    rows = store.oxigraph.query(
        f"SELECT DISTINCT ?d WHERE {{ ?x <{DATE.value}> ?d . ?x a ?c FILTER(?c IN (<{MEETING}>, <{PLEDGE}>)) }}",
        use_default_graph_as_union=not store.merged_default)
    assert isinstance(rows, ox.QuerySolutions)
    return {str(row[0]) for row in rows}


def same_as(store: Store) -> dict[str, set[str]]:
    """Every ``owl:sameAs`` of the merged view (the default graph), as the queries read it."""
    out: dict[str, set[str]] = defaultdict(set)
    for q in store.oxigraph.quads_for_pattern(None, OWL_SAME_AS, None, _graph(store)):
        out[q.subject.value].add(q.object.value)  # type: ignore[union-attr]
    return out


def _graph(store: Store) -> ox.DefaultGraph | None:
    return ox.DefaultGraph() if store.merged_default else None


def mark_kept(store: Store) -> None:
    meta = store._meta()
    if meta.get(META_KEY) != META_VALUE:
        store._write_meta({**meta, META_KEY: META_VALUE})


def kept(store: Store) -> bool:
    """Whether the store keeps its summary graph (False: a store from before, until its next merge pass)."""
    from kg.store.core import read_meta

    return read_meta(store.path).get(META_KEY) == META_VALUE


def missing(store: Store) -> bool:
    """True when the store holds articles but no summary yet: written by a kg from before it. (A store
    whose merge pass is still owed, ``merge.pending``, gets both its links and its summary then.)"""
    from kg.store.counters import PENDING

    return not kept(store) and not (store.path / PENDING).exists() and bool(store.article_keys())


def missing_message(store: Store) -> tuple[str, str]:
    """(what, how to fix) for a query that needs the summary on a store without it."""
    return ("this store was written by an older kg: it has no summary graph yet (the numbers the "
            "global queries read)", f"open it once for writing: `kg ingest` into it, or "
            f"python -c \"import kg; kg.open_store('{store.path}').close()\"; that computes them once")


#: words of a query text that reads the summary
NAMES = tuple(p[len(DIP):] for p in PROPERTIES)


# ---- incremental: the entities of the reports a merge update touched ------------------------------

class _Reader:
    """Facts and sameAs targets read from the store, once per IRI."""

    def __init__(self, store: Store) -> None:
        self.oxs = store.oxigraph
        self.graph = _graph(store)
        self.facts: dict[str, list[Fact]] = {}
        self.same: dict[str, set[str]] = {}

    def objects(self, iri: str, prop: ox.NamedNode) -> set[str]:
        return {q.object.value for q in  # type: ignore[union-attr]
                self.oxs.quads_for_pattern(ox.NamedNode(iri), prop, None, self.graph)}

    def subjects(self, prop: str, value: str) -> set[str]:
        return {q.subject.value for q in  # type: ignore[union-attr]
                self.oxs.quads_for_pattern(None, ox.NamedNode(prop), ox.NamedNode(value), self.graph)}

    def read(self, iri: str) -> list[Fact]:
        """The report as a meeting and as a pledge (what ``kg.merge`` collects of each class)."""
        if iri not in self.facts:
            types = self.objects(iri, RDF_TYPE)
            found = []
            if MEETING in types:
                found.append(Fact(iri, True, self.objects(iri, ox.NamedNode(PARTICIPANT))))
            if PLEDGE in types:
                kinds = self.objects(iri, ox.NamedNode(PLEDGE_TYPE))
                found.append(Fact(iri, False, self.objects(iri, ox.NamedNode(PLEDGED_BY)) if kinds & TROOP_TYPES
                                  else set()))
            if found:
                articles = self.objects(iri, DERIVED)
                for fact in found:
                    fact.articles = articles
                self.same[iri] = self.objects(iri, OWL_SAME_AS)
            self.facts[iri] = found
        return self.facts[iri]


def refresh(store: Store, reports: Iterable[str], parties: Iterable[str] = (),
            dates: Iterable[ox.Literal] = ()) -> None:
    """Recount the summary of the entities ``reports`` concern (meeting and pledge IRIs added,
    changed, removed or relinked since the summary was last right) and of ``parties`` and
    ``dates`` (those the removed or changed reports named before)."""
    look = _Reader(store)
    reports = set(reports)
    parties = set(parties)
    keys = set(reports)
    candidates = set(dates)
    for iri in reports:
        for fact in look.read(iri):
            parties |= fact.parties
            keys |= look.same.get(iri, set())
        candidates.update(q.object for q in store.oxigraph.quads_for_pattern(
            ox.NamedNode(iri), DATE, None, look.graph) if isinstance(q.object, ox.Literal))
    _refresh_dates(store, look, candidates)
    facts: list[Fact] = []
    for party in sorted(parties):
        for prop in (PARTICIPANT, PLEDGED_BY):
            for iri in look.subjects(prop, party):
                facts.extend(look.read(iri))
    for key in sorted(keys):
        for iri in {key} | look.subjects(OWL_SAME_AS.value, key):
            facts.extend(look.read(iri))
    unique = {(f.iri, f.meeting): f for f in facts}
    numbers = summarise(unique.values(), look.same)
    wanted = {s: v for s, v in numbers.items() if s in parties or s in keys}
    graph = ox.NamedNode(graph_iri(store))
    old: set[ox.Triple] = set()
    for subject in parties | keys:
        for prop in PROPERTIES:
            old.update(q.triple for q in store.oxigraph.quads_for_pattern(
                ox.NamedNode(subject), ox.NamedNode(prop), None, graph))
    # a party's numbers were read whole (every report naming it), and a key's (every report of its merge)
    def read_whole(t: ox.Triple) -> bool:
        subject = str(t.subject)[1:-1]
        return ((subject in parties and t.predicate.value in PARTY_PROPERTIES)
                or (subject in keys and t.predicate.value in KEY_PROPERTIES))

    new = {t for t in triples(wanted) if read_whole(t)}
    old = {t for t in old if read_whole(t)}
    store.patch_graph(graph.value, old - new, new - old)


def _refresh_dates(store: Store, look: _Reader, candidates: set[ox.Literal]) -> None:
    """Each candidate date is in the index while some meeting or pledge has it."""
    index = ox.NamedNode(graph_iri(store))
    prop = ox.NamedNode(FACT_DATE)
    gone, added = set(), set()
    for date in candidates:
        triple = ox.Triple(index, prop, date)
        held = ox.Quad(index, prop, date, index) in store.oxigraph
        used = any(MEETING in look.objects(q.subject.value, RDF_TYPE)  # type: ignore[union-attr]
                   or PLEDGE in look.objects(q.subject.value, RDF_TYPE)  # type: ignore[union-attr]
                   for q in store.oxigraph.quads_for_pattern(None, DATE, date, look.graph))
        if held and not used:
            gone.add(triple)
        elif used and not held:
            added.add(triple)
    store.patch_graph(index.value, gone, added)


PARTY_PROPERTIES = frozenset((MEETINGS, MEETING_SOURCES, TROOP_PLEDGES, TROOP_SOURCES))
KEY_PROPERTIES = frozenset((CORROBORATING_SOURCES, CORROBORATING_REPORTS))
