"""The summary's delta: ``apply`` updates ``B graph/summary`` (``kg.summary``) by a merge update's change.

A party's count is the number of merges (and articles) it has a counted report in, so only the
merges and articles of the reports a merge update touched can move it, each by one: their members
before (noted by ``kg.store.pending.note_facts``, and the links ``kg.merge.relink`` changed) and
after are a few reports, whatever the party's size. ``recount_parties`` recounts a party whole
(the fallback when its stored numbers do not fit the change).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg import summary_dates, summary_leaders, summary_pairs
from kg.summary import (
    CORROBORATING_REPORTS,
    CORROBORATING_SOURCES,
    DERIVED,
    FACT_PROPERTIES,
    MEETING,
    MEETING_SOURCES,
    MEETINGS,
    OWL_SAME_AS,
    PARTICIPANT,
    PLEDGE,
    PLEDGE_TYPE,
    PLEDGED_BY,
    RDF_TYPE,
    TROOP_PLEDGES,
    TROOP_SOURCES,
    TROOP_TYPES,
    Fact,
    graph_iri,
    summarise,
    triples,
)
from kg.summary_reads import Cached

if TYPE_CHECKING:
    from kg.store import Store
    from kg.store.pending import Before


# ---- incremental: the entities of the reports a merge update touched ------------------------------

class _Reader(Cached):
    """Facts and sameAs targets read from the store, once per IRI (``prefetch``: many at a time)."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.facts: dict[str, list[Fact]] = {}
        self.same: dict[str, set[str]] = {}

    def prefetch_facts(self, iris: Iterable[str]) -> None:
        """What ``read`` reads of each IRI; the rest only of meetings and pledges (a leader is derived from
        thousands of articles)."""
        iris = set(iris)
        self.prefetch(iris, (RDF_TYPE,))
        self.prefetch((i for i in iris if self.objects(i, RDF_TYPE) & {MEETING, PLEDGE}),
                      {*FACT_PROPERTIES, *summary_dates.HELD})

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


def recount_parties(store: Store, parties: Iterable[str]) -> None:
    """Recount ``parties`` whole, from every report naming them (``apply``'s fallback: O(party))."""
    look = _Reader(store)
    parties = set(parties)
    facts = {(f.iri, f.meeting): f for party in sorted(parties) for prop in (PARTICIPANT, PLEDGED_BY)
             for iri in look.subjects(prop, party) for f in look.read(iri)}
    numbers = summarise(facts.values(), look.same)
    graph = ox.NamedNode(graph_iri(store))
    patch: tuple[set[ox.Triple], set[ox.Triple]] = (set(), set())
    for party in sorted(parties):
        values = {p: n for p, n in numbers.get(party, {}).items() if p in PARTY_PROPERTIES}
        _put(store, graph, patch, party, values, PARTY_PROPERTIES)
    store.patch_graph(graph.value, *patch)


PARTY_PROPERTIES = frozenset((MEETINGS, MEETING_SOURCES, TROOP_PLEDGES, TROOP_SOURCES))
KEY_PROPERTIES = frozenset((CORROBORATING_SOURCES, CORROBORATING_REPORTS))
_PAIRED = ((MEETINGS, MEETING_SOURCES), (TROOP_PLEDGES, TROOP_SOURCES))  # a count is 0 exactly when its sources are


# ---- delta: the merges and articles of the reports a merge update touched -----------------------

Links = set[tuple[str, str]]  # (report, canonical) sameAs links
Counted = tuple[set[str], set[str]]  # (meeting parties, troop pledgers): what ``_counted`` gives


def _facts_then(iri: str, held: Mapping[str, frozenset[str]]) -> list[Fact]:
    """The facts ``_Reader.read`` would have read from what ``note_facts`` kept of ``iri``."""
    types, articles = held[RDF_TYPE.value], set(held[DERIVED.value])
    found = []
    if MEETING in types:
        found.append(Fact(iri, True, set(held[PARTICIPANT]), articles))
    if PLEDGE in types:
        found.append(Fact(iri, False, set(held[PLEDGED_BY]) if held[PLEDGE_TYPE] & TROOP_TYPES else set(), articles))
    return found


def _counted(facts: Iterable[Fact], where: Iterable[str] = ()) -> Counted:
    """(meeting parties, troop pledgers) the facts count for (with an article; in ``where`` if given)."""
    wanted = set(where)
    meet: set[str] = set()
    troop: set[str] = set()
    for f in facts:
        if f.articles and (not wanted or f.articles & wanted):
            (meet if f.meeting else troop).update(f.parties)
    return meet, troop


def _sources(facts: Iterable[Fact]) -> set[str]:
    """The articles of the meeting facts (what a merge's corroboration counts)."""
    return {a for f in facts if f.meeting for a in f.articles}


def apply(store: Store, noted: Before, gone: Links, added: Links, dates: Iterable[ox.Literal] = ()) -> None:
    """Update the summary by a merge update's change: ``noted``, what each written fact held before
    (``kg.store.pending.before``); ``gone`` and ``added``, the links the relink changed.

    Before = now, but for the noted facts (as kept) and the links (``gone`` back, ``added`` out).
    Each party's count moves by the merges (keys) and articles it entered or left among those the
    touched facts were or are in (``_merges``: a merge's unchanged members are read only when needed)."""
    look = _Reader(store)
    gone_of: dict[str, set[str]] = defaultdict(set)
    added_of: dict[str, set[str]] = defaultdict(set)
    gone_to: dict[str, set[str]] = defaultdict(set)
    added_to: dict[str, set[str]] = defaultdict(set)
    for links, of, to in ((gone, gone_of, gone_to), (added, added_of, added_to)):
        for a, b in links:
            of[a].add(b)
            to[b].add(a)

    def same(iri: str, then: bool) -> set[str]:
        now = look.objects(iri, OWL_SAME_AS)
        return (now - added_of[iri]) | gone_of[iri] if then else now

    def members(key: str, then: bool) -> set[str]:
        linked = look.subjects(OWL_SAME_AS.value, key)
        linked = (linked - added_to[key]) | gone_to[key] if then else linked
        return linked | ({key} if not same(key, then) else set())

    def facts(iri: str, then: bool) -> list[Fact]:
        return _facts_then(iri, noted[iri]) if then and iri in noted else look.read(iri)

    ends = {iri for link in gone | added for iri in link}  # a link end: its merge changed
    touched = set(ends)
    articles: set[str] = set()
    look.prefetch_facts(noted.keys() | ends)  # a few thousand facts: read in batches, not one lookup each
    for iri in noted:
        old, new = facts(iri, True), look.read(iri)
        old_articles, new_articles = set(noted[iri][DERIVED.value]), look.objects(iri, DERIVED)
        same_parties = _counted(old) == _counted(new)
        if not same_parties or _sources(old) != _sources(new):
            touched.add(iri)  # its merge's members or corroboration may change
        # counted for the same parties (one more article reports it): only its new or lost articles change
        articles |= old_articles ^ new_articles if same_parties else old_articles | new_articles
    keys = {k for iri in touched for then in (True, False) for k in (same(iri, then) or {iri})}
    look.prefetch_subjects(OWL_SAME_AS, keys)  # each merge's members (their facts only when needed)
    look.prefetch_facts(keys)
    delta: dict[tuple[str, str], int] = defaultdict(int)
    held: dict[tuple[str, str], int] = defaultdict(int)  # (party, property): its entries before, at least

    def count(props: tuple[str, str], then: Counted, now: Counted) -> None:
        for prop, was, got in zip(props, then, now, strict=True):
            for party in was | got:
                delta[party, prop] += (party in got) - (party in was)
                held[party, prop] += party in was

    patch: tuple[set[ox.Triple], set[ox.Triple]] = (set(), set())
    _merges(store, look, patch, sorted(keys), noted.keys() | ends | keys, members, facts, count)
    noted_from: dict[str, set[str]] = defaultdict(set)  # article -> the noted facts it was a source of
    for iri, kept in noted.items():
        for article in kept[DERIVED.value]:
            noted_from[article].add(iri)
    look.prefetch_subjects(DERIVED, articles)  # each article's facts, then what they state
    look.prefetch_facts({iri for article in articles for iri in look.subjects(DERIVED.value, article)})
    for article in sorted(articles):
        derived = look.subjects(DERIVED.value, article)
        was = [f for iri in (derived - noted.keys()) | noted_from[article] for f in facts(iri, True)]
        now = [f for iri in derived for f in look.read(iri)]
        count((MEETING_SOURCES, TROOP_SOURCES), _counted(was, [article]), _counted(now, [article]))
    graph = ox.NamedNode(graph_iri(store))
    whole = _apply_counts(store, graph, patch, delta, held)
    summary_dates.refresh(store, look, graph.value, noted, lambda iri: not same(iri, True), ends, dates, patch)
    summary_pairs.refresh(store.oxigraph, graph.value, noted, facts, patch)
    summary_leaders.refresh(store, look, graph.value, noted, ends, same, patch)
    store.patch_graph(graph.value, *patch)  # one write for the whole change
    if whole:  # stored numbers that do not fit the change: recount those parties whole
        recount_parties(store, whole)


def _merges(store: Store, look: _Reader, patch: tuple[set[ox.Triple], set[ox.Triple]], keys: Iterable[str],
            changed: set[str], members: Callable[[str, bool], set[str]], facts: Callable[[str, bool], list[Fact]],
            count: Callable[[tuple[str, str], Counted, Counted], None]) -> None:
    """Count each merge key's parties then and now (``count``) and put its corroboration in ``patch``.

    ``changed``: the members whose facts or membership may differ (read then and now). A meeting's
    merge is recounted from all its members. Another (a recurring pledge: hundreds of members) had
    fewer than 2 sources before (nothing stored) and has no changed member with one now, so it has
    fewer than 2 after; its parties are those of its changed members, then and now, where one named
    both times or by an unchanged member (a merge's members all name the same) stays."""
    graph = ox.NamedNode(graph_iri(store))
    recounted: list[tuple[str, set[str], set[str]]] = []  # (key, its members before, now)
    partial: list[tuple[Counted, Counted, list[str]]] = []
    for key in keys:
        was_in, now_in = members(key, True), members(key, False)
        now_facts = [f for iri in now_in & changed for f in look.read(iri)]
        if _sources(now_facts) or any(_stored(store, graph, key, KEY_PROPERTIES).values()):
            recounted.append((key, was_in, now_in))
        else:
            partial.append((_counted(f for iri in was_in & changed for f in facts(iri, True)), _counted(now_facts),
                            sorted((was_in & now_in) - changed)))
    look.prefetch_facts({m for _, was_in, now_in in recounted for m in was_in | now_in} |
                        {rest[0] for before, after, rest in partial if rest and before != after})
    for before, after, rest in partial:
        for meeting, was, got in zip((True, False), before, after, strict=True):
            for party in was ^ got:
                if summary_leaders.named_by(look, rest, party, meeting):
                    was.add(party)
                    got.add(party)
        count((MEETINGS, TROOP_PLEDGES), before, after)
    for key, was_in, now_in in recounted:
        now_facts = [f for iri in now_in for f in look.read(iri)]
        count((MEETINGS, TROOP_PLEDGES), _counted(f for iri in was_in for f in facts(iri, True)), _counted(now_facts))
        sources = _sources(now_facts)
        reports = {f.iri for f in now_facts if f.meeting and f.articles}
        _put(store, graph, patch, key, {CORROBORATING_SOURCES: len(sources), CORROBORATING_REPORTS: len(reports)}
             if len(sources) >= 2 else {}, KEY_PROPERTIES)


def _stored(store: Store, graph: ox.NamedNode, subject: str, props: Iterable[str]) -> dict[str, list[ox.Quad]]:
    return {p: list(store.oxigraph.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(p), None, graph))
            for p in props}


def _put(store: Store, graph: ox.NamedNode, patch: tuple[set[ox.Triple], set[ox.Triple]], subject: str,
         values: Mapping[str, int], props: Iterable[str]) -> None:
    """Make ``subject``'s ``props`` in the summary graph exactly ``values`` (absent: no triple), in ``patch``."""
    old = {q.triple for quads in _stored(store, graph, subject, props).values() for q in quads}
    new = triples({subject: dict(values)}) if values else set()
    patch[0].update(old - new)
    patch[1].update(new - old)


def _apply_counts(store: Store, graph: ox.NamedNode, patch: tuple[set[ox.Triple], set[ox.Triple]],
                  delta: Mapping[tuple[str, str], int], held: Mapping[tuple[str, str], int]) -> set[str]:
    """Add ``delta`` to each party's stored numbers; the parties whose stored numbers cannot be right
    (fewer entries than it had before, not one integer, a count below 0, a count without its sources or
    the reverse, before or after) are returned, to be recounted whole."""
    whole: set[str] = set()
    for party in sorted({p for p, _ in delta}):
        old: dict[str, int] = {}
        for prop, quads in _stored(store, graph, party, PARTY_PROPERTIES).items():
            try:
                old[prop] = int(str(quads[0].object.value)) if len(quads) == 1 else -len(quads)  # type: ignore[union-attr]
            except ValueError:
                old[prop] = -1
        new = {prop: n + delta.get((party, prop), 0) for prop, n in old.items()}
        if (any(n < held.get((party, prop), 0) for prop, n in old.items()) or min(new.values()) < 0
                or any((n[a] > 0) != (n[b] > 0) for n in (old, new) for a, b in _PAIRED)):
            whole.add(party)
        else:
            _put(store, graph, patch, party, {prop: n for prop, n in new.items() if n}, PARTY_PROPERTIES)
    return whole
