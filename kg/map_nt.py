"""Plain triples (``kg.map``) -> N-Triples, byte for byte what rdflib's serializer writes for the same
terms: the ingest worker writes its lines without building rdflib terms."""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import URIRef
from rdflib.plugins.serializers.nt import _quote_encode, _quoteLiteral

from kg.map import _V, Lit, Plain, to_term

_NOT_IN_IRI = re.compile(r'[<>" {}|\\^`]')


def _iri_nt(iri: str) -> str:
    if _NOT_IN_IRI.search(iri):
        return URIRef(iri).n3()  # raises, as the serializer does, for an IRI it cannot write
    return f"<{iri}>"


@lru_cache(maxsize=65536)
def _typed_nt(_kind: str, lit: Lit) -> str:
    """rdflib's own lexical form for a typed literal (it normalises some: booleans, dates)."""
    return _quoteLiteral(to_term(lit))  # type: ignore[arg-type]


def _term_nt(value: str | Lit) -> str:
    if isinstance(value, str):
        return _iri_nt(value)
    if value.datatype is None and value.lang is None and isinstance(value.value, str):
        return _quote_encode(value.value)
    return _typed_nt(type(value.value).__name__, value)  # the type too: Lit(True) == Lit(1)


def nt_rows(triples: list[Plain]) -> list[str]:
    """One N-Triples line per triple, as ``rdflib``'s ``_nt_row`` writes it."""
    done: dict[str | Lit, str] = {}
    rows = []
    for s, p, o in triples:
        rows.append(f"{done.get(s) or done.setdefault(s, _term_nt(s))} {done.get(p) or done.setdefault(p, _term_nt(p))}"
                    f" {done.get(o) or done.setdefault(o, _term_nt(o))} .\n")
    return rows


def entity_rows(triples: list[Plain], rows: list[str]) -> dict[str, str]:
    """Canonical country and organisation descriptions (type, label, ISO code) as N-Triples per IRI."""
    kept = (_V.label, _V.iso)
    described: dict[str, list[tuple[str, int]]] = {}
    typed: dict[str, dict[str, int]] = {_V.Country: {}, _V.Organization: {}}
    for i, (s, p, o) in enumerate(triples):
        if p in kept:
            described.setdefault(s, []).append((p, i))
        elif p == _V.type and isinstance(o, str) and o in typed:
            typed[o].setdefault(s, i)
    out: dict[str, str] = {}
    for subjects in typed.values():
        for s in sorted(subjects):
            out[s] = rows[subjects[s]] + "".join(rows[i] for p in kept for q, i in described.get(s, ()) if q == p)
    return out
