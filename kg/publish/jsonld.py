"""A streaming JSON-LD writer with a real ``@context`` (pyoxigraph's writer emits none).

Input arrives in canonical order (graph, then subject, then predicate), so each
node object is complete once the subject changes and can be written at once:
memory holds one node, not the document. IRIs are compacted only with prefixes
(``dip:Leader``, ``id:person/emmanuel-macron``), never as relative references,
because relative resolution would normalise dot segments and change the IRI.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import groupby
from typing import IO, Any

import pyoxigraph as ox

from kg.vocab import PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def context(base_iri: str) -> dict[str, str]:
    """The well-known prefixes plus ``id:`` for the minted resources."""
    return dict(sorted({**PREFIXES, "id": base_iri}.items()))


class Compactor:
    """IRI -> compact IRI using the longest matching prefix."""

    def __init__(self, ctx: dict[str, str]) -> None:
        self._prefixes = sorted(ctx.items(), key=lambda kv: -len(kv[1]))
        self._done: dict[str, str] = {}  # a dump repeats the same predicates and resources many times

    def __call__(self, iri: str) -> str:
        found = self._done.get(iri)
        if found is None:
            found = self._done[iri] = self._compact(iri)
        return found

    def _compact(self, iri: str) -> str:
        for name, ns in self._prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns):]
                if not local.startswith("//"):
                    return f"{name}:{local}"
        return iri


def _value(term: Any, compact: Compactor) -> Any:
    if isinstance(term, ox.NamedNode):
        return {"@id": compact(term.value)}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": compact(term.datatype.value)}
    raise TypeError(f"unsupported RDF term {term!r}")


def _subject(term: Any, compact: Compactor) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else compact(term.value)


def _nodes(triples: Iterable[ox.Triple], compact: Compactor) -> Iterator[dict[str, Any]]:
    for subject, group in groupby(triples, key=lambda t: t.subject):
        node: dict[str, Any] = {"@id": _subject(subject, compact)}
        for t in group:
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                node.setdefault("@type", []).append(compact(t.object.value))
            else:
                node.setdefault(compact(t.predicate.value), []).append(_value(t.object, compact))
        yield node


def _write_nodes(out: IO[str], nodes: Iterator[dict[str, Any]], indent: str) -> bool:
    """Write the nodes comma-separated, each on its own line; False when there were none."""
    sep = "\n" + indent
    for node in nodes:
        out.write(sep + json.dumps(node, ensure_ascii=False, sort_keys=True))
        sep = ",\n" + indent
    return sep.startswith(",")


@lru_cache(maxsize=4)
def _start(base_iri: str) -> tuple[str, Compactor]:
    """The document's opening and its compactor, shared by every document of a base (a site writes thousands)."""
    ctx = context(base_iri)
    return '{\n  "@context": ' + json.dumps(ctx, sort_keys=True) + ',\n  "@graph": [', Compactor(ctx)


def write_jsonld(out: IO[str], graphs: Iterable[tuple[Any, Iterable[ox.Triple]]], base_iri: str) -> None:
    """``graphs``: (graph name or DefaultGraph, triples in canonical order) pairs."""
    head_text, compact = _start(base_iri)
    out.write(head_text)
    first = True
    for name, triples in graphs:
        nodes = _nodes(triples, compact)
        head = next(nodes, None)
        if head is None:
            continue
        out.write("" if first else ",")
        first = False
        rest = (n for part in ([head], nodes) for n in part)
        if isinstance(name, ox.DefaultGraph):
            _write_nodes(out, rest, "    ")
        else:
            out.write('\n    {"@id": ' + json.dumps(_subject(name, compact), ensure_ascii=False)
                      + ', "@graph": [')
            _write_nodes(out, rest, "      ")
            out.write("\n    ]}")
    out.write("\n  ]\n}\n")
