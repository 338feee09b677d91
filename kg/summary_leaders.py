"""The summary graph's index of each participant's meetings by date (part of ``kg.summary``): what a
page of ``meetings-of-leader`` reads.

The page is the first meetings of the leader's whole answer in date order (undated first). Finding
them from the leader's reports costs three lookups per meeting before the cut (its ``owl:sameAs``,
label and date: Macron's 1,865 meetings at 100k articles, ~0.1 s). With this index the page reads
the leader's dates (literals, sorted without a lookup), keeps the first ``limit`` of them, and
reads only their meetings:

- an anchor per participant, ``<B graph/summary/meetings/{hash}> dip:meetingsOf <party>``, stating
  ``dip:meetingsOn`` each date (the exact literal) some of its listed meetings have, and
  ``dip:hasUndatedMeetings true`` when some have none;
- a node per anchor and lexical form of a date, ``<{anchor}/d/{ENCODE_FOR_URI(STR(date))}>``, or
  ``<{anchor}/undated>``, with ``dip:listsMeeting`` each meeting of that date. The query builds the
  node's IRI from the anchor and the date, so it reads no node it does not need; a node holds the
  meetings of every literal with that lexical form, and the query checks each meeting's date.

A meeting is listed for a party exactly when ``meetings-of-leader`` lists it for the party: the merge
key (each ``owl:sameAs`` target of a meeting report, else the report) of a ``dip:Meeting`` report
with an article that names the party as ``dip:participant``, and the key has a label. So each date
of an anchor holds at least one row of the whole answer, and the first ``limit`` dates hold the page.

``index_of`` counts it from scratch (the merge pass, ``kg build``); ``refresh`` brings the keys a
merge update touched in line with the store (tests/test_merge_incremental.py: delta = scratch).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple, Protocol
from urllib.parse import quote, unquote

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.store import Store

DIP = "https://w3id.org/diplomacy-kg/ontology#"
MEETINGS_OF, MEETINGS_ON, LISTS_MEETING = DIP + "meetingsOf", DIP + "meetingsOn", DIP + "listsMeeting"
HAS_UNDATED = DIP + "hasUndatedMeetings"
PROPERTIES = (MEETINGS_OF, MEETINGS_ON, HAS_UNDATED, LISTS_MEETING)
_OF, _ON, _UNDATED, _LISTS = map(ox.NamedNode, (MEETINGS_OF, MEETINGS_ON, HAS_UNDATED, LISTS_MEETING))
_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
DATE = ox.NamedNode(DIP + "date")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
OWL_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
#: an absolute IRI as the store holds it (a blank node's value is not one: it cannot be named elsewhere)
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")

Date = str | None  # a date as an N-Triples term (what ``str`` of the pyoxigraph term gives); None: undated
Entries = dict[str, dict[Date, set[str]]]  # party -> date -> the meetings listed for it
Patch = tuple[set[ox.Triple], set[ox.Triple]]  # (triples to remove, triples to add)


class Key(NamedTuple):
    """What the index needs of a merge key: whether it has a label, and its dates (N-Triples)."""

    labelled: bool
    dates: frozenset[str]


class Fact(Protocol):
    """What the index needs of a ``kg.summary.Fact``."""

    iri: str
    meeting: bool
    parties: set[str]
    articles: set[str]


def anchor(index: str, party: str) -> str:
    """The anchor of ``party``'s meetings (``index``: the summary graph's IRI)."""
    return f"{index}/meetings/{hashlib.blake2b(party.encode('utf-8', 'surrogatepass'), digest_size=8).hexdigest()}"


def lexical(date: str) -> str:
    """STR() of a date given as an N-Triples term (a literal's lexical form, an IRI's text)."""
    return _parse(date).value


def node(anchor_iri: str, date: Date) -> str:
    """The node listing the meetings of ``date`` (every literal with its lexical form): what the query
    builds, ``CONCAT(STR(?anchor), "/d/", ENCODE_FOR_URI(STR(?date)))`` (unreserved characters kept)."""
    return f"{anchor_iri}/undated" if date is None else f"{anchor_iri}/d/{quote(lexical(date), safe='')}"


def _dated(anchor_iri: str, date: Date) -> ox.Triple:
    """What the anchor states for a date: ``dip:meetingsOn`` it, or ``dip:hasUndatedMeetings true``."""
    return ox.Triple(ox.NamedNode(anchor_iri), _UNDATED, _TRUE) if date is None else ox.Triple(
        ox.NamedNode(anchor_iri), _ON, _parse(date))


def index_of(facts: Iterable[Fact], same: Mapping[str, Iterable[str]], keys: Mapping[str, Key]) -> Entries:
    """The whole index: ``facts`` (every meeting and pledge report), ``same`` (a report's ``owl:sameAs``
    targets) and ``keys`` (label and dates of each merge key)."""
    out: Entries = defaultdict(lambda: defaultdict(set))
    for fact in facts:
        if not (fact.meeting and fact.articles):
            continue
        for key in set(same.get(fact.iri, ())) or {fact.iri}:
            found = keys.get(key)
            if found is None or not found.labelled or not _IRI.fullmatch(key):
                continue
            for party in fact.parties:
                if _IRI.fullmatch(party):
                    for date in found.dates or (None,):
                        out[party][date].add(key)
    return out


def ntriples(index: str, entries: Mapping[str, Mapping[Date, Iterable[str]]]) -> list[str]:
    """The index as N-Triples lines."""
    lines = []
    for party, dates in entries.items():
        a = anchor(index, party)
        lines.append(f"<{a}> <{MEETINGS_OF}> <{party}> .")
        for date, keys in dates.items():
            lines.append(f"{_dated(a, date)} .")
            lines += [f"<{node(a, date)}> <{LISTS_MEETING}> <{key}> ." for key in keys]
    return lines


class Reader(Protocol):
    """What ``refresh`` reads through ``kg.summary``'s cached reader."""

    graph: ox.DefaultGraph | None

    def objects(self, iri: str, prop: ox.NamedNode) -> set[str]: ...

    def subjects(self, prop: str, value: str) -> set[str]: ...

    def read(self, iri: str) -> Sequence[Fact]: ...


def refresh(store: Store, look: Reader, index: str, then: Mapping[str, Mapping[str, frozenset[str]]],
            ends: Iterable[str], same: Callable[[str, bool], set[str]], patch: Patch) -> None:
    """Bring the index in line with a merge update's change, into ``patch``: the entries of every merge
    key the written facts (``then``: what each held before, its dates as N-Triples) and the ends of the
    changed links were or are in (``same(iri, then)``: its ``owl:sameAs`` targets before, or now).

    A key's entries now are counted from its members as they are; those stored are the nodes listing
    it. An anchor states a date while a meeting it lists has that date (checked for each node that
    lost or gained a meeting), and ``dip:meetingsOf`` while it states a date."""
    oxs, graph = store.oxigraph, ox.NamedNode(index)

    def held(t: ox.Triple) -> bool:
        return ox.Quad(t.subject, t.predicate, t.object, graph) in oxs

    def dates(key: str) -> set[str]:
        return {str(q.object) for q in oxs.quads_for_pattern(ox.NamedNode(key), DATE, None, look.graph)}

    gone: dict[str, set[str]] = defaultdict(set)  # node -> the meetings it no longer lists
    got: dict[str, set[str]] = defaultdict(set)
    dates_now: dict[str, set[str]] = {}
    touched: set[tuple[str, Date]] = set()  # (anchor, date) a key was or is listed under: it may have come or gone
    party_of: dict[str, str] = {}  # anchor -> its participant (those of the keys' entries now)
    ends = set(ends)
    keys = {k for iri in {*then, *ends} for was in (True, False) for k in (same(iri, was) or {iri})}
    changed = then.keys() | ends | keys
    for key in sorted(k for k in keys if _IRI.fullmatch(k)):
        dates_now[key] = now = dates(key)
        listed = {q.subject.value for q in oxs.quads_for_pattern(None, _LISTS, ox.NamedNode(key), graph)}  # type: ignore[union-attr]
        labelled_then = bool(then[key][LABEL.value]) if key in then else bool(look.objects(key, LABEL))
        parties = _parties(look, key, changed, _listed_for(oxs, graph, listed) if labelled_then else None) \
            if look.objects(key, LABEL) else set()
        days: list[Date] = [*sorted(now)] or [None]
        want = {node(anchor(index, p), d) for p in parties for d in days}
        for n in listed - want:
            gone[n].add(key)
        for n in want - listed:
            got[n].add(key)
        party_of.update((anchor(index, p), p) for p in parties)
        was = set(then[key][DATE.value]) if key in then else now
        ever: list[Date] = [*(was | now), *([None] if not (was and now) else [])]
        anchors = {_split(n)[0] for n in listed} | {anchor(index, p) for p in parties}
        touched.update((a, d) for a in anchors for d in ever)
    for n in gone.keys() | got.keys():
        patch[0].update(ox.Triple(ox.NamedNode(n), _LISTS, ox.NamedNode(k)) for k in gone[n])
        patch[1].update(ox.Triple(ox.NamedNode(n), _LISTS, ox.NamedNode(k)) for k in got[n])

    def lists(n: str) -> Iterable[str]:  # the node's meetings once patched
        yield from (q.object.value for q in oxs.quads_for_pattern(ox.NamedNode(n), _LISTS, None, graph)  # type: ignore[union-attr]
                    if q.object.value not in gone[n])  # type: ignore[union-attr]
        yield from got[n]

    def has(key: str, date: str) -> bool:
        return date in (dates_now[key] if key in dates_now else dates(key))

    for a, d in sorted(touched, key=lambda t: (t[0], t[1] or "")):
        on = _dated(a, d)
        holds = any(d is None or has(k, d) for k in lists(node(a, d)))
        if holds != held(on):
            (patch[1] if holds else patch[0]).add(on)
    for a in sorted({a for a, _ in touched}):
        subject = ox.NamedNode(a)
        states = (any(q.triple not in patch[0] for p in (_ON, _UNDATED) for q in oxs.quads_for_pattern(
            subject, p, None, graph)) or any(t.subject == subject and t.predicate in (_ON, _UNDATED) for t in patch[1]))
        of = {q.triple for q in oxs.quads_for_pattern(subject, _OF, None, graph)}
        if not states:
            patch[0].update(of)
        elif not of and a in party_of:  # an anchor that comes with a date listed for its participant now
            patch[1].add(ox.Triple(subject, _OF, ox.NamedNode(party_of[a])))


def _parties(look: Reader, key: str, changed: set[str], was: set[str] | None) -> set[str]:
    """The participants a merge key is listed for now. ``was``: those it was listed for, if it had a label
    then, so they include every party its unchanged members name: of its members (hundreds, for a
    recurring pledge) only the changed are read, and the others until one names a party it was listed for."""
    members = look.subjects(OWL_SAME_AS.value, key) | (set() if look.objects(key, OWL_SAME_AS) else {key})

    def named(iris: Iterable[str]) -> set[str]:
        return {p for m in iris for f in look.read(m) if f.meeting and f.articles for p in f.parties
                if _IRI.fullmatch(p)}

    if was is None:
        return named(members)
    found = named(members & changed)
    rest = sorted(members - changed)
    return found | {p for p in was - found if named_by(look, rest, p, True)}


def named_by(look: Reader, members: Iterable[str], party: str, meeting: bool) -> bool:
    """Whether one of ``members`` (read one at a time, until one does) counts ``party``: as the participant
    of a meeting (``meeting``) or the pledger of a troop pledge, with an article."""
    return any(f.meeting == meeting and f.articles and party in f.parties for m in members for f in look.read(m))


def _listed_for(oxs: ox.Store, graph: ox.NamedNode, nodes: Iterable[str]) -> set[str]:
    """The participants of the anchors of ``nodes``."""
    return {q.object.value for a in {_split(n)[0] for n in nodes}  # type: ignore[union-attr]
            for q in oxs.quads_for_pattern(ox.NamedNode(a), _OF, None, graph)}


def _split(n: str) -> tuple[str, str | None]:
    """(anchor, lexical form of the date, None for the undated node) of a node's IRI."""
    if n.endswith("/undated"):
        return n[: -len("/undated")], None
    a, _, suffix = n.rpartition("/d/")
    return a, unquote(suffix)


@lru_cache(maxsize=4096)
def _parse(term: str) -> ox.NamedNode | ox.Literal:
    """An N-Triples term (an IRI or a literal) back as a pyoxigraph term."""
    quad = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {term} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    return quad.object
