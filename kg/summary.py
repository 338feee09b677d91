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
- the index of dates (``kg.summary_dates``): a node per date a meeting or pledge has, with
  ``dip:factDate`` and ``dip:factCount`` (the facts timeline lists under it): a range's few dozen
  dates, then their facts by exact lookup, not every date; a page, only its first dates' facts;
- the index of who met whom (``kg.summary_pairs``): a node per pair of participants, with its reports.

Each number is what the query counted before (``summarise`` is that count, in Python), so
the answers are the same. ``kg.summary_apply`` updates them by the change alone; both give the
numbers ``kg.merge.recompute`` gives from scratch (tests/test_merge_incremental.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg import batched_reads, summary_dates, summary_leaders, summary_pairs
from kg.errors import KgError
from kg.summary_dates import FACT_COUNT, FACT_DATE

if TYPE_CHECKING:
    from kg.merge import Report
    from kg.store import Store

DIP = "https://w3id.org/diplomacy-kg/ontology#"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
OWL_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
PARTICIPANT, PLEDGED_BY, PLEDGE_TYPE = DIP + "participant", DIP + "pledgedBy", DIP + "pledgeType"
#: what ``_Reader.read`` reads of a fact
FACT_PROPERTIES = (RDF_TYPE, DERIVED, OWL_SAME_AS, *map(ox.NamedNode, (PARTICIPANT, PLEDGED_BY, PLEDGE_TYPE)))
MEETING, PLEDGE = DIP + "Meeting", DIP + "Pledge"
TROOP_TYPES = frozenset(f"https://w3id.org/diplomacy-kg/vocab/pledge-type/{t}" for t in ("troops", "peacekeepers"))

MEETINGS, MEETING_SOURCES = DIP + "meetingCount", DIP + "meetingSourceCount"
TROOP_PLEDGES, TROOP_SOURCES = DIP + "troopPledgeCount", DIP + "troopPledgeSourceCount"
CORROBORATING_SOURCES, CORROBORATING_REPORTS = DIP + "corroboratingSourceCount", DIP + "corroboratingReportCount"
PROPERTIES = (MEETINGS, MEETING_SOURCES, TROOP_PLEDGES, TROOP_SOURCES, CORROBORATING_SOURCES, CORROBORATING_REPORTS,
              FACT_DATE, FACT_COUNT, summary_pairs.PAIR_PARTY, summary_pairs.PAIR_REPORT, *summary_leaders.PROPERTIES)

#: ``meta.json`` key: the summary graph is kept (a store without it gets it on the next merge pass)
META_KEY = "summary"
META_VALUE = "4"  # "3": the index of dates has a node per date, with its count; "4": the index of pairs


def graph_iri(store: Store) -> str:
    return f"{store.base_iri}graph/summary"


def node_prefix(base_iri: str) -> str:
    """What the summary's own nodes (its indexes) start with: no page lists them as referring to a resource."""
    return f"{base_iri}graph/summary/"


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


def ntriples(numbers: Numbers, index: str = "", dates: Mapping[str, int] | None = None,
             pairs: Mapping[tuple[str, str], Iterable[str]] | None = None) -> list[str]:
    """The summary as sorted N-Triples lines (what ``kg build`` writes); ``index``: the summary
    graph's IRI, under which ``dates`` (N-Triples literal -> its count) is the index of dates and
    ``pairs`` (``summary_pairs.index_of``) the index of pairs."""
    return sorted([f"{t} ." for t in triples(numbers)] + summary_dates.ntriples(index, dates or {})
                  + summary_pairs.ntriples(index, pairs or {}))


def dates_and_keys(store: Store, facts: Iterable[Fact], same: Mapping[str, Iterable[str]]) -> tuple[
        dict[str, int], dict[str, summary_leaders.Key]]:
    """The index of dates' counts (``summary_dates.counts``) and the label and dates of every merge key of
    a meeting (``summary_leaders.index_of``), from one scan of ``dip:date`` and one of ``rdfs:label`` (apart,
    the two indexes scanned eight predicates: ~36 s of a 100k ingest's merge pass)."""
    oxs, union = store.oxigraph, not store.merged_default
    facts = list(facts)
    iris = {f.iri for f in facts}
    wanted = {k for f in facts if f.meeting for k in (set(same.get(f.iri, ())) or {f.iri})}
    about = iris | wanted
    dates: dict[str, set[tuple[str, bool]]] = defaultdict(set)  # subject -> (date as N-Triples, a literal)
    for subject, value in batched_reads.pairs(oxs, summary_dates.DATE, union):
        if subject.value in about:  # type: ignore[union-attr]
            dates[subject.value].add((str(value), isinstance(value, ox.Literal)))  # type: ignore[union-attr]
    labelled = {s for subject in batched_reads.subjects(oxs, summary_dates.LABEL, None, union)
                if (s := subject.value) in about}  # type: ignore[union-attr]
    counted = {f.iri for f in facts if f.articles} & labelled - {s for s, targets in same.items() if targets}
    dated = {f: [d for d, literal in found if literal] for f, found in dates.items() if f in iris}
    no_dates: frozenset[str] = frozenset()
    keys = {k: summary_leaders.Key(k in labelled, frozenset(d for d, _ in dates[k]) if k in dates else no_dates)
            for k in wanted}
    return summary_dates.counts(dated, counted), keys


def same_as(store: Store) -> dict[str, set[str]]:
    """Every ``owl:sameAs`` of the merged view (the default graph), as the queries read it."""
    out: dict[str, set[str]] = defaultdict(set)
    for subject, target in batched_reads.pairs(store.oxigraph, OWL_SAME_AS, not store.merged_default):
        out[subject.value].add(target.value)  # type: ignore[union-attr]
    return out


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
    from kg.store.pending import PENDING

    return not kept(store) and not (store.path / PENDING).exists() and bool(store.article_keys())


def missing_message(store: Store) -> tuple[str, str]:
    """(what, how to fix) for a query that needs the summary on a store without it."""
    return ("this store was written by an older kg: it has no summary graph yet (the numbers the "
            "global queries read)", f"open it once for writing: `kg ingest` into it, or "
            f"python -c \"import kg; kg.open_store('{store.path}').close()\"; that computes them once")


def require(source: Any, error: type[KgError]) -> None:
    """Raise ``error`` when ``source`` (a kg Store or the facade) holds articles but no summary yet:
    a query would answer no rows, an export or push would carry that elsewhere."""
    from kg.store import Store

    store = source.store if isinstance(getattr(source, "store", None), Store) else source
    if isinstance(store, Store) and missing(store):
        what, fix = missing_message(store)
        raise error(what, where=store.path, fix=fix)


#: words of a query text that reads the summary
NAMES = tuple(p[len(DIP):] for p in PROPERTIES)
