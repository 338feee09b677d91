"""Query results: rows as dicts, and the usual output formats (table, CSV, TSV, SPARQL JSON, pandas)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError
from kg.vocab import DEFAULT_BASE_IRI, PREFIXES, VOCAB_BASE

FORMATS = ("table", "csv", "tsv", "json")
#: prefixes the terminal table shortens IRIs with (full IRIs stay in csv/tsv/json)
TABLE_PREFIXES: dict[str, str] = {"id": DEFAULT_BASE_IRI, "vocab": VOCAB_BASE, **PREFIXES}


def compact(term: Node, prefixes: Mapping[str, str] = TABLE_PREFIXES) -> str:
    """A short form for people: ``id:country/GB`` rather than the whole IRI."""
    if isinstance(term, URIRef):
        best = max((ns for ns in prefixes.values() if term.startswith(ns)), key=len, default=None)
        if best is not None:
            name = next(k for k, v in prefixes.items() if v == best)
            return f"{name}:{term[len(best):]}"
    return str(term)


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def from_json_term(data: dict[str, str]) -> Node:
    """A term of the SPARQL 1.1 JSON results format."""
    kind, value = data.get("type"), data.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = data.get("xml:lang")
        dt = data.get("datatype")
        return Literal(value, lang=lang) if lang else Literal(value, datatype=URIRef(dt) if dt else None)
    raise QueryError(f"unexpected term in the endpoint's results: {data!r}")


def _python(term: Node | None) -> Any:
    """A term as a Python value: literals converted (numbers, dates), IRIs as strings."""
    if term is None:
        return None
    return term.toPython() if isinstance(term, Literal) else str(term)


def _tsv_term(term: Node) -> str:
    """TSV results use the Turtle/N-Triples form of each term."""
    from kg.query.sparqltext import term_text

    if isinstance(term, BNode):
        return f"_:{term}"
    return term_text(term)


@dataclass
class Result:
    """A SELECT result (``variables`` + ``bindings``), an ASK answer (``boolean``), or an update (``updated``)."""

    variables: list[str] = field(default_factory=list)
    bindings: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    updated: bool = False
    seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.bindings)

    def __iter__(self) -> Iterator[dict[str, str]]:
        return iter(self.rows)

    @property
    def rows(self) -> list[dict[str, str]]:
        """Each solution as variable -> lexical value (unbound variables are left out)."""
        return [{k: str(v) for k, v in b.items()} for b in self.bindings]

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        if self.boolean is not None:
            doc: dict[str, Any] = {"head": {}, "boolean": self.boolean}
        else:
            doc = {"head": {"vars": self.variables},
                   "results": {"bindings": [{k: _json_term(v) for k, v in b.items()} for b in self.bindings]}}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def to_csv(self) -> str:
        """SPARQL 1.1 CSV results: plain lexical values."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        if self.boolean is not None:
            writer.writerow(["boolean"])
            writer.writerow(["true" if self.boolean else "false"])
            return buf.getvalue()
        writer.writerow(self.variables)
        for b in self.bindings:
            writer.writerow([str(b[v]) if v in b else "" for v in self.variables])
        return buf.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 TSV results: terms in their N-Triples form."""
        lines = ["\t".join("?" + v for v in self.variables)]
        for b in self.bindings:
            lines.append("\t".join(_tsv_term(b[v]) if v in b else "" for v in self.variables))
        return "\n".join(lines) + "\n"

    def to_table(self, title: str | None = None, prefixes: Mapping[str, str] = TABLE_PREFIXES) -> Any:
        """A rich Table for the terminal, IRIs shortened with ``prefixes``."""
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, show_lines=False)
        if self.boolean is not None:
            table.add_column("boolean")
            table.add_row(str(self.boolean).lower())
            return table
        for v in self.variables:
            table.add_column(v, overflow="fold")
        for b in self.bindings:
            # Text, not str: a "[/b]" in a label is data, not Rich markup
            table.add_row(*(Text(compact(b[v], prefixes)) if v in b else "" for v in self.variables))
        return table

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of Python values (numbers, dates, strings)."""
        try:
            import pandas as pd
        except ImportError:
            raise QueryError("pandas is not installed", fix="pip install 'diplomacy-kg[pandas]'") from None
        data = [{v: _python(b.get(v)) for v in self.variables} for b in self.bindings]
        return pd.DataFrame(data, columns=self.variables)

    def render(self, fmt: str) -> str:
        """The result as text in ``fmt`` (csv, tsv, json)."""
        if fmt == "csv":
            return self.to_csv()
        if fmt == "tsv":
            return self.to_tsv()
        if fmt == "json":
            return self.to_json()
        raise QueryError(f"unknown result format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
