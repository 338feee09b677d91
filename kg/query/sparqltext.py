"""Just enough SPARQL lexing to find parameters and bind them safely.

Parameters are variables named ``?_name`` (required) or ``?__name`` (optional),
the grlc convention. Binding never pastes user text into the query: each value
becomes one RDF term, written by ``term_text`` with every special character
escaped, inside a ``VALUES`` block placed first in the query's top-level WHERE
group (so it joins before any GROUP BY, and works identically on Oxigraph and on
any SPARQL 1.1 endpoint).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError

_PARAM = re.compile(r"[?$](_{1,2})([A-Za-z0-9]\w*)")
_WORD = re.compile(r"[A-Za-z]+")
_IRI_BAD = set('<>"{}|^`\\') | {" ", "\t", "\n", "\r"}


def segments(text: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) for kind in code | iri | string | comment, covering ``text``."""
    i, n, start = 0, len(text), 0
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            kind = "comment"
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            end = min(n, j + len(quote))
            kind = "string"
        elif c == "<":
            j = i + 1
            while j < n and text[j] not in _IRI_BAD:
                j += 1
            if j < n and text[j] == ">":
                end, kind = j + 1, "iri"
            else:
                i += 1
                continue
        else:
            i += 1
            continue
        if start < i:
            yield "code", start, i
        yield kind, i, end
        i = start = end
    if start < n:
        yield "code", start, n


def parameters(text: str) -> list[tuple[str, bool]]:
    """(name, required) of every ``?_name`` / ``?__name`` variable, in first-use order."""
    seen: dict[str, bool] = {}
    for kind, a, b in segments(text):
        if kind != "code":
            continue
        for m in _PARAM.finditer(text, a, b):
            seen.setdefault(m.group(2), len(m.group(1)) == 1)
    return list(seen.items())


def where_brace(text: str) -> int:
    """Offset just after the ``{`` that opens the query's top-level WHERE group."""
    depth, first, after_where, form = 0, -1, -1, ""
    seen_where = False
    for kind, a, b in segments(text):
        if kind != "code":
            continue
        i = a
        while i < b:
            c = text[i]
            if c == "{":
                if depth == 0:
                    if first < 0:
                        first = i + 1
                    if seen_where and after_where < 0:
                        after_where = i + 1
                depth += 1
            elif c == "}":
                depth -= 1
            elif depth == 0 and c.isalpha() and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "?$:_")):
                word = _WORD.match(text, i)
                assert word is not None
                upper = word.group(0).upper()
                if upper == "WHERE":
                    seen_where = True
                elif upper in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE") and not form:
                    form = upper
                i = word.end()
                continue
            i += 1
    pos = after_where if form == "CONSTRUCT" else first
    if pos < 0:
        raise QueryError("cannot find the query's WHERE clause to bind parameters in")
    return pos


def _escape(value: str) -> str:
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    return out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def term_text(term: Node) -> str:
    """A term as SPARQL text; IRIs are checked, literals fully escaped."""
    if isinstance(term, URIRef):
        value = str(term)
        if not value or any(c in _IRI_BAD for c in value):
            raise QueryError(f"not a valid IRI: {value!r}")
        return f"<{value}>"
    if isinstance(term, Literal):
        text = f'"{_escape(str(term))}"'
        if term.language:
            if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", term.language):
                raise QueryError(f"not a valid language tag: {term.language!r}")
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{term_text(URIRef(term.datatype))}"
        return text
    raise QueryError(f"cannot bind {term!r} as a parameter")


def bind(text: str, values: dict[str, Node]) -> str:
    """``text`` with a VALUES block binding ``?_name`` / ``?__name`` variables to ``values``.

    Keys are variable names without the ``?`` (``_country``, ``__from``).
    """
    if not values:
        return text
    names = sorted(values)
    for name in names:
        if not re.fullmatch(r"_{1,2}[A-Za-z0-9]\w*", name):
            raise QueryError(f"not a parameter variable: {name!r}")
    block = "VALUES (" + " ".join("?" + n for n in names) + ") { (" + " ".join(
        term_text(values[n]) for n in names) + ") }"
    pos = where_brace(text)
    return f"{text[:pos]}\n  {block}\n{text[pos:]}"
