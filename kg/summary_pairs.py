"""The summary graph's index of who met whom (part of ``kg.summary``): what ``meetings-between`` reads.

One node per unordered pair of parties named together as participants of some meeting report:
``<B graph/summary/pair/{hash of the two IRIs}> dip:pairParty <a>, <b> ; dip:pairReport <report> …``.
meetings-between joined every report of its a side with every report of its b side (France and
Germany, with their leaders, are in ~11k reports each at 100k articles: 0.6 s); with the index it
goes from each side's few parties to their pair nodes (hundreds), joins the two sides on the node,
and reads only the reports of the pairs found from both (a few hundred).

Which reports hold a pair depends only on each report's own ``dip:participant`` values (of a
``dip:Meeting``), not on the merge or on the articles, so ``refresh`` moves the index by the
participants the written reports had before (``kg.store.pending.note_facts``) and have now; the
merge pass writes it whole from the reports it already collected, and ``kg build`` from the same
facts on the client (tests/test_merge_incremental.py: delta = scratch). Only IRIs are indexed: a
blank node cannot be named from another graph (the mapping mints IRIs for every party and meeting).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Protocol

import pyoxigraph as ox

DIP = "https://w3id.org/diplomacy-kg/ontology#"
PAIR_PARTY, PAIR_REPORT = DIP + "pairParty", DIP + "pairReport"
_PARTY, _REPORT = ox.NamedNode(PAIR_PARTY), ox.NamedNode(PAIR_REPORT)
#: an absolute IRI as the store holds it (a blank node's value or a literal is not one)
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")

Pair = tuple[str, str]  # the two parties, in order
Patch = tuple[set[ox.Triple], set[ox.Triple]]  # (triples to remove, triples to add)


class Fact(Protocol):
    """What the index needs of a ``kg.summary.Fact``."""

    iri: str
    meeting: bool
    parties: set[str]


def node(index: str, a: str, b: str) -> str:
    """The index node of the pair {a, b} (either order): a hash of the two IRIs (128 bits, so two
    pairs never share a node in practice: a shared node would pair parties that never met)."""
    x, y = sorted((a, b))
    digest = hashlib.blake2b(f"{x}\n{y}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"{index}/pair/{digest}"


def pairs(parties: Iterable[str]) -> set[Pair]:
    """Every unordered pair of distinct IRI parties (a meeting of n parties has n(n-1)/2)."""
    named = sorted({p for p in parties if _IRI.fullmatch(p)})
    return {(x, y) for i, x in enumerate(named) for y in named[i + 1:]}


def parties_of(facts: Iterable[Fact]) -> set[str]:
    """The participants of the meeting facts (a report is a meeting and may also be a pledge)."""
    return {p for f in facts if f.meeting for p in f.parties}


def index_of(facts: Iterable[Fact]) -> dict[Pair, set[str]]:
    """The whole index from the store's (or a build's) meeting facts: pair -> its reports."""
    out: dict[Pair, set[str]] = defaultdict(set)
    for fact in facts:
        if fact.meeting and _IRI.fullmatch(fact.iri):
            for pair in pairs(fact.parties):
                out[pair].add(fact.iri)
    return out


def ntriples(index: str, found: Mapping[Pair, Iterable[str]]) -> list[str]:
    """The index as N-Triples lines (``index``: the summary graph's IRI)."""
    lines = []
    for (a, b), reports in found.items():
        subject = f"<{node(index, a, b)}>"
        lines += [f"{subject} <{PAIR_PARTY}> <{a}> .", f"{subject} <{PAIR_PARTY}> <{b}> ."]
        lines += [f"{subject} <{PAIR_REPORT}> <{r}> ." for r in reports]
    return lines


def refresh(store: ox.Store, index: str, written: Iterable[str], facts: Callable[[str, bool], Iterable[Fact]],
            patch: Patch) -> None:
    """Bring the index in line with a merge update's change, into ``patch``.

    ``written``: the facts a write touched; ``facts(iri, then)``: what one was before the write
    (``then``) or is now. A pair gains or loses exactly the reports that gained or lost both its
    parties; its node keeps its two ``dip:pairParty`` while it has a report, and goes with its last."""
    gone: dict[Pair, set[str]] = defaultdict(set)
    got: dict[Pair, set[str]] = defaultdict(set)
    for iri in written:
        if not _IRI.fullmatch(iri):
            continue
        old, new = pairs(parties_of(facts(iri, True))), pairs(parties_of(facts(iri, False)))
        for pair in old - new:
            gone[pair].add(iri)
        for pair in new - old:
            got[pair].add(iri)
    graph = ox.NamedNode(index)

    def held(t: ox.Triple) -> bool:
        return ox.Quad(t.subject, t.predicate, t.object, graph) in store

    for a, b in sorted(gone.keys() | got.keys()):
        subject = ox.NamedNode(node(index, a, b))
        drop = {t for t in (ox.Triple(subject, _REPORT, ox.NamedNode(r)) for r in gone[(a, b)]) if held(t)}
        add = {t for t in (ox.Triple(subject, _REPORT, ox.NamedNode(r)) for r in got[(a, b)]) if not held(t)}
        stored = islice(store.quads_for_pattern(subject, _REPORT, None, graph), len(drop) + 1)
        kept = bool(add) or any(q.triple not in drop for q in stored)  # a report stays: the node stays
        ends = {ox.Triple(subject, _PARTY, ox.NamedNode(p)) for p in (a, b)}
        there = {t for t in ends if held(t)}
        patch[0].update(drop if kept else drop | there)
        patch[1].update((add | (ends - there)) if kept else set())
