"""Batched reads for ``kg.merge.relink``: the reports of many IRIs in a few queries.

At 100k articles one Oxigraph seek or lookup of a term's string costs 20-70 µs, a row of a scan
~1.5 µs inside Oxigraph; a quad read from Python looks up all four of its terms. So ``relink``
reads a thousand IRIs a query, and gets back integers wherever it can (tests/test_merge_incremental.py
checks each report read so equals ``kg.merge.report_of``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.batched_reads import chunks, coded, numbered, rows
from kg.merge import _FULL, KINDS, Report, add_value

if TYPE_CHECKING:
    from kg.store import Store


class Lookups:
    """Per ``relink`` call: each IRI's reports, read once.

    Reads are batched SPARQL: Oxigraph's time goes to seeks and to looking up the strings of
    terms (a quad read from Python looks up all four), not to scanning. A batch of IRIs seeks
    once per IRI (not once per property), drops the other properties before any lookup, and
    numbers rows and properties with integers (inlined in the store's encoding), so only the
    values a report needs are looked up.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.graph = store.view_graph
        self.reports: dict[tuple[int, str], Report | None] = {}

    def report(self, kind: int, iri: str) -> Report | None:
        key = (kind, iri)
        if key not in self.reports:
            self.read([iri])
        return self.reports[key]

    def read(self, iris: Iterable[str]) -> None:
        """Read the reports (of both kinds) of the IRIs not read yet, a batch at a time."""
        for chunk in chunks(i for i in iris if (0, i) not in self.reports):
            self._read(chunk)

    def _read(self, iris: list[str]) -> None:
        per_iri: list[list[tuple[int, ox.NamedNode | ox.BlankNode | ox.Literal]]] = [[] for _ in iris]
        for row in rows(self.store.oxigraph, _READ.replace("$VALUES", numbered(iris)), self.graph is None):
            per_iri[int(row[0].value)].append((int(row[1].value), row[2]))
        for iri, found in zip(iris, per_iri, strict=True):
            types = {term.value for code, term in found if code == 0}
            for kind, (cls, props, _) in enumerate(KINDS):
                self.reports[(kind, iri)] = _report(iri, found, props) if cls in types else None


#: what ``report_of`` reads, numbered: 0 is rdf:type (it also says whether an IRI is of a kind)
_CODES = ("rdf:type", "dip:participant", "dip:date", "prov:wasDerivedFrom", "dip:pledgedBy", "dip:pledgeType",
          "dip:recipient")
_CODE = {prefixed: code for code, prefixed in enumerate(_CODES)}
_READ = ("SELECT ?n ?k ?o WHERE { VALUES (?n ?s) { $VALUES } ?s ?p ?o . BIND("
         + coded([_FULL[c] for c in _CODES]) + " AS ?k) FILTER(?k >= 0) }")


def _report(iri: str, found: list[tuple[int, ox.NamedNode | ox.BlankNode | ox.Literal]],
            props: tuple[str, ...]) -> Report | None:
    """What ``report_of`` makes of the rows read for an IRI (same order of properties, same values)."""
    rep: Report | None = None
    by_code: dict[int, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = defaultdict(list)
    for code, term in found:
        by_code[code].append(term)
    for prefixed in props:
        for term in by_code.get(_CODE[prefixed], ()):
            rep = rep or Report(iri)
            add_value(rep, prefixed, term)
    return rep
