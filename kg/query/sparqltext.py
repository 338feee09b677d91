"""Just enough SPARQL lexing to find parameters and bind them safely.

Parameters are variables named ``?_name`` (required) or ``?__name`` (optional),
the grlc convention. Binding never pastes user text into the query: each value
becomes one RDF term, written by ``term_text`` with every special character
escaped, substituted for the variable's tokens (see ``bind``); the same text runs
on Oxigraph and on any SPARQL 1.1 endpoint.

A line starting ``#?name`` is a comment (the query as written is valid SPARQL, whole)
that becomes code when the optional parameter ``name`` is given: a stored query
narrows itself (``#?leader ?fact dip:participant ?_leader .``) or pages
(``#?limit LIMIT ?__limit``) only when asked, so each variant has its own plan.
``#?a|b`` is code when any of them is given, ``#!a|b`` when none is. (A VALUES block was the first design:
Oxigraph then joined it last, and a parameterised query took seconds, not ms.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError

_PARAM = re.compile(r"[?$](_{1,2})([A-Za-z0-9]\w*)")
_VAR = re.compile(r"[?$](_{1,2}[A-Za-z0-9]\w*)")
_IRI_BAD = set('<>"{}|^`\\') | {" ", "\t", "\n", "\r"}
_WHEN = re.compile(r"^([ \t]*)#([?!])([A-Za-z0-9]\w*(?:\|[A-Za-z0-9]\w*)*)[ \t]", re.M)
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


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
    """(name, required) of every ``?_name`` / ``?__name`` variable, in first-use order (those of
    ``#?name`` lines too, as optional: such a line is code only when its parameter is given)."""
    seen: dict[str, bool] = {}
    every = _WHEN.sub(lambda m: m.group(1), text)  # every conditional line as code
    conditional = {name for m in _WHEN.finditer(text) for name in m.group(3).split("|")}
    for kind, a, b in segments(every):
        if kind != "code":
            continue
        for m in _PARAM.finditer(every, a, b):
            seen.setdefault(m.group(2), len(m.group(1)) == 1 and m.group(2) not in conditional)
    return list(seen.items())


def _when(text: str, given: Callable[[str], bool]) -> str:
    """``text`` with the ``#?name`` lines whose parameter is ``given`` (``#!name``: is not) turned into code."""
    def line(m: re.Match[str]) -> str:
        any_given = any(given(name) for name in m.group(3).split("|"))
        return m.group(1) if any_given == (m.group(2) == "?") else m.group(0)

    return _WHEN.sub(line, text)


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


def _bound_text(term: Node) -> str:
    """``term_text``, an integer written bare: the same term, and what LIMIT and OFFSET take."""
    if isinstance(term, Literal) and str(term.datatype) == _XSD_INTEGER and re.fullmatch(r"-?\d+", str(term)):
        return str(term)
    return term_text(term)


def bind(text: str, values: dict[str, Node]) -> str:
    """``text`` with each bound ``?_name`` / ``?__name`` variable replaced by its term.

    Keys are variable names without the ``?`` (``_country``, ``__from``). Only variable
    tokens in code are replaced (never inside IRIs, strings or comments), and each value
    is written by ``term_text``, so a value can only ever be one RDF term. This is the
    substitution of SPARQL-dev SEP-0007: the parameter is a constant everywhere, inside
    sub-selects too, so a query can filter its narrow side first. Hence parameters must
    not be projected or assigned (``SELECT ?_x``, ``BIND(... AS ?_x)``); test optional
    ones with ``COALESCE(?__x, default)`` rather than ``BOUND``.
    """
    for name in values:
        if not re.fullmatch(r"_{1,2}[A-Za-z0-9]\w*", name):
            raise QueryError(f"not a parameter variable: {name!r}")
    terms = {name: _bound_text(term) for name, term in values.items()}
    names = {name.lstrip("_") for name in values}
    text = _when(text, lambda name: name in names)
    out: list[str] = []
    for kind, a, b in segments(text):
        chunk = text[a:b]
        if kind == "code" and terms:
            chunk = _VAR.sub(lambda m: terms.get(m.group(1), m.group(0)), chunk)
        out.append(chunk)
    return "".join(out)
