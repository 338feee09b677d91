"""The facts a write touched since the last merge pass, and whether one is owed.

Every write of the store notes the meeting and pledge IRIs it adds, changes or removes
(``note_facts``), with what each held before (``before``), so ``kg.merge.update`` relinks only
the signatures they touch and moves the summary by the change. ``merge.pending`` in the store
folder says a merge pass is owed; left by a process that died, it makes the next one a full one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import pyoxigraph as ox

from kg.store.counters import _DEFAULT, DIP, FACT_CLASSES, RDF_TYPE

if TYPE_CHECKING:
    from kg.store.core import Store

PENDING = "merge.pending"
_FACT_SUFFIXES = tuple(f"> <{RDF_TYPE.value}> <{cls}> ." for cls in FACT_CLASSES)


def facts_in_ntriples(ntriples: str) -> set[str]:
    """Meeting and pledge IRIs an article's N-Triples type (as ``kg.ingest.ntriples`` writes them)."""
    found = set()
    for suffix in _FACT_SUFFIXES:
        at = ntriples.find(suffix)
        while at >= 0:
            start = ntriples.rfind("\n", 0, at) + 1
            if ntriples.startswith("<", start):
                found.add(ntriples[start + 1:at])
            at = ntriples.find(suffix, at + len(suffix))
    return found


def facts_in_graph(store: Store, graph: str) -> set[str]:
    """Meeting and pledge IRIs a stored named graph types."""
    name = ox.NamedNode(graph)
    return {q.subject.value for cls in FACT_CLASSES  # type: ignore[union-attr]
            for q in store.oxigraph.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(cls), name)}


def _mark(store: Store) -> None:
    """Write the pending marker as this store object's; a marker of another (dead) one means a full merge."""
    token = f"{os.getpid()}-{id(store)}"
    path = store.path / PENDING
    try:
        old: str | None = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        old = None
    if old is not None and old != token:
        store.merge_stale = True
    if old != token:
        path.write_text(token, encoding="ascii")


#: what a fact names that the summary counts it for (``kg.summary``)
_PARTY_PROPS = (ox.NamedNode(DIP + "participant"), ox.NamedNode(DIP + "pledgedBy"))
_DATE = ox.NamedNode(DIP + "date")
#: what ``kg.summary`` reads of a fact: its classes, parties, pledge type and articles; its label and
#: dates (``kg.summary_dates``: the facts a date counts)
BEFORE_PROPS = (RDF_TYPE, *_PARTY_PROPS, ox.NamedNode(DIP + "pledgeType"),
                ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"),
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), _DATE)
#: fact IRI -> property -> values (IRIs; literals as N-Triples), as the summary last counted it
Before = dict[str, dict[str, frozenset[str]]]
_BEFORE: WeakKeyDictionary[Store, Before] = WeakKeyDictionary()


def before(store: Store) -> Before:
    """What each fact noted since the last merge update held before its first write (``note_facts``):
    the summary's delta (``kg.summary_apply.apply``) compares it with what the fact holds now."""
    return _BEFORE.setdefault(store, {})


def take_before(store: Store) -> Before:
    return _BEFORE.pop(store, {})


def note_facts(store: Store, facts: Iterable[str], absent: Iterable[str] = ()) -> None:
    """Facts a write adds, changes or removes (call it before the write): the next ``kg.merge.update``
    relinks their signatures and updates the summary by what they held before (``before``) and hold after.

    ``absent``: IRIs the default graph holds nothing about (known from the caller's lookups): no lookup.
    """
    _mark(store)
    facts = set(facts)
    store.pending_facts.update(facts)
    graph = _DEFAULT if store.merged_default else None
    oxs = store.oxigraph
    unknown = set(absent) if store.merged_default else set()
    store.pending_dates.update(q.object for iri in facts - unknown
                               for q in oxs.quads_for_pattern(ox.NamedNode(iri), _DATE, None, graph)
                               if isinstance(q.object, ox.Literal))
    held = before(store)
    for iri in facts - held.keys():  # the first write since the last merge update: what the summary counted
        node = ox.NamedNode(iri)
        found: dict[str, frozenset[str]] = dict.fromkeys((p.value for p in BEFORE_PROPS), frozenset())
        if iri in unknown:
            held[iri] = found  # new to the store: it held nothing
            continue
        for prop in BEFORE_PROPS:  # rdf:type first: a fact new to the store costs one lookup
            found[prop.value] = frozenset(str(q.object) if isinstance(q.object, ox.Literal) else q.object.value  # type: ignore[union-attr]
                                          for q in oxs.quads_for_pattern(node, prop, None, graph))
            if prop == RDF_TYPE and not found[prop.value] & set(FACT_CLASSES):
                break
        held[iri] = found


def note_unknown(store: Store) -> None:
    """A write whose facts are not known (a user's update or load): the next merge is a full one."""
    _mark(store)
    store.merge_stale = True


def take_pending(store: Store) -> tuple[set[str], bool]:
    """(facts noted, whether a full recompute is owed: noted, or a marker left by a process that died)."""
    if (store.path / PENDING).exists():
        _mark(store)
    pending, stale = store.pending_facts, store.merge_stale
    store.pending_facts, store.merge_stale = set(), False
    return pending, stale


def merge_owed(store: Store) -> None:
    """Leave the marker until ``merge_done``: a merge pass written in parts and cut short is redone whole."""
    _mark(store)


def merge_done(store: Store) -> None:
    with contextlib.suppress(FileNotFoundError):
        (store.path / PENDING).unlink()
