"""Cross-article merging: link reports of the same meeting or pledge with ``owl:sameAs``.

Identical dated meetings already share an IRI (their IRI hashes their content).
This pass links the near-identical ones different articles report: same
participants, same class, dates within one day (or in the same month when one
is known only to the month). Pledges link on same pledgers, pledge type and
recipient, with dates that do not contradict (either undated, or within a day,
or the same month/year at the coarser precision). A cluster never holds two
reports from the same article (one article describing two calls on consecutive
days means two calls). The smallest IRI of a cluster is canonical; the others
point to it from ``B graph/merged``, which is recomputed from scratch after
every ingest so it always matches the article graphs present.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from sys import intern
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.store import Store

DIP = "https://w3id.org/diplomacy-kg/ontology#"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
PREFIXES = f"""PREFIX dip: <{DIP}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


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


def _collect(store: Store, cls: str, props: tuple[str, ...]) -> dict[str, Report]:
    """One query per property (a ``VALUES ?p`` over all properties is joined last by Oxigraph: 2x slower)."""
    reports: dict[str, Report] = {}
    for prefixed in props:
        prop = _FULL[prefixed]
        # the default graph states each triple once; the union of the graphs (an older store) needs DISTINCT
        distinct = "" if store.merged_default else "DISTINCT "
        q = PREFIXES + f"SELECT {distinct}?x ?v WHERE {{ ?x a {cls} . ?x {prefixed} ?v }}"
        rows = store.oxigraph.query(q, use_default_graph_as_union=not store.merged_default)
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            iri, value = row[0].value, row[1].value
            rep = reports.get(iri)
            if rep is None:
                rep = reports[iri] = Report(iri)
            if prefixed == "prov:wasDerivedFrom":
                rep.articles.add(intern(value))
            elif prefixed == "dip:date":
                rep.date = value if rep.date is None else min(rep.date, value)
            else:  # one string per (property, value) however many reports share it: 100k articles in ~300 MB
                rep.signature.add(intern(f"{prop} {value}"))
    return reports


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


def same_as_links(store: Store) -> list[tuple[str, str]]:
    """(duplicate, canonical) pairs for every meeting and pledge cluster."""
    meetings = _collect(store, "dip:Meeting", ("rdf:type", "dip:participant", "dip:date", "prov:wasDerivedFrom"))
    pledges = _collect(store, "dip:Pledge", ("dip:pledgedBy", "dip:pledgeType", "dip:recipient", "dip:date",
                                             "prov:wasDerivedFrom"))
    links: list[tuple[str, str]] = []
    for reports, match in ((meetings, meeting_dates_match), (pledges, pledge_dates_match)):
        for cluster in clusters(list(reports.values()), match):
            canonical = min(r.iri for r in cluster)
            links.extend((r.iri, canonical) for r in cluster if r.iri != canonical)
    return sorted(links)


def recompute(store: Store) -> int:
    """Rebuild ``B graph/merged`` in one transaction; returns the number of sameAs links."""
    links = same_as_links(store)
    store.replace_graph(store.merged_graph, "\n".join(f"<{a}> <{OWL_SAME_AS}> <{b}> ." for a, b in links))
    return len(links)
