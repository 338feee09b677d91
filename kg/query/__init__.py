"""Stored SPARQL queries (``queries/*.rq``, grlc-style headers) run on the store or an endpoint.

Header lines start with ``#+``: ``summary``, ``description``, ``params`` (a list of
``- name: what it means``), ``defaults`` (``- name: value``) and ``example`` (the arguments
of an example run, e.g. ``--param country=FR``). Parameters are the
variables ``?_name`` (required) and ``?__name`` (optional, unbound when not given).
Values are bound as typed RDF terms (see ``typed_value``), never pasted into the text.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError
from kg.query.result import FORMATS, Result, from_json_term
from kg.query.sparqltext import bind, parameters, segments
from kg.vocab import PREFIXES

if TYPE_CHECKING:
    from kg.store import Store

__all__ = ["FORMATS", "Param", "Result", "StoredQuery", "list_queries", "load_query", "run_query", "typed_value"]

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_DATE_NAMES = ("from", "to", "until", "since", "end", "start")


@dataclass
class Param:
    name: str
    required: bool
    description: str = ""
    default: str | None = None
    variable: str = ""  # as written in the query, without "?": ``_name`` or ``__name``


@dataclass
class StoredQuery:
    name: str
    text: str
    path: Path | None = None
    summary: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    example: str = ""  # arguments of an example run, shown by `kg queries`

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]


def _header(text: str) -> dict[str, Any]:
    """``#+ key: value`` lines; a key with an empty value collects the ``#+   - item`` lines after it."""
    out: dict[str, Any] = {}
    current: str | None = None
    for line in text.splitlines():
        if not line.startswith("#+"):
            continue
        body = line[2:].strip()
        if body.startswith("- ") and current:
            item = body[2:].strip()
            key, sep, value = item.partition(":")
            out[current].append((key.strip(), value.strip()) if sep else (item, ""))
            continue
        key, _, value = body.partition(":")
        key, value = key.strip().lower(), value.strip()
        if value:
            out[key], current = value, None
        else:
            out[key], current = [], key
    return out


def parse_query(text: str, name: str, path: Path | None = None) -> StoredQuery:
    head = _header(text)
    docs = dict(head.get("params") or [])
    defaults = dict(head.get("defaults") or [])
    params = [Param(n, req and n not in defaults, docs.get(n, ""), defaults.get(n), ("_" if req else "__") + n)
              for n, req in parameters(text)]
    return StoredQuery(name, text, path, str(head.get("summary", "")), str(head.get("description", "")), params,
                       str(head.get("example", "")))


def _queries_dir() -> Path:
    from kg.resources import resource_dir

    try:
        return resource_dir("queries")
    except FileNotFoundError as exc:
        raise QueryError("the stored queries folder is missing", fix="reinstall diplomacy-kg") from exc


def list_queries() -> list[StoredQuery]:
    return [load_query(p) for p in sorted(_queries_dir().glob("*.rq"))]


def load_query(name_or_path: str | Path) -> StoredQuery:
    """A stored query by name (``countries-pledging-troops``) or a ``.rq`` file path."""
    path = Path(name_or_path)
    if not (path.suffix == ".rq" or path.is_file()):
        path = _queries_dir() / f"{name_or_path}.rq"
        if not path.is_file():
            names = ", ".join(p.stem for p in sorted(_queries_dir().glob("*.rq")))
            raise QueryError(f"no stored query named {str(name_or_path)!r}",
                             fix=f"run `kg queries` to list them: {names}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read the query: {exc}", where=path) from exc
    return parse_query(text, path.stem, path)


def _date_bound(name: str, value: str) -> Literal:
    """A date parameter; ``YYYY`` / ``YYYY-MM`` mean the first day, or the last for a ``to`` bound."""
    parts = [int(x) for x in value.split("-")]
    end = name in ("to", "until", "end")
    y, m = parts[0], (parts[1] if len(parts) > 1 else (12 if end else 1))
    d = parts[2] if len(parts) > 2 else (calendar.monthrange(y, m)[1] if end and 1 <= m <= 12 else 1)
    try:
        return Literal(date(y, m, d).isoformat(), datatype=XSD.date)
    except ValueError:
        raise QueryError(f"parameter {name}: {value!r} is not a valid date", fix="use YYYY-MM-DD") from None


def typed_value(name: str, value: str) -> Node:
    """The RDF term a parameter value stands for.

    http(s) IRIs -> IRI; ``from``/``to``/``*date`` or a YYYY-MM-DD value -> xsd:date;
    a whole number -> xsd:integer; ``country`` given as two letters -> upper-case ISO code;
    anything else -> a plain string literal.
    """
    if name in ("limit", "offset"):
        if not re.fullmatch(r"\d{1,9}", value):
            raise QueryError(f"parameter {name}: {value!r} is not a whole number", fix="give a number of rows, e.g. 50")
        return Literal(value, datatype=XSD.integer)
    if re.match(r"https?://", value):
        return URIRef(value)
    if name in _DATE_NAMES or name.endswith("date"):
        if not _DATE.fullmatch(value):
            raise QueryError(f"parameter {name}: {value!r} is not a date", fix="use YYYY-MM-DD, YYYY-MM or YYYY")
        return _date_bound(name, value)
    if _DATE.fullmatch(value) and len(value) == 10:
        return _date_bound(name, value)
    if re.fullmatch(r"-?\d+", value):
        return Literal(value, datatype=XSD.integer)
    if name == "country" and re.fullmatch(r"[A-Za-z]{2}", value):
        return Literal(value.upper())
    return Literal(value)


def bound_text(query: StoredQuery, params: dict[str, str]) -> str:
    """The query text with its parameters bound; checks names and required ones."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(params) - set(known))
    if unknown:
        takes = ", ".join(known) or "no parameters"
        raise QueryError(f"unknown parameter {unknown[0]!r} for query {query.name}", fix=f"it takes: {takes}")
    values: dict[str, Node] = {}
    for p in query.params:
        value = params.get(p.name, p.default)
        if value is None:
            if p.required:
                raise QueryError(f"query {query.name} needs the parameter {p.name!r}",
                                 fix=f"add --param {p.name}=VALUE" + (f" ({p.description})" if p.description else ""))
            continue
        values[p.variable] = typed_value(p.name, str(value))
    return bind(query.text, values)


def _is_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # any parse failure means "not an update"
        return False
    return True


def _prologue() -> str:
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


def run_query(target: Store | str, query: str | Path | StoredQuery, params: dict[str, str] | None = None, *,
              allow_update: bool = False, timeout: float = 60.0, resolve_names: bool = False) -> Result:
    """Run a stored query (name, path or StoredQuery) on a Store or a SPARQL endpoint URL.

    ``resolve_names``: a name parameter (leader, country, org, ...) that is not an exact label
    is first looked up by surname, alias or spelling variant (``kg.query.names``).
    """
    sq = query if isinstance(query, StoredQuery) else load_query(query)
    values = {k: str(v) for k, v in (params or {}).items()}
    if resolve_names:
        from kg.query.names import resolve_params

        values = resolve_params(sq, values, lambda text: _select(target, text, timeout))
    text = bound_text(sq, values)
    start = time.perf_counter()
    if isinstance(target, str):
        from kg.query.remote import run_remote

        result = run_remote(target, _prologue() + text, allow_update=allow_update, timeout=timeout,
                            is_update=_is_update)
    else:
        result = _run_local(target, text, allow_update)
    result.seconds = time.perf_counter() - start
    return result


def _select(target: Store | str, text: str, timeout: float) -> Result:
    """A read-only query through the same executor as ``run_query`` (store or endpoint)."""
    if isinstance(target, str):
        from kg.query.remote import run_remote

        return run_remote(target, _prologue() + text, allow_update=False, timeout=timeout, is_update=lambda _: False)
    return _run_local(target, text, False)


def _run_local(store: Store, text: str, allow_update: bool) -> Result:
    import pyoxigraph as ox

    from kg import summary
    from kg.store.terms import memo_to_rdflib

    code = "".join(text[a:b] for kind, a, b in segments(text) if kind != "comment")
    if any(name in code for name in summary.NAMES):  # a page not asked for (a comment) needs no summary
        summary.require(store, QueryError)
    try:
        # the default graph is the merge of the named graphs (each triple once); older stores: their union
        union = not store.merged_default
        answer = store.oxigraph.query(text, prefixes=dict(PREFIXES), use_default_graph_as_union=union)
    except SyntaxError as exc:
        if not _is_update(_prologue() + text):
            raise QueryError(f"invalid SPARQL: {exc}") from None
        if not allow_update:
            raise QueryError("this is a SPARQL Update; kg query does not change the store unless asked",
                             fix="add --allow-update (allow_update=True) if you mean to modify it") from None
        store.update(_prologue() + text)
        from kg.merge import update

        update(store)  # the links and the summary the stored queries read follow (a full merge pass)
        return Result(updated=True)
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc
    if isinstance(answer, ox.QueryBoolean):
        return Result(boolean=bool(answer))
    term = memo_to_rdflib()
    if isinstance(answer, ox.QueryTriples):
        rows = [{"subject": term(t.subject), "predicate": term(t.predicate), "object": term(t.object)}
                for t in answer]
        return Result(["subject", "predicate", "object"], rows)
    variables = [v.value for v in answer.variables]
    bindings = []
    for sol in answer:
        bindings.append({v: term(value) for v, value in zip(variables, sol, strict=True) if value is not None})
    return Result(variables, bindings)


def result_from_json(doc: dict[str, Any]) -> Result:
    if "boolean" in doc:
        return Result(boolean=bool(doc["boolean"]))
    variables = list(doc.get("head", {}).get("vars", []))
    rows = [{k: from_json_term(v) for k, v in b.items()} for b in doc.get("results", {}).get("bindings", [])]
    return Result(variables, rows)


def execute(query: str | Path, params: dict[str, str] | None = None, *, store: str | Path | None = None,
            endpoint: str | None = None, allow_update: bool = False, resolve_names: bool = True) -> Result:
    """Open the store (read-only unless updating) or use the endpoint, run the query, close.

    Name parameters are resolved (``kg.query.names``) unless ``resolve_names`` is false (``--exact``).
    """
    if endpoint:
        return run_query(endpoint, query, params, allow_update=allow_update, resolve_names=resolve_names)
    from kg.store import open_store

    with open_store(store, read_only=not allow_update) as st:
        return run_query(st, query, params, allow_update=allow_update, resolve_names=resolve_names)
