"""Cross-article merging: link reports of the same meeting or pledge with ``owl:sameAs``.

Identical dated meetings already share an IRI (their IRI hashes their content).
This pass links the near-identical ones different articles report: same
participants, same class, dates within one day (or in the same month when one
is known only to the month). Pledges link on same pledgers, pledge type and
recipient, with dates that do not contradict (either undated, or within a day,
or the same month/year at the coarser precision). A cluster never holds two
reports from the same article (one article describing two calls on consecutive
days means two calls). The smallest IRI of a cluster is canonical; the others
point to it from ``B graph/merged``.

A cluster depends only on the reports that share its signature, so a change is
relinked signature by signature (``update``): the signatures of the reports the
changed articles add, alter or drop, and the one a report left when its cluster
keeps other members. Dropping a report that was alone, or a whole cluster, never
changes how the others cluster (greedy clustering in (date, IRI) order: no other
report ever joined it). So ``update`` always gives what ``recompute`` (from
scratch) gives; tests/test_merge_incremental.py checks it on random histories.
The reports of a signature come from the merge's own index (``kg.merge_index``),
not from the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from sys import intern
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg import merge_index, summary, summary_apply, summary_leaders, summary_pairs
from kg.batched_reads import Subject, pairs, subjects
from kg.merge_index import Group, SignatureIndex

if TYPE_CHECKING:
    from kg.merge_reads import Lookups
    from kg.store import Store

DIP = "https://w3id.org/diplomacy-kg/ontology#"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"


@dataclass(slots=True)
class Report:
    """A meeting or pledge IRI with what identifies it across articles."""

    iri: str
    date: str | None = None
    articles: set[str] = field(default_factory=set)
    signature: set[str] = field(default_factory=set)  # classes + parties (+ type, recipient for pledges)


_FULL = {"rdf:type": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "dip:participant": DIP + "participant",
         "dip:date": DIP + "date", "prov:wasDerivedFrom": "http://www.w3.org/ns/prov#wasDerivedFrom",
         "dip:pledgedBy": DIP + "pledgedBy", "dip:pledgeType": DIP + "pledgeType", "dip:recipient": DIP + "recipient"}


def collect(store: Store) -> tuple[dict[str, Report], dict[str, Report]]:
    """Every meeting report and every pledge report (by IRI), as ``?x a dip:Meeting . ?x p ?v`` finds them
    for each of ``MEETING_PROPS`` (and of ``PLEDGE_PROPS`` for ``dip:Pledge``).

    Each property is read once for both kinds, by predicate, keeping the subjects of each class: on one
    100k store ~10% faster than a SPARQL join per class and property (each row read costs the decoding
    of its terms, and the joins read the date and source properties twice). Read by SPARQL: only the
    subject and object of each triple are looked up (``kg.batched_reads``)."""
    oxs, union = store.oxigraph, not store.merged_default
    kinds: list[tuple[set[Subject], tuple[str, ...], dict[str, Report]]] = [
        (set(subjects(oxs, _TYPE, ox.NamedNode(cls), union)), props, {}) for cls, props, _ in KINDS]
    for prefixed in dict.fromkeys(p for _, props, _ in kinds for p in props):
        users = [(members, reports) for members, props, reports in kinds if prefixed in props]
        for subject, value in pairs(oxs, _NODE[prefixed], union):
            for members, reports in users:
                if subject in members:
                    iri = subject.value  # type: ignore[union-attr]
                    rep = reports.get(iri)
                    if rep is None:
                        rep = reports[iri] = Report(iri)
                    add_value(rep, prefixed, value)  # type: ignore[arg-type]
    return kinds[0][2], kinds[1][2]


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def meeting_dates_match(a: str | None, b: str | None) -> bool:
    """Within one day, or the same month when either is known only to the month."""
    if a is None or b is None or len(a) < 7 or len(b) < 7:
        return False
    if len(a) == 10 and len(b) == 10:
        da, db = _day(a), _day(b)
        return da is not None and db is not None and abs((da - db).days) <= 1
    return a[:7] == b[:7]


def pledge_dates_match(a: str | None, b: str | None) -> bool:
    """Pledges are often undated: only known, contradicting dates keep them apart."""
    if a is None or b is None:
        return True
    if len(a) == 10 and len(b) == 10:
        return meeting_dates_match(a, b)
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def clusters(reports: list[Report], match: Callable[[str | None, str | None], bool]) -> list[list[Report]]:
    """Greedy clustering of reports with the same signature, in (date, IRI) order."""
    groups: dict[frozenset[str], list[Report]] = defaultdict(list)
    for rep in reports:
        groups[frozenset(rep.signature)].append(rep)
    out: list[list[Report]] = []
    for group in groups.values():
        group.sort(key=lambda r: (r.date or "", r.iri))
        found: list[tuple[list[Report], set[str]]] = []
        for rep in group:
            for members, articles in found:
                if not (articles & rep.articles) and all(match(m.date, rep.date) for m in members):
                    members.append(rep)
                    articles |= rep.articles
                    break
            else:
                found.append(([rep], set(rep.articles)))
        out.extend(members for members, _ in found if len(members) > 1)
    return out


MEETING_PROPS = ("rdf:type", "dip:participant", "dip:date", "prov:wasDerivedFrom")
PLEDGE_PROPS = ("dip:pledgedBy", "dip:pledgeType", "dip:recipient", "dip:date", "prov:wasDerivedFrom")
Match = Callable[[str | None, str | None], bool]
KINDS: tuple[tuple[str, tuple[str, ...], Match], ...] = (
    (DIP + "Meeting", MEETING_PROPS, meeting_dates_match), (DIP + "Pledge", PLEDGE_PROPS, pledge_dates_match))


def same_as_links(store: Store) -> list[tuple[str, str]]:
    """(duplicate, canonical) pairs for every meeting and pledge cluster."""
    return _links(*collect(store))


def _links(meetings: dict[str, Report], pledges: dict[str, Report]) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for reports, match in ((meetings, meeting_dates_match), (pledges, pledge_dates_match)):
        for cluster in clusters(list(reports.values()), match):
            canonical = min(r.iri for r in cluster)
            links.extend((r.iri, canonical) for r in cluster if r.iri != canonical)
    return sorted(links)


def recompute(store: Store) -> int:
    """Rebuild ``B graph/merged``, then the summary (``kg.summary``), each by its difference, in parts;
    returns the number of sameAs links."""
    from kg.store.pending import merge_done, merge_owed, take_before, take_pending

    take_pending(store)
    take_before(store)
    merge_owed(store)  # the graphs below are written in parts
    store.pending_dates = set()
    meetings, pledges = collect(store)
    links = _links(meetings, pledges)
    with closing(SignatureIndex(store.path)) as index:
        index.rebuild(_filed(meetings, pledges), dict(links))
    # in parts: a crash before ``merge_done`` leaves the marker (another process's), so the next pass is full
    store.replace_graph(store.merged_graph, "\n".join(f"<{a}> <{OWL_SAME_AS}> <{b}> ." for a, b in links),
                        parts=True)
    store.replace_graph(summary.graph_iri(store), "\n".join(_summary(store, meetings, pledges)), parts=True)
    summary.mark_kept(store)
    merge_done(store)
    return len(links)


def recompute_after_load(store: Store) -> int:
    """``recompute`` after a load as big as the store (a first ingest or ``kg load``), then the store compacted:
    readers are about to take a snapshot of it, and its freshly loaded files overlap. Not for the other
    callers of ``recompute`` (a stale update, a user's SPARQL Update): they wrote little."""
    links = recompute(store)
    store.compact()
    return links


def _filed(meetings: dict[str, Report], pledges: dict[str, Report]) -> list[tuple[int, Report]]:
    """Every report with its kind (the index of ``KINDS``), as the signature index files them."""
    return [*((0, r) for r in meetings.values()), *((1, r) for r in pledges.values())]


def _summary(store: Store, meetings: dict[str, Report], pledges: dict[str, Report]) -> list[str]:
    facts = [*(summary.from_report(r, True) for r in meetings.values()),
             *(summary.from_report(r, False) for r in pledges.values())]
    same, index = summary.same_as(store), summary.graph_iri(store)
    dates, keys = summary.dates_and_keys(store, facts, same)
    leaders = summary_leaders.index_of(facts, same, keys)
    return sorted(summary.ntriples(summary.summarise(facts, same), index, dates, summary_pairs.index_of(facts))
                  + summary_leaders.ntriples(index, leaders))


def full_summary(store: Store) -> list[str]:
    """The summary graph as counted from scratch (N-Triples lines): what ``update`` must keep."""
    return _summary(store, *collect(store))


# ---- incremental: only the signatures a change touches -------------------------------------------

_TYPE = ox.NamedNode(_FULL["rdf:type"])
_SAME = ox.NamedNode(OWL_SAME_AS)


_NODE = {prefixed: ox.NamedNode(full) for prefixed, full in _FULL.items()}


def report_of(store: Store, iri: str, cls: str, props: tuple[str, ...]) -> Report | None:
    """What ``collect`` finds about one IRI as a report of class ``cls`` (None: it is not one)."""
    oxs = store.oxigraph
    node = ox.NamedNode(iri)
    graph = store.view_graph
    if next(iter(oxs.quads_for_pattern(node, _TYPE, ox.NamedNode(cls), graph)), None) is None:
        return None
    rep: Report | None = None
    for prefixed in props:
        for q in oxs.quads_for_pattern(node, _NODE[prefixed], None, graph):
            rep = rep or Report(iri)
            add_value(rep, prefixed, q.object)  # type: ignore[arg-type]
    return rep


def add_value(rep: Report, prefixed: str, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
    """Put one value of a merge property into the report, as ``collect`` reads it."""
    value = term.value
    if prefixed == "prov:wasDerivedFrom":
        rep.articles.add(intern(value))
    elif prefixed == "dip:date":
        rep.date = value if rep.date is None else min(rep.date, value)
    else:
        rep.signature.add(intern(f"{_FULL[prefixed]} {value}"))


def _reports(look: Lookups, iri: str) -> list[tuple[int, Report]]:
    """(kind index, report) of an IRI still in the store, as a meeting and as a pledge."""
    found = ((k, look.report(k, iri)) for k in range(len(KINDS)))
    return [(k, rep) for k, rep in found if rep is not None]


def _peers(index: SignatureIndex, groups: Iterable[Group]) -> dict[Group, list[tuple[Report, str | None]]]:
    """Every report of the store with each (kind, signature), with the merge it is in, as the index files
    them: up to date for every report."""
    return {(kind, signature): [(Report(iri, day, set(articles), set(signature)), canonical)
                                for iri, day, articles, canonical in filed]
            for (kind, signature), filed in index.members(groups).items()}


def _linked_to(store: Store, canonical: str) -> list[str]:
    merged = ox.NamedNode(store.merged_graph)
    quads = store.oxigraph.quads_for_pattern(None, _SAME, ox.NamedNode(canonical), merged)
    return [q.subject.value for q in quads]  # type: ignore[union-attr]


def relink(store: Store, facts: Iterable[str], changed: set[str] | None = None,
           diff: tuple[set[tuple[str, str]], set[tuple[str, str]]] | None = None) -> tuple[int, int]:
    """Relink the signatures of ``facts`` (meeting/pledge IRIs added, changed or removed since the
    merged graph was last right); (links removed, links added). ``changed`` receives both ends of
    every link removed or added; ``diff`` the links removed and added (for ``summary_apply.apply``)."""
    with closing(SignatureIndex(store.path)) as index:
        return _relink(store, index, set(facts), changed, diff)


def _relink(store: Store, index: SignatureIndex, touched: set[str], changed: set[str] | None,
            diff: tuple[set[tuple[str, str]], set[tuple[str, str]]] | None) -> tuple[int, int]:
    from kg.merge_reads import Lookups  # it builds on this module

    if not index.ready:  # a store from before the index, or from kg build: filed once, as it is now
        merged = store.oxigraph.quads_for_pattern(None, _SAME, None, ox.NamedNode(store.merged_graph))
        reports = _filed(*collect(store))
        index.rebuild(reports, {q.subject.value: q.object.value for q in merged})  # type: ignore[union-attr]
    look = Lookups(store)
    look.read(touched)
    # a report links to its merge's canonical IRI, if anywhere: as filed (the index is exact when the merged graph is)
    canonical_of = index.refile(touched, [found for iri in touched for found in _reports(look, iri)])
    old: set[tuple[str, str]] = set()  # the links of every cluster a touched IRI was in
    clusters_before: list[set[str]] = []
    for iri in touched:
        canonical = canonical_of.get(iri, iri)
        mates = _linked_to(store, canonical)
        if mates:
            old.update((m, canonical) for m in mates)
            clusters_before.append({canonical, *mates})
    seeds = [*touched, *(next(iter(sorted(c - touched))) for c in clusters_before if c - touched)]
    look.read(seeds)
    groups = {(kind, frozenset(rep.signature)) for iri in seeds for kind, rep in _reports(look, iri)}
    new: set[tuple[str, str]] = set()
    refiled: list[tuple[bytes, str, str | None]] = []  # (signature hash, report, canonical) of each merge that moved
    for (kind, signature), peers in _peers(index, groups).items():
        old.update((rep.iri, canonical) for rep, canonical in peers if canonical is not None)
        merged_into: dict[str, str] = {}
        for cluster in clusters([rep for rep, _ in peers], KINDS[kind][2]):
            canonical = min(r.iri for r in cluster)
            merged_into.update((r.iri, canonical) for r in cluster if r.iri != canonical)
        new.update(merged_into.items())
        sig = merge_index.key(kind, signature)
        refiled += [(sig, rep.iri, merged_into.get(rep.iri)) for rep, was in peers if merged_into.get(rep.iri) != was]
    gone, added = old - new, new - old
    if changed is not None:
        changed.update(iri for link in gone | added for iri in link)
    if diff is not None:
        diff[0].update(gone)
        diff[1].update(added)
    if gone or added:
        store.patch_graph(store.merged_graph, [_same_as(a, b) for a, b in sorted(gone)],
                          [_same_as(a, b) for a, b in sorted(added)])
    index.relinked(refiled)  # (a failure, or a crash, before this leaves the next merge pass a full one)
    return len(gone), len(added)


def _same_as(a: str, b: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(a), _SAME, ox.NamedNode(b))


def update(store: Store) -> None:
    """Bring ``B graph/merged`` and the summary in line with the changes noted since they were last
    right (see ``kg.store.pending.note_facts``): only their signatures and entities, or all when
    that is unknown (or the store has no summary yet)."""
    from kg.store.pending import merge_done, take_before, take_pending

    facts, stale = take_pending(store)
    noted = take_before(store)
    dates, store.pending_dates = store.pending_dates, set()
    if not summary.kept(store) or not facts <= noted.keys():
        stale = True  # a store from before the summary (made once, here), or facts whose before is unknown
    if not stale and not facts:
        merge_done(store)
        return
    diff: tuple[set[tuple[str, str]], set[tuple[str, str]]] = (set(), set())
    try:
        if stale:
            recompute(store)
            return
        relink(store, facts, diff=diff)
        summary_apply.apply(store, {iri: noted[iri] for iri in facts}, *diff, dates)
    except BaseException:
        store.merge_stale = True  # what was noted is taken: only a full pass is exact now
        raise
    merge_done(store)
