"""``publish_site``: a static linked-data folder anyone can put behind a web server.

Layout (a resource ``{base}person/emmanuel-macron`` lives at the same path under the folder)::

    index.html                      landing page: counts, dumps, links
    void.ttl                        VoID + DCAT description of the dataset and its dumps
    .htaccess, nginx.conf           content negotiation: Turtle / JSON-LD / HTML by Accept header
    dumps/diplomacy-kg.{ttl,trig,nt,nq,jsonld}[.gz]
    ontology/index.html, diplomacy.ttl, vocab.ttl
    classes/{Class}.html            every instance of a class
    person/emmanuel-macron.{ttl,jsonld,html}   one description per resource, and so on

Sibling files (``x.ttl`` next to ``x.html``) rather than ``x/index.html`` so that the
IRI without extension maps to a file with one rewrite rule and no trailing slash.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from kg import summary
from kg.errors import PublishError
from kg.publish import source as src
from kg.publish.dumps import dump_path, write_canonical, write_derived
from kg.publish.export import EXTENSIONS, FORMATS, MEDIA_TYPES
from kg.publish.files import CHUNK, check_target, fresh_folder, in_two_processes, swap_in
from kg.publish.html import Renderer, page, qname, rel, template
from kg.publish.jsonld import write_jsonld
from kg.publish.ontology_doc import GRAPHS, documented_anchors, ontology_page, ontology_store, ontology_turtle
from kg.publish.pages import Pages, statements, when
from kg.publish.rebase import rebased, with_slash
from kg.publish.views import VIEWS, asset_files, data_js, missing_libraries, view_page
from kg.publish.views_data import Model, build_model, sort_key, store_select, view_data
from kg.publish.void import Dump, class_partitions, void_graph
from kg.vocab import DEFAULT_BASE_IRI, PREFIXES, VOCAB_BASE

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "https://schema.org/headline")
RESERVED = {"dumps", "ontology", "classes", "index", "views", "assets", "void.ttl", ".htaccess", "nginx.conf"}
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
DUMP_NAME = "diplomacy-kg"
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_WEB = re.compile(r"^https?://", re.IGNORECASE)
MAX_INCOMING = 200
#: the dumps, the longest to write first (so that neither process is left with a long one at the end)
DUMP_ORDER = ("jsonld", "trig", "turtle", "nquads", "nt")


@dataclass
class SiteReport:
    out_dir: Path
    resources: int = 0
    files: int = 0
    triples: int = 0
    skipped: list[str] = field(default_factory=list)  # resource IRIs whose path is not file-safe
    missing_libraries: list[str] = field(default_factory=list)  # npm files the views lack (run npm ci in web/)


def resource_path(iri: str, base_iri: str) -> str | None:
    """Site path (without extension) of a resource IRI, or None when it cannot be a safe file name."""
    if not iri.startswith(base_iri):
        return None
    rest = iri[len(base_iri):]
    parts = rest.split("/")
    if not rest or parts[0] in RESERVED or not all(_SEGMENT.match(p) for p in parts):
        return None
    return rest


def _write(path: Path, data: bytes | str, report: SiteReport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    report.files += 1


def _labeller(store: ox.Store) -> Callable[[str], str | None]:
    """IRI -> its label: every label of the store read in one pass per predicate (not a look-up per IRI).

    The preferred label: the first of ``LABELS`` the IRI has, English or untagged first, then by text.
    """
    found: dict[str, str] = {}
    for pred in LABELS:
        values: dict[str, list[ox.Literal]] = {}
        for q in store.quads_for_pattern(None, ox.NamedNode(pred), None, None):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                values.setdefault(q.subject.value, []).append(q.object)
        for iri, lits in values.items():
            if iri not in found:
                found[iri] = min(lits, key=lambda lit: ((lit.language or "") not in ("", "en"), lit.value)).value
    return found.get


def _resources(store: ox.Store, base_iri: str, report: SiteReport) -> dict[str, str]:
    """IRI -> site path (no extension) of every typed resource under the base."""
    typed = {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None)
             if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(base_iri)}
    found: dict[str, str] = {}
    for iri in sorted(typed):
        path = resource_path(iri, base_iri)
        if path is None:
            report.skipped.append(iri)
        else:
            found[iri] = path
    return found


def _resource_page(iri: str, path: str, triples: list[ox.Triple], incoming: list[tuple[str, str]], r: Renderer,
                   words: Pages | None = None) -> str:
    """A resource's page: in words when the model knows it, the raw statements folded below."""
    current = path + ".html"
    rows = "".join(f"<tr><th>{r.link(current, t.predicate.value, qname(t.predicate.value))}</th>"
                   f"<td>{r.term(current, t.object)}</td></tr>" for t in triples)
    return resource_html(iri, path, rows, incoming, r, words)


def _statements(texts: list[tuple[Path, ox.RdfFormat]], resources: dict[str, str], index: str
                ) -> tuple[dict[str, list[ox.Triple]], dict[str, list[tuple[str, str]]]]:
    """Per resource, what all graphs say about it (as ``src.subject_triples``) and who refers to it
    (not the summary's index nodes, whose IRIs start with ``index``).

    Read from the canonical dumps just written (every graph's quads, and the merged view): parsing
    a file is ~10x faster than scanning the on-disk store, and it is one pass.
    """
    about: dict[str, set[tuple[Any, Any]]] = {iri: set() for iri in resources}
    refs: dict[str, set[tuple[str, str]]] = {}
    for path, fmt in texts:
        for q in ox.parse(path=path, format=fmt):
            s, o = q.subject, q.object
            if not isinstance(s, ox.NamedNode):
                continue
            seen = about.get(s.value)
            if seen is not None:
                seen.add((q.predicate, o))
            if isinstance(o, ox.NamedNode) and o.value in about and not s.value.startswith(index):
                refs.setdefault(o.value, set()).add((s.value, q.predicate.value))
    triples: dict[str, list[ox.Triple]] = {}
    for iri, pairs in about.items():
        node = ox.NamedNode(iri)
        triples[iri] = sorted((ox.Triple(node, p, o) for p, o in pairs), key=str)
    return triples, {iri: sorted(pairs) for iri, pairs in refs.items()}


def resource_html(iri: str, path: str, rows: str, incoming: list[tuple[str, str]], r: Renderer,
                  words: Pages | None, nav: str | None = None) -> str:
    """The page of ``iri`` at ``path`` (``kg serve`` renders the same, live)."""
    current = path + ".html"
    name = path.rsplit("/", 1)[-1]
    head = (f'<link rel="alternate" type="text/turtle" href="{escape(name)}.ttl">\n'
            f'<link rel="alternate" type="application/ld+json" href="{escape(name)}.jsonld">')
    found = words.body(iri, current) if words is not None else None
    title, body = found if found else (r.labels(iri) or iri, f"<h1>{escape(r.labels(iri) or iri)}</h1>")

    def label(i: str) -> str:
        known = words is not None and (i in words.m.entities or i in words.m.events or i in words.m.articles)
        return words.m.label(i) if words is not None and known else r.labels(i) or qname(i)

    links = (f'<p class="iri">{escape(iri)} · <a href="{escape(name)}.ttl">Turtle</a> · '
             f'<a href="{escape(name)}.jsonld">JSON-LD</a></p>')
    return page(current, title, body + links + statements(rows, incoming, current, r, label, qname, MAX_INCOMING),
                head, nav)


def _dump_list(out_dir: Path) -> list[Dump]:
    """The dumps written, with their sizes, in the order of ``FORMATS`` (each plain, then gzipped)."""
    dumps = []
    for fmt in FORMATS:
        rel_path = f"dumps/{DUMP_NAME}{EXTENSIONS[fmt]}"
        for path, gzipped in ((rel_path, False), (rel_path + ".gz", True)):
            dumps.append(Dump(path, MEDIA_TYPES[fmt], (out_dir / path).stat().st_size, gzipped))
    return dumps


def _class_pages(triples: dict[str, list[ox.Triple]], r: Renderer, out_dir: Path,
                 report: SiteReport, model: Model) -> dict[str, tuple[str, int]]:
    """Write classes/{Class}.html (``triples``: each resource's statements); class IRI -> (page path, count)."""
    members: dict[str, list[str]] = {}
    for iri, mine in triples.items():
        for t in mine:
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                members.setdefault(t.object.value, []).append(iri)
    pages: dict[str, tuple[str, int]] = {}
    for cls, iris in sorted(members.items()):
        name = re.sub(r"[^A-Za-z0-9_-]", "-", qname(cls).replace(":", "-"))
        current = f"classes/{name}.html"
        title = r.labels(cls) or qname(cls)
        unique = sorted(set(iris), key=lambda i: (sort_key(model.events[i]) if i in model.events else
                                                  ("", (r.labels(i) or i).lower(), i)))
        items = "".join(f"<li>{_dated(model, i)}{r.link(current, i)}</li>" for i in unique)
        content = (f"<h1>{escape(title)}</h1><p>{len(unique)} resources of type "
                   f"{r.link(current, cls, qname(cls))}.</p><ul>{items}</ul>")
        _write(out_dir / current, page(current, title, content), report)
        pages[cls] = (current, len(unique))
    return pages


def _dated(model: Model, iri: str) -> str:
    """An event's date before its link on a class page (meetings and pledges are listed by date)."""
    return f'<span class="date">{when(model.events[iri].date)}</span> ' if iri in model.events else ""


def _index(title: str, report: SiteReport, classes: dict[str, tuple[str, int]], dumps: list[Dump],
           r: Renderer, sparql_endpoint: str | None) -> str:
    current = "index.html"
    rows = "".join(f'<tr><td><a href="{escape(path)}">{escape(r.labels(cls) or qname(cls))}</a></td>'
                   f"<td>{count}</td></tr>" for cls, (path, count) in classes.items())
    files = "".join(f'<li><a href="{escape(d.path)}">{escape(d.path.rsplit("/", 1)[-1])}</a> '
                    f'<span class="dt">{escape(d.media_type)}{" (gzip)" if d.gzipped else ""}, '
                    f"{d.size:,} bytes</span></li>" for d in dumps)
    explore = "".join(f'<li><a href="views/{name}.html">{escape(t)}</a>: {escape(about)}</li>'
                      for name, (t, about, _) in VIEWS.items())
    endpoint = (f'<p>SPARQL endpoint: <a href="{escape(sparql_endpoint)}">{escape(sparql_endpoint)}</a></p>'
                if sparql_endpoint and _WEB.match(sparql_endpoint) else "")
    content = (f"<h1>{escape(title)}</h1><p>{report.triples:,} triples, {report.resources:,} resources. "
               f'Dataset description: <a href="void.ttl">void.ttl</a>; ontology: '
               f'<a href="{rel(current, "ontology/index.html")}">documentation</a>.</p>{endpoint}'
               f"<h2>Explore</h2><ul>{explore}</ul>"
               f"<h2>Resources</h2><table><tr><th>class</th><th>resources</th></tr>{rows}</table>"
               f"<h2>Downloads</h2><ul>{files}</ul>")
    return page(current, title, content)


def _check_url(value: str, what: str, option: str, *, web: bool) -> None:
    """Refuse, before anything is written, a value no page or RDF file could carry (or a ``javascript:`` link)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    kind = "http(s) URL" if web else "absolute IRI"
    if (parts is None or _BAD_IRI.search(value) or not parts.scheme
            or (web and (parts.scheme.lower() not in ("http", "https") or not parts.hostname))):
        raise PublishError(f"{what} {value!r} is not a valid {kind} (no spaces, quotes or <>{{}}|\\^`)",
                           fix=f"give {option} as e.g. https://example.org/kg/, percent-encoding what must be")


def _typed_elsewhere(store: ox.Store, base_iri: str) -> str | None:
    """A typed resource outside ``base_iri`` and outside the ontology and vocabularies, if there is one."""
    skip = (base_iri, VOCAB_BASE, PREFIXES["dip"].rstrip("#"), *PREFIXES.values())
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None):
        if isinstance(q.subject, ox.NamedNode) and not q.subject.value.startswith(skip):
            return q.subject.value
    return None


def publish_site(source: Any, out_dir: Path, *, base_iri: str = DEFAULT_BASE_IRI, site_url: str | None = None,
                 sparql_endpoint: str | None = None, title: str = "diplomacy-kg",
                 source_base: str | None = None) -> SiteReport:
    """Write the linked-data folder for ``source``; ``site_url`` is where it is served (default: the base).

    ``source_base``: the base the source's IRIs were minted under (default: a kg Store's own
    ``base_iri``); when ``base_iri`` differs, every IRI under it is re-based, in pages and dumps.
    The folder is built beside ``out_dir`` and swapped in: nothing half-written, no stale page,
    no symlink inside it followed (see ``kg.publish.files``).
    """
    base_iri = with_slash(base_iri)
    _check_url(base_iri, "the base IRI", "--base-iri", web=False)
    site_url = site_url or base_iri
    if not site_url.endswith("/"):
        site_url += "/"
    _check_url(site_url, "the site URL", "--site-url", web=True)
    if sparql_endpoint:
        _check_url(sparql_endpoint, "the SPARQL endpoint", "--sparql-endpoint", web=True)
    out_dir = Path(out_dir)
    target = out_dir.resolve()  # a deploy link given as the folder itself is followed; links inside never
    check_target(target)
    summary.require(source, PublishError)  # its dumps would give the global queries no rows where loaded
    report = SiteReport(out_dir)
    if source_base is None:
        source_base = getattr(source, "base_iri", None)
    tmp: Path | None = None
    try:
        with rebased(source, source_base, base_iri) as view:
            tmp = fresh_folder(target)
            _build(view, tmp, base_iri, site_url, sparql_endpoint, title, report)
        swap_in(tmp, target)
        tmp = None
    except OSError as exc:
        raise PublishError(f"cannot write the site: {exc.strerror or exc}", where=getattr(exc, "filename", None)
                           or out_dir, fix="check the folder and the one around it are writable and have space"
                           ) from exc
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return report


def _views(model: Model, pages: dict[str, str], base_iri: str, out_dir: Path, report: SiteReport) -> None:
    """views/*.html and their data, assets/ (our script and style, the npm libraries)."""
    _write(out_dir / "views" / "data.js", data_js(view_data(model, pages.get, base_iri)), report)
    for name in VIEWS:
        _write(out_dir / "views" / f"{name}.html", view_page(name), report)
    for rel_path, data in asset_files().items():
        _write(out_dir / rel_path, data, report)
    report.missing_libraries = missing_libraries()


def _resource_files(part: list[tuple[str, str]], triples: dict[str, list[ox.Triple]],
                    incoming: dict[str, list[tuple[str, str]]], out_dir: Path, base_iri: str, r: Renderer,
                    words: Pages) -> int:
    """Write the Turtle, JSON-LD and HTML of some resources; returns the number of files."""
    folders: set[str] = set()
    for iri, path in part:
        mine = triples[iri]
        folder = path.rpartition("/")[0]
        if folder not in folders:  # one mkdir per folder, not per resource
            (out_dir / folder).mkdir(parents=True, exist_ok=True)
            folders.add(folder)
        where = os.path.join(out_dir, path)
        _put(where + ".ttl", ox.serialize(mine, None, ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"")
        buf = io.StringIO()
        write_jsonld(buf, [(ox.DefaultGraph(), mine)], base_iri)
        _put(where + ".jsonld", buf.getvalue().encode("utf-8"))
        page_html = _resource_page(iri, path, mine, incoming.get(iri, []), r, words)
        _put(where + ".html", page_html.encode("utf-8"))
    return 3 * len(part)


def _put(path: str, data: bytes) -> None:
    """A new file (the folder is fresh: nothing to truncate, no link to follow), mode from the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


#: a unit of work either process may take: a dump format, or the pages of some resources
Task = tuple[str, list[tuple[str, str]]]


def _build(source: Any, out_dir: Path, base_iri: str, site_url: str, sparql_endpoint: str | None, title: str,
           report: SiteReport) -> None:
    store = src.as_oxigraph(source)
    resources = _resources(store, base_iri, report)
    if not resources:
        elsewhere = _typed_elsewhere(store, base_iri)
        if elsewhere is not None:
            raise PublishError(f"no resource of the data is under the base IRI {base_iri} (e.g. {elsewhere} is "
                               "not): the site would have no page", fix="give --base-iri the base the data was "
                               "minted with, or publish from a kg store (its IRIs are re-based)")
    folder = out_dir / "dumps"
    with ThreadPoolExecutor(1) as background:  # Oxigraph writes these (two processes for the N-Quads) meanwhile
        canonical = background.submit(write_canonical, source, folder, DUMP_NAME)  # no kg store's merged view
        labels = _labeller(store)
        pages = {iri: path + ".html" for iri, path in resources.items()}
        onto = ontology_store(store)
        r = Renderer(pages, labels, documented_anchors(onto))
        model = build_model(store_select(store, union=not src.merged_default(source)))
        words = Pages(model, r)
        canonical.result()
    triples, incoming = _statements([(dump_path(folder, DUMP_NAME, "nquads"), ox.RdfFormat.N_QUADS),
                                     (dump_path(folder, DUMP_NAME, "nt"), ox.RdfFormat.N_TRIPLES)], resources,
                                    summary.node_prefix(base_iri))
    report.resources = len(resources)
    classes: dict[str, tuple[str, int]] = {}

    def rest() -> None:  # what only this process does (it reads the store), while the other takes tasks
        for filename, graph in GRAPHS.items():
            _write(out_dir / "ontology" / filename, ontology_turtle(onto, graph), report)
        _write(out_dir / "ontology" / "index.html", ontology_page(onto), report)
        report.triples = src.count_merged(store)
        classes.update(_class_pages(triples, r, out_dir, report, model))
        _views(model, pages, base_iri, out_dir, report)

    def run(tasks: list[Task]) -> int:
        files = 0
        for kind, part in tasks:
            if kind == "pages":
                files += _resource_files(part, triples, incoming, out_dir, base_iri, r, words)
            else:
                write_derived(folder, DUMP_NAME, kind, base_iri)
                files += 2
        return files

    items = list(resources.items())
    tasks: list[Task] = [(fmt, []) for fmt in DUMP_ORDER]
    tasks += [("pages", items[i:i + CHUNK]) for i in range(0, len(items), CHUNK)]
    written = in_two_processes(tasks, run, first=rest, chunk=1)
    report.files += written  # after rest() has counted its own
    dumps = _dump_list(out_dir)
    void = void_graph(site_url=site_url, base_iri=base_iri, title=title, triples=report.triples,
                      entities=len(resources), classes=class_partitions(store), dumps=dumps,
                      sparql_endpoint=sparql_endpoint)
    _write(out_dir / "void.ttl", void.serialize(format="turtle", encoding="utf-8"), report)
    _write(out_dir / ".htaccess", template("htaccess").template, report)
    _write(out_dir / "nginx.conf", template("nginx.conf").template, report)
    _write(out_dir / "index.html", _index(title, report, classes, dumps, r, sparql_endpoint), report)
