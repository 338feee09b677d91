"""The HTML side of ``kg serve``: the site's views and pages, live over the store, stored queries
as forms with result tables, and a SPARQL editor. The SPARQL 1.1 Protocol endpoint (``/sparql``,
``/query``) is untouched: ``kg.serve`` hands a GET here only for the paths ``handles`` claims.

Every query runs in the server's query pool (``kg.serve_pool``), with its time, result and
memory limits. Pages are the published site's (``kg.publish``), answered at the same paths, so
their relative links work; the data behind them is rebuilt from the store at most every
``TTL`` seconds, so new commits show up. Responses carry a Content-Security-Policy that lets a
page load nothing from anywhere but this server.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.errors import KgError, ServeError
from kg.publish import gazetteer
from kg.publish.html import Renderer, page, qname
from kg.publish.ontology_doc import documented_anchors, ontology_page, ontology_store
from kg.publish.pages import Pages
from kg.publish.site import resource_html, resource_path
from kg.publish.views import VIEWS, asset_files, data_js, view_page
from kg.publish.views_data import Model, Select, build_model, view_data
from kg.query import StoredQuery, bound_text, list_queries, load_query
from kg.serve_pool import Busy, Request
from kg.summary import node_prefix
from kg.vocab import DEFAULT_BASE_IRI, PREFIXES

TTL = 5.0
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
NAV = ('<a href="{up}ontology/index.html">ontology</a> <a href="{up}queries/index.html">queries</a> '
       '<a href="{up}sparql-editor.html">SPARQL</a>')
PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
DOWNLOADS = {"csv": ("text/csv", "text/csv; charset=utf-8"), "tsv": ("text/tab-separated-values",
             "text/tab-separated-values; charset=utf-8"), "json": ("application/sparql-results+json",
                                                                  "application/sparql-results+json")}
_lock = threading.Lock()


@dataclass
class Live:
    """The model of the store as it was at ``made``, and what renders it."""

    made: float
    model: Model
    base: str
    pages: dict[str, str]
    words: Pages
    data: str


def handles(path: str, params: dict[str, list[str]]) -> bool:
    """Does the UI answer this GET? (Never for the protocol paths, nor ``/`` with a query.)"""
    if path in ("/sparql", "/query"):
        return False
    if path == "/":
        return "query" not in params
    return path.startswith("/queries/") or path.endswith((".html", ".js", ".css", ".ttl", ".jsonld"))


def nav(current: str) -> str:
    return NAV.format(up="../" * current.count("/"))


def _select(server: Any) -> Select:
    def select(text: str) -> list[dict[str, str]]:
        doc = json.loads(_run(server, text, "application/sparql-results+json"))
        return [{k: v["value"] for k, v in b.items()} for b in doc.get("results", {}).get("bindings", [])]

    return select


def _run(server: Any, text: str, accept: str) -> bytes:
    req = Request(text, accept=accept, union=not server.merged_default, max_result=server.max_result)
    answer = server.pool.run(req, server.query_timeout)
    if answer is None:
        raise ServeError(f"the query ran longer than the {server.query_timeout or 0:g} s limit and was stopped",
                         fix="narrow it, or restart kg serve with a higher --query-timeout")
    status, body, _ = answer
    if status != 200:
        raise ServeError(body.decode("utf-8", "replace").strip()[:500])
    return body


def _base(model: Model) -> str:
    """The base IRI the store's resources were minted under (read from an article's IRI)."""
    for iri in sorted(model.articles):
        if "/article/" in iri:
            return iri[: iri.rindex("/article/") + 1]
    return DEFAULT_BASE_IRI


def live(server: Any) -> Live:
    """The model, rebuilt when older than ``TTL`` (one rebuild at a time)."""
    with _lock:
        cached: Live | None = getattr(server, "_kg_live", None)
        if cached is not None and time.monotonic() - cached.made < TTL:
            return cached
        reading = threading.Thread(target=gazetteer.warm, daemon=True)  # the map's gazetteer, read meanwhile:
        reading.start()  # the model's queries run in the server's query processes
        model = build_model(_select(server))
        reading.join()
        base = _base(model)
        pages = {}
        for iri in (*model.entities, *model.events, *model.articles, *model.evidence):
            path = resource_path(iri, base)
            if path is not None:
                pages[iri] = path + ".html"
        renderer = Renderer(pages, lambda i: model.label(i) if i in pages else None, set(_anchors()))
        made = Live(time.monotonic(), model, base, pages, Pages(model, renderer),
                    data_js(view_data(model, pages.get, base)))
        server._kg_live = made
        return made


@cache
def _onto() -> ox.Store:
    return ontology_store(ox.Store())


@cache
def _anchors() -> frozenset[str]:
    return frozenset(documented_anchors(_onto()))


@cache
def _assets() -> dict[str, bytes]:
    return asset_files()


def answer(handler: Any, path: str, params: dict[str, list[str]]) -> None:
    """Answer a GET the UI handles: 200 with the page, 404, or 503 with the reason."""
    send = handler._send
    headers = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    try:
        found = _route(handler.server, path.lstrip("/") or "index.html", params)
    except Busy as busy:
        send(503, b"busy: every query slot is taken; retry shortly\n", "text/plain; charset=utf-8",
             {"Retry-After": str(busy.seconds)})
        return
    except KgError as exc:
        send(503, (str(exc) + "\n").encode("utf-8"), "text/plain; charset=utf-8")
        return
    if found is None:
        handler._error(404, f"nothing at {path[:200]}; the endpoint is /sparql, the pages start at /")
        return
    body, ctype, extra = found
    send(200, body, ctype, {**headers, **extra})


Found = tuple[bytes, str, dict[str, str]] | None
HTML = "text/html; charset=utf-8"


def _html(text: str) -> Found:
    return text.encode("utf-8"), HTML, {}


def _route(server: Any, path: str, params: dict[str, list[str]]) -> Found:
    if path in ("index.html", ""):
        return _html(_home(live(server)))
    if path.startswith("assets/"):
        data = _assets().get(path)
        ctype = "text/css" if path.endswith(".css") else "text/javascript"
        return None if data is None else (data, ctype + "; charset=utf-8", {"Cache-Control": "max-age=300"})
    if path == "views/data.js":
        return live(server).data.encode("utf-8"), "text/javascript; charset=utf-8", {}
    if path.startswith("views/") and path[6:-5] in VIEWS and path.endswith(".html"):
        return _html(view_page(path[6:-5], nav(path)))
    if path == "ontology/index.html":
        return _html(ontology_page(_onto()))
    if path in ("queries/", "queries/index.html"):
        return _html(_queries())
    if path.startswith("queries/"):
        return _query(server, path[len("queries/"):], params)
    if path == "sparql-editor.html":
        return _html(_editor())
    return _resource(server, path)


def _home(lv: Live) -> str:
    m = lv.model
    kinds = {k: sum(1 for e in m.entities.values() if e.kind == k) for k in ("leader", "country", "organisation")}
    meetings = sum(1 for e in m.events.values() if e.kind == "meeting")
    counts = [(len(m.articles), "articles"), (kinds["leader"], "leaders"), (kinds["country"], "countries"),
              (kinds["organisation"], "organisations"), (meetings, "meetings"), (len(m.events) - meetings, "pledges")]
    views = "".join(f'<li><a href="views/{n}.html">{escape(t)}</a>: {escape(a)}</li>' for n, (t, a, _) in VIEWS.items())
    content = ("<h1>diplomacy-kg</h1><p class=\"sub\">Live over the store. The SPARQL 1.1 Protocol endpoint is "
               "<code>/sparql</code>.</p>" + Pages.counts(counts) + f"<h2>Explore</h2><ul>{views}"
               '<li><a href="queries/index.html">Stored queries</a>: the questions kg answers, as forms</li>'
               '<li><a href="sparql-editor.html">SPARQL editor</a>: any read-only query</li></ul>')
    return page("index.html", "diplomacy-kg", content, nav=nav("index.html"))


def _form(sq: StoredQuery, params: dict[str, list[str]], current: str) -> str:
    fields = "".join(
        f'<label>{escape(p.name)}{"" if p.required else " (optional)"} <input name="{escape(p.name)}" '
        f'value="{escape((params.get(p.name) or [""])[0])}" placeholder="{escape(p.default or "")}"> '
        f'<span class="dt">{escape(p.description)}</span></label>' for p in sq.params)
    return (f'<form class="query" method="get" action="{escape(sq.name)}.html">{fields}'
            '<input type="hidden" name="run" value="1"><button type="submit">Run</button></form>')


def _queries() -> str:
    items = []
    for sq in list_queries():
        items.append(f'<h2><a href="{escape(sq.name)}.html">{escape(sq.name)}</a></h2>'
                     f"<p>{escape(sq.summary)}</p>{_form(sq, {}, 'queries/index.html')}")
    return page("queries/index.html", "Stored queries", "<h1>Stored queries</h1>" + "".join(items),
                nav=nav("queries/index.html"))


def _query(server: Any, name: str, params: dict[str, list[str]]) -> Found:
    stem, _, ext = name.rpartition(".")
    if ext not in ("html", *DOWNLOADS) or stem not in {q.name for q in list_queries()}:
        return None  # only the stored queries, by name: never a file path
    sq = load_query(stem)
    values = {k: v[0] for k, v in params.items() if k not in ("run",) and v and v[0].strip()}
    if ext in DOWNLOADS:
        accept, ctype = DOWNLOADS[ext]
        body = _run(server, PROLOGUE + bound_text(sq, values), accept)
        return body, ctype, {"Content-Disposition": f'attachment; filename="{stem}.{ext}"'}
    current = f"queries/{stem}.html"
    result = ""
    if "run" in params or values:
        try:
            doc = json.loads(_run(server, PROLOGUE + bound_text(sq, values), "application/sparql-results+json"))
            result = _table(doc, live(server), current, urlencode(values))
        except KgError as exc:
            result = f'<p class="error">{escape(str(exc))}</p>'
    content = (f"<h1>{escape(sq.name)}</h1><p class=\"sub\">{escape(sq.summary)}</p>"
               f"<p>{escape(sq.description)}</p>{_form(sq, params, current)}{result}"
               f"<details><summary>SPARQL</summary><pre>{escape(sq.text)}</pre></details>")
    return _html(page(current, sq.name, content, nav=nav(current)))


def _table(doc: dict[str, Any], lv: Live, current: str, query: str) -> str:
    names = list(doc.get("head", {}).get("vars", []))
    rows = doc.get("results", {}).get("bindings", [])
    stem = current.rsplit("/", 1)[-1][:-5]
    links = " · ".join(f'<a href="{escape(stem)}.{ext}?{escape(query)}">{ext.upper()}</a>' for ext in DOWNLOADS)
    head = "".join(f"<th>{escape(n)}</th>" for n in names)
    body = []
    for row in rows:
        cells = []
        for n in names:
            term = row.get(n)
            if term is None:
                cells.append("<td></td>")
            elif term.get("type") == "uri" and term["value"] in lv.pages:
                cells.append(f"<td>{lv.words.r.link(current, term['value'])}</td>")
            elif term.get("type") == "uri":
                cells.append(f'<td class="iri">{escape(qname(term["value"]))}</td>')
            else:
                cells.append(f"<td>{escape(term.get('value', ''))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<h2>Results <span class="dt">{len(rows)} rows</span></h2><p>Download: {links}</p>'
            f'<table class="results" id="results"><tr>{head}</tr>{"".join(body)}</table>')


def _editor() -> str:
    examples = {sq.name: sq.text for sq in list_queries() if not sq.params}
    options = "".join(f'<option value="{escape(n)}">{escape(n)}</option>' for n in examples)
    prefixes = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items() if k in ("dip", "rdfs", "schema", "skos"))
    start = prefixes + "SELECT ?meeting ?label ?date WHERE {\n  ?meeting a dip:Meeting ; rdfs:label ?label .\n" \
        "  OPTIONAL { ?meeting dip:date ?date }\n} ORDER BY ?date LIMIT 50\n"
    data = escape(json.dumps({"examples": examples, "prefixes": dict(PREFIXES)}))
    content = (
        "<h1>SPARQL editor</h1><p class=\"sub\">Read-only queries against <code>/sparql</code> (SPARQL 1.1 "
        "Protocol). Ctrl-Enter runs.</p>"
        f'<p><label>Examples <select id="sparql-examples"><option value="">—</option>{options}</select></label> '
        '<button type="button" id="sparql-prefixes">Add prefixes</button></p>'
        f'<textarea id="sparql-query" class="sparql" rows="14" spellcheck="false">{escape(start)}</textarea>'
        '<p><button type="button" id="sparql-run">Run</button> Download: '
        '<button type="button" data-format="text/csv" class="sparql-download">CSV</button> '
        '<button type="button" data-format="application/sparql-results+json" class="sparql-download">JSON</button>'
        ' <span id="sparql-status" class="dt"></span></p><div id="sparql-results"></div>'
        f'<div id="sparql-config" data-config="{data}" hidden></div>'
        '<link rel="stylesheet" href="assets/lib/codemirror.css">'
        '<script src="assets/lib/codemirror.js"></script><script src="assets/lib/sparql.js"></script>'
        '<script src="assets/sparql-editor.js"></script>')
    return page("sparql-editor.html", "SPARQL editor", content, nav=nav("sparql-editor.html"))


def _resource(server: Any, path: str) -> Found:
    stem, _, ext = path.rpartition(".")
    if ext not in ("html", "ttl", "jsonld"):
        return None
    lv = live(server)
    iri = lv.base + stem
    if resource_path(iri, lv.base) != stem or iri not in lv.pages:
        return None
    node = f"<{iri}>"
    if ext == "ttl":
        body = _run(server, f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}", "text/turtle")
        return body, "text/turtle; charset=utf-8", {}
    nt = _run(server, f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}", "application/n-triples")
    triples = sorted((q.triple for q in ox.parse(nt, ox.RdfFormat.N_TRIPLES)), key=str)
    if ext == "jsonld":
        import io

        from kg.publish.jsonld import write_jsonld

        buf = io.StringIO()
        write_jsonld(buf, [(ox.DefaultGraph(), triples)], lv.base)
        return buf.getvalue().encode("utf-8"), "application/ld+json", {}
    r = lv.words.r
    rows = "".join(f"<tr><th>{r.link(path, t.predicate.value, qname(t.predicate.value))}</th>"
                   f"<td>{r.term(path, t.object)}</td></tr>" for t in triples)
    incoming = [(row["s"], row["p"]) for row in _select(server)(
        f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {node} FILTER(isIRI(?s) && !STRSTARTS(STR(?s), "
        f"{json.dumps(node_prefix(lv.base))})) }} LIMIT 500")]
    return _html(resource_html(iri, stem, rows, incoming, r, lv.words, nav(path)))
