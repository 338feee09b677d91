"""kg publish: the linked-data folder is complete, its links resolve, VoID counts are right."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from typer.testing import CliRunner

from kg.publish import publish_site
from kg.publish.site import resource_path

DATA = Path(__file__).parent / "data" / "publish"
B = "https://w3id.org/diplomacy-kg/id/"
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DIP = "https://w3id.org/diplomacy-kg/ontology#"


def local_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(DATA / "store.trig"), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    publish_site(local_store(), out, base_iri=B, sparql_endpoint="https://example.org/sparql")
    return out


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value:
                self.hrefs.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def test_every_relative_link_resolves_inside_the_folder(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    checked = 0
    for page in pages:
        for href in parse(page).hrefs:
            if urlsplit(href).scheme:
                continue
            path, _, fragment = href.partition("#")
            target = (page.parent / path).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: broken link {href}"
            assert site.resolve() in target.parents, f"{page.relative_to(site)}: {href} leaves the folder"
            if fragment and target.suffix == ".html":
                assert fragment in parse(target).ids, f"{page.relative_to(site)}: no #{fragment} in {path}"
            checked += 1
    assert checked > 100


def test_each_resource_has_turtle_jsonld_and_html(site: Path) -> None:
    store = local_store()
    typed = {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None, None) if q.subject.value.startswith(B)}
    assert len(typed) == 13
    for iri in typed:
        rel = iri[len(B):]
        for ext in (".ttl", ".jsonld", ".html"):
            assert (site / (rel + ext)).is_file(), rel + ext
        described = Graph().parse(site / (rel + ".ttl"), format="turtle")
        expected = {(q.predicate.value, str(q.object)) for q in store.quads_for_pattern(ox.NamedNode(iri), None,
                                                                                         None, None)}
        assert len(described) == len(expected)
        assert set(described.subjects()) == {URIRef(iri)}
        jsonld = Graph().parse(site / (rel + ".jsonld"), format="json-ld")
        assert len(jsonld) == len(described)


def test_resource_page_links_to_related_resources_and_ontology(site: Path) -> None:
    hrefs = parse(site / "person" / "keir-starmer.html").hrefs
    assert "../country/GB.html" in hrefs
    assert "../ontology/index.html#leaderOf" in hrefs
    assert "../article/reuters-2025-02-10.html" in hrefs
    html = (site / "country" / "GB.html").read_text()
    assert "Referenced by" in html and "../pledge/77ab.html" in html


def test_void_counts_match_the_graph(site: Path) -> None:
    void = Graph().parse(site / "void.ttl", format="turtle")
    ds = next(void.subjects(VOID.triples, None))
    merged = {(q.subject, q.predicate, q.object) for q in local_store()}
    assert int(void.value(ds, VOID.triples)) == len(merged)  # type: ignore[arg-type]
    dump = Graph().parse(site / "dumps" / "diplomacy-kg.nt", format="nt")
    assert len(dump) == len(merged)
    assert int(void.value(ds, VOID.entities)) == 13  # type: ignore[arg-type]
    assert str(void.value(ds, VOID.uriSpace)) == B
    assert str(void.value(ds, VOID.sparqlEndpoint)) == "https://example.org/sparql"
    parts = {str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities))  # type: ignore[arg-type]
             for p in void.objects(ds, VOID.classPartition)}
    assert parts[DIP + "Leader"] == 2 and parts[DIP + "Country"] == 3 and parts[DIP + "Meeting"] == 2


def test_every_distribution_is_described_with_its_real_size(site: Path) -> None:
    void = Graph().parse(site / "void.ttl", format="turtle")
    dists = list(void.subjects(None, DCAT.Distribution))
    assert len(dists) == 10  # five formats, plain and gzipped
    for dist in dists:
        url = str(void.value(dist, DCAT.downloadURL))
        local = site / url[len(B):]
        assert local.is_file()
        assert int(void.value(dist, DCAT.byteSize)) == local.stat().st_size  # type: ignore[arg-type]
        assert void.value(dist, DCAT.mediaType) is not None
    assert gzip.decompress((site / "dumps" / "diplomacy-kg.ttl.gz").read_bytes()) == \
        (site / "dumps" / "diplomacy-kg.ttl").read_bytes()


def test_ontology_page_documents_terms_and_schemes(site: Path) -> None:
    links = parse(site / "ontology" / "index.html")
    assert {"Leader", "leaderOf", "isoCode", "vocab-meeting-mode-phone"} <= links.ids
    html = (site / "ontology" / "index.html").read_text()
    assert "A head of state, government or organisation." in html
    assert len(Graph().parse(site / "ontology" / "diplomacy.ttl", format="turtle")) > 0
    assert len(Graph().parse(site / "ontology" / "vocab.ttl", format="turtle")) > 0


def test_content_negotiation_configs(site: Path) -> None:
    htaccess = (site / ".htaccess").read_text()
    assert "text/turtle" in htaccess and "application/ld\\+json" in htaccess and "$1.html" in htaccess
    assert "text/turtle" in (site / "nginx.conf").read_text()


def test_hostile_text_is_escaped(site: Path) -> None:
    html = (site / "article" / "ap-2025-01-06.html").read_text()
    assert "&quot;security guarantees&quot;" in html and '"security guarantees"' not in html


def test_publishing_twice_gives_identical_files(site: Path, tmp_path: Path) -> None:
    publish_site(local_store(), tmp_path, base_iri=B, sparql_endpoint="https://example.org/sparql")
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert first == second


def test_unsafe_iris_get_no_file() -> None:
    assert resource_path(B + "person/emmanuel-macron", B) == "person/emmanuel-macron"
    for bad in ("person/../../etc/passwd", "person/", "dumps/x", "person/a b", "person/.hidden", ""):
        assert resource_path(B + bad, B) is None, bad
    assert resource_path("https://example.org/x", B) is None


def test_other_base_iri(tmp_path: Path) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("https://example.org/kg/person/a"), ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(DIP + "Leader")))
    report = publish_site(store, tmp_path, base_iri="https://example.org/kg")
    assert report.resources == 1 and (tmp_path / "person" / "a.html").is_file()
    assert re.search(r"https://example.org/kg/dumps/diplomacy-kg\.ttl", (tmp_path / "void.ttl").read_text())


def test_cli_publish(tmp_path: Path) -> None:
    from kg.cli import app
    from kg.store import open_store

    with open_store(tmp_path / "store") as store:
        store.load(DATA / "store.trig", format=ox.RdfFormat.TRIG)
    result = CliRunner().invoke(app, ["publish", str(tmp_path / "site"), "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "person" / "keir-starmer.html").is_file()
    result = CliRunner().invoke(app, ["export", "--format", "nt", "--article", "reuters-2025-02-10",
                                      "--store", str(tmp_path / "store")])
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.stdout, format="nt")) == 31


def test_every_script_and_stylesheet_is_in_the_folder(site: Path) -> None:
    """Pages load nothing from elsewhere: every src and stylesheet is a relative file of the site."""
    srcs = re.compile(r'<(?:script|link)[^>]*?(?:src|href)="([^"]+)"')
    checked = 0
    for page in sorted(site.rglob("*.html")):
        for ref in srcs.findall(page.read_text(encoding="utf-8")):
            if ref.startswith("data:") or ref.endswith((".ttl", ".jsonld")):
                continue
            assert not urlsplit(ref).scheme and not ref.startswith("//"), f"{page.relative_to(site)} loads {ref}"
            assert (page.parent / ref).resolve().is_file(), f"{page.relative_to(site)}: missing {ref}"
            checked += 1
    assert checked > 20


def test_views_are_linked_from_every_page(site: Path) -> None:
    for view in ("timeline", "network", "map", "search"):
        assert (site / "views" / f"{view}.html").is_file()
        assert f"views/{view}.html" in (site / "person" / "keir-starmer.html").read_text()
    assert (site / "views" / "data.js").read_text().startswith("window.KG_DATA = ")


def test_class_page_lists_meetings_by_date(site: Path) -> None:
    html = (site / "classes" / "dip-Meeting.html").read_text()
    dates = re.findall(r'<span class="date">([^<]*)</span>', html)
    assert dates == ["3 Jan 2025", "Feb 2025"]  # a day, a month only: as known


def test_the_summary_index_nodes_are_not_listed_as_referring_to_a_resource(tmp_path: Path) -> None:
    store = local_store()
    index, graph = ox.NamedNode(B + "graph/summary/meetings/ab12"), ox.NamedNode(B + "graph/summary")
    store.add(ox.Quad(index, ox.NamedNode(DIP + "meetingsOf"), ox.NamedNode(B + "person/keir-starmer"), graph))
    publish_site(store, tmp_path / "out", base_iri=B)
    html = (tmp_path / "out" / "person" / "keir-starmer.html").read_text()
    assert "graph/summary" not in html and "Referenced by" in html  # the meetings and pledges still refer to him
