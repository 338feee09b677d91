"""The summary graph's index of dates (part of ``kg.summary``): what ``timeline`` reads first.

One node per date some meeting or pledge has (the exact literal):
``<B graph/summary/date/2025-03-02> dip:factDate "2025-03-02"^^xsd:date ; dip:factCount 3``.
A range of dates is a few dozen nodes, so timeline finds a range's facts by exact lookup, not by
filtering every date of the store. ``dip:factCount`` is how many facts timeline certainly lists
under the date: meetings and pledges with it, not merged into another (no ``owl:sameAs``), with a
label and an article of their own. A page of ``limit`` rows then reads the facts of only the first
dates whose earlier dates count fewer than ``limit`` (a lower bound is enough: a fact listed but not
counted, its article only through a merge, makes the page read one more date, never miss a row).

``refresh`` moves each count by the change alone (the facts a write noted, as they were and are,
and the ends of the links the relink changed, whose canonical status flipped); a date that appears,
or whose stored count cannot be right, is recounted from its facts (a few hundred at 100k articles).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.store import Store

DIP = "https://w3id.org/diplomacy-kg/ontology#"
FACT_DATE, FACT_COUNT = DIP + "factDate", DIP + "factCount"
MEETING, PLEDGE = DIP + "Meeting", DIP + "Pledge"
DATE = ox.NamedNode(DIP + "date")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
OWL_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
XSD = "http://www.w3.org/2001/XMLSchema#"
_PLAIN = re.compile(rf'"(\d{{4}}(?:-\d\d){{0,2}})"\^\^<{XSD}(?:date|gYearMonth|gYear)>')

Patch = tuple[set[ox.Triple], set[ox.Triple]]  # (triples to remove, triples to add)


#: what ``_held`` reads of a fact
HELD = (RDF_TYPE, LABEL, DERIVED, DATE, OWL_SAME_AS)


class Reader(Protocol):
    graph: ox.DefaultGraph | None

    def objects(self, iri: str, prop: ox.NamedNode) -> set[str]: ...

    def terms(self, iri: str, prop: ox.NamedNode) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]: ...

    def prefetch(self, iris: Iterable[str], props: Iterable[ox.NamedNode]) -> None: ...


def node(index: str, date: str) -> str:
    """The index node of ``date`` (an N-Triples literal): ``index/date/2025-03-02`` for an xsd date,
    a hash of the literal for anything else (two literals with one lexical form are two dates)."""
    plain = _PLAIN.fullmatch(date)
    if plain:
        return f"{index}/date/{plain.group(1)}"
    return f"{index}/date/t-{hashlib.blake2b(date.encode('utf-8', 'surrogatepass'), digest_size=8).hexdigest()}"


def ntriples(index: str, counts: Mapping[str, int]) -> list[str]:
    """The index as N-Triples lines: ``counts`` maps each date (N-Triples literal) to its count."""
    return [line for date, n in counts.items() for line in (
        f"<{node(index, date)}> <{FACT_DATE}> {date} .",
        f'<{node(index, date)}> <{FACT_COUNT}> "{n}"^^<{XSD}integer> .')]


def counts_for(classes: Iterable[str], labelled: bool, articles: Iterable[str], canonical: bool) -> bool:
    """Whether a fact with these is counted under each of its dates (timeline certainly lists it)."""
    return canonical and labelled and bool(set(articles)) and bool({MEETING, PLEDGE} & set(classes))


def counts(dated: Mapping[str, Iterable[str]], counted: set[str]) -> dict[str, int]:
    """Every date (as N-Triples) of the meetings and pledges in ``dated`` (each fact's date literals) with its
    count: the facts among ``counted`` (labelled, with an article, not merged into another) that have it."""
    found: dict[str, set[str]] = defaultdict(set)
    for fact, dates in dated.items():
        for date in dates:
            seen = found[date]
            if fact in counted:
                seen.add(fact)
    return {date: len(seen) for date, seen in found.items()}


def _literal(date: str) -> ox.Literal:
    """An N-Triples literal (as ``str(ox.Literal)`` writes it) back as a term."""
    quad = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {date} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    assert isinstance(quad.object, ox.Literal)
    return quad.object


def _recount(store: Store, look: Reader, date: ox.Literal) -> int:
    """The count of ``date`` from its facts."""
    facts = {q.subject.value for q in store.oxigraph.quads_for_pattern(None, DATE, date, look.graph)}  # type: ignore[union-attr]
    look.prefetch(facts, HELD)
    total = 0
    for iri in facts:
        classes, labelled, articles, _, canonical = _held(look, iri)
        total += counts_for(classes, labelled, articles, canonical)
    return total


def _held(look: Reader, iri: str) -> tuple[set[str], bool, set[str], list[ox.Literal], bool]:
    """(classes, labelled, articles, dates, canonical) of a fact now, through the reader's cache (the facts
    of a merge update are read in batches: one read of each fact's statements cost ~0.9 s at 1,000 articles)."""
    dates = [t for t in look.terms(iri, DATE) if isinstance(t, ox.Literal)]
    return (look.objects(iri, RDF_TYPE), bool(look.objects(iri, LABEL)), look.objects(iri, DERIVED), dates,
            not look.objects(iri, OWL_SAME_AS))


def _used(store: Store, look: Reader, date: ox.Literal) -> bool:
    """Whether some meeting or pledge has ``date`` (the index states it)."""
    return any({MEETING, PLEDGE} & look.objects(q.subject.value, RDF_TYPE)  # type: ignore[union-attr]
               for q in store.oxigraph.quads_for_pattern(None, DATE, date, look.graph))


def refresh(store: Store, look: Reader, index: str, then: Mapping[str, Mapping[str, frozenset[str]]],
            canonical_then: Callable[[str], bool], flipped: Iterable[str], candidates: Iterable[ox.Literal],
            patch: Patch) -> None:
    """Bring the index in line with a merge update's change, into ``patch``.

    ``then``: what each written fact held before (``kg.store.pending.before``: its classes, label,
    articles and dates); ``canonical_then``: whether a fact had no sameAs before the relink;
    ``flipped``: the ends of the links it changed (their statements are as they were);
    ``candidates``: dates the written facts had before their writes (they may leave the index)."""
    delta: dict[str, int] = defaultdict(int)
    terms: dict[str, ox.Literal] = {str(d): d for d in candidates}
    oxs = store.oxigraph
    for iri in set(then) | set(flipped):
        classes, labelled, articles, now_dates, canonical = _held(look, iri)
        if iri not in then and canonical == canonical_then(iri):
            continue  # a link end still merged (or still not): it counts as it did
        terms.update((str(d), d) for d in now_dates)
        now = counts_for(classes, labelled, articles, canonical)
        if iri in then:
            held = then[iri]
            was = counts_for(held[RDF_TYPE.value], bool(held[LABEL.value]), held[DERIVED.value], canonical_then(iri))
            was_dates: Iterable[str] = held[DATE.value]
        else:
            was, was_dates = counts_for(classes, labelled, articles, canonical_then(iri)), [str(d) for d in now_dates]
        for date in was_dates if was else ():
            delta[date] -= 1
        for term in now_dates if now else ():
            delta[str(term)] += 1
    graph = ox.NamedNode(index)
    for date in sorted(terms.keys() | {d for d, n in delta.items() if n}):
        lit = terms[date] if date in terms else _literal(date)
        subject = ox.NamedNode(node(index, date))
        old = {q.triple for q in oxs.quads_for_pattern(subject, None, None, graph)}
        new: set[ox.Triple] = set()
        if _used(store, look, lit):
            stored = [t.object for t in old if t.predicate.value == FACT_COUNT]
            held_date = ox.Triple(subject, ox.NamedNode(FACT_DATE), lit) in old
            count = _stored_count(stored) if held_date else None
            count = count + delta[date] if count is not None else None
            if count is None or count < 0:  # a new date, or a stored count that cannot be right
                count = _recount(store, look, lit)
            number = ox.Literal(str(count), datatype=ox.NamedNode(XSD + "integer"))
            new = {ox.Triple(subject, ox.NamedNode(FACT_DATE), lit),
                   ox.Triple(subject, ox.NamedNode(FACT_COUNT), number)}
        patch[0].update(old - new)
        patch[1].update(new - old)


def _stored_count(stored: Sequence[object]) -> int | None:
    """The one stored integer count (None: missing, several or not an integer)."""
    if len(stored) != 1 or not isinstance(stored[0], ox.Literal) or stored[0].datatype.value != XSD + "integer":
        return None
    try:
        return int(stored[0].value)
    except ValueError:
        return None
