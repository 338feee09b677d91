"""Property: whatever text and IRIs the pipeline can produce survive every export format unchanged."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.publish import export
from kg.store.terms import to_oxigraph
from tests.rdfassert import assert_isomorphic

B = "https://w3id.org/diplomacy-kg/id/"
G = B + "graph/article/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREDICATES = [URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
              URIRef("https://w3id.org/diplomacy-kg/ontology#evidence"),
              URIRef("https://schema.org/headline")]
RDFLIB = {"turtle": "turtle", "nt": "nt", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}

hostile_text = st.text(alphabet=st.one_of(
    st.sampled_from([*'"\'\\\n\r\t<>{}@#%&;:,.^`|~ _-/', "\x00", "\x01", "\x1f", "\x7f", "\u2028",
                     "\ufeff", "é", "Ж", "€", "😀", "\u0301"]),
    st.characters(exclude_categories=("Cs",))), max_size=40)
slug_chars = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20)
sample_iris = st.sampled_from([
    B + "person/emmanuel-macron", B + "country/FR", B + "org/coalition-of-the-willing",
    B + "place/s%C3%A3o-paulo", B + "meeting/0f3a9c", "http://www.wikidata.org/entity/Q142",
    B + "person/x-" + "a" * 10, "https://example.org/a_b~c.d",
])
iris = st.one_of(sample_iris, slug_chars.map(lambda s: f"{B}person/{s}"))
literals = st.one_of(
    hostile_text.map(Literal),
    st.tuples(hostile_text, st.sampled_from(["en", "fr", "de-ch", "uk"])).map(lambda t: Literal(t[0], lang=t[1])),
    st.integers(-10**12, 10**12).map(lambda n: Literal(str(n), datatype=URIRef(XSD + "integer"))),
    st.dates().map(lambda d: Literal(d.isoformat(), datatype=URIRef(XSD + "date"))),
)
triples = st.lists(st.tuples(iris, st.sampled_from(PREDICATES), st.one_of(literals, iris.map(URIRef))),
                   min_size=1, max_size=12)
graph_keys = st.lists(slug_chars, min_size=1, max_size=3, unique=True)


def build(data: list[tuple[str, URIRef, object]], keys: list[str]) -> tuple[ox.Store, Dataset]:
    store, ds = ox.Store(), Dataset()
    for i, (s, p, o) in enumerate(data):
        g = URIRef(G + keys[i % len(keys)])
        ds.graph(g).add((URIRef(s), p, o))  # type: ignore[arg-type]
        store.add(ox.Quad(ox.NamedNode(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(g))))  # type: ignore[arg-type]
    return store, ds


def merged(ds: Dataset) -> Graph:
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


@pytest.mark.parametrize("fmt", ["turtle", "nt", "trig", "nquads", "jsonld"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=triples, keys=graph_keys)
def test_hostile_content_survives(fmt: str, data: list[tuple[str, URIRef, object]], keys: list[str]) -> None:
    store, ds = build(data, keys)
    buf = io.BytesIO()
    export(store, buf, fmt)
    back = Dataset()
    back.parse(data=buf.getvalue(), format=RDFLIB[fmt])
    assert_isomorphic(merged(back), merged(ds))
    if fmt in ("trig", "nquads", "jsonld"):
        for g in ds.graphs():
            if len(g):
                assert isomorphic(back.graph(g.identifier), g), g.identifier


@settings(max_examples=40, deadline=None)
@given(names=st.lists(hostile_text, min_size=1, max_size=8))
def test_slug_minted_iris_survive(names: list[str]) -> None:
    link = pytest.importorskip("kg.link")
    data = [(f"{B}person/{link.slug(n)}", PREDICATES[0], Literal(n)) for n in names]
    store, ds = build(data, ["a"])
    for fmt in RDFLIB:
        buf = io.BytesIO()
        export(store, buf, fmt)
        back = Dataset()
        back.parse(data=buf.getvalue(), format=RDFLIB[fmt])
        assert_isomorphic(merged(back), merged(ds))
