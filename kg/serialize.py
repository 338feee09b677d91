"""Deterministic serialisation of small rdflib graphs, and atomic file writes.

Git diffs of published graphs are only meaningful when the same graph always
gives the same bytes, so every format here is canonicalised (sorted lines for
N-Triples/N-Quads, sorted nodes and keys for JSON-LD; rdflib's Turtle/TriG
writers already sort subjects and predicates).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from kg.errors import PublishError
from kg.vocab import PREFIXES

FORMATS = ("turtle", "trig", "nt", "nquads", "jsonld")
ALIASES = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt", "nq": "nquads", "json-ld": "jsonld"}
EXTENSIONS = {"turtle": ".ttl", "trig": ".trig", "nt": ".nt", "nquads": ".nq", "jsonld": ".jsonld"}


def normalise_format(fmt: str) -> str:
    name = ALIASES.get(fmt.lower(), fmt.lower())
    if name not in FORMATS:
        raise PublishError(f"unknown RDF format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    return name


def _bound(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def _dataset(graph: Graph, name: URIRef | None) -> Dataset:
    ds = Dataset()
    _bound(ds)
    target = ds.graph(name) if name is not None else ds.default_graph
    for triple in graph:
        target.add(triple)
    return ds


def jsonld_context() -> dict[str, str]:
    return dict(PREFIXES)


def serialize(graph: Graph, fmt: str, *, graph_name: URIRef | None = None) -> bytes:
    """The graph as ``fmt``; ``graph_name`` names it in TriG and N-Quads."""
    fmt = normalise_format(fmt)
    if fmt == "turtle":
        return _bound(graph).serialize(format="turtle", encoding="utf-8")
    if fmt == "trig":
        return _dataset(graph, graph_name).serialize(format="trig", encoding="utf-8")
    if fmt in ("nt", "nquads"):
        source = graph if fmt == "nt" else _dataset(graph, graph_name)
        text = source.serialize(format="nt" if fmt == "nt" else "nquads", encoding="utf-8").decode("utf-8")
        lines = sorted({line for line in text.splitlines() if line.strip()})
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    raw = graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True, encoding="utf-8")
    doc = json.loads(raw)
    nodes = doc.get("@graph")
    if isinstance(nodes, list):
        nodes.sort(key=lambda n: str(n.get("@id", "")))
        for node in nodes:
            for value in node.values():
                if isinstance(value, list):
                    value.sort(key=lambda v: json.dumps(v, sort_keys=True))
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise PublishError(f"cannot write: {exc.strerror or exc}", where=path,
                           fix="check the folder exists and is writable") from exc
