"""kg export: every format parses back to the same graph, output is canonical, errors are clear."""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef

from kg.errors import PublishError
from kg.publish import export
from tests.rdfassert import assert_isomorphic

DATA = Path(__file__).parent / "data" / "publish"
STORE_TRIG = DATA / "store.trig"
B = "https://w3id.org/diplomacy-kg/id/"
ARTICLE_GRAPH = B + "graph/article/reuters-2025-02-10"
RDFLIB_FORMAT = {"turtle": "turtle", "nt": "nt", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}


def load_store(quads: list[ox.Quad] | None = None) -> ox.Store:
    store = ox.Store()
    if quads is None:
        store.load(path=str(STORE_TRIG), format=ox.RdfFormat.TRIG)
    else:
        store.extend(quads)
    return store


def expected_dataset() -> Dataset:
    """What the store holds, read without our code. (Oxigraph normalises literals on the way in:
    xsd:nonNegativeInteger becomes xsd:integer, "1"^^xsd:boolean becomes "true", so the file
    itself is not the reference.)"""
    ds = Dataset()
    ds.parse(data=load_store().dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    return ds


def merged(ds: Dataset) -> Graph:
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def named(ds: Dataset) -> dict[str, Graph]:
    out: dict[str, Graph] = {}
    for s, p, o, name in ds.quads((None, None, None, None)):
        out.setdefault(str(name), Graph()).add((s, p, o))
    return out


def export_bytes(source: object, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    export(source, buf, fmt, **kw)  # type: ignore[arg-type]
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_triple_formats_hold_all_graphs_merged(fmt: str) -> None:
    data = export_bytes(load_store(), fmt)
    assert_isomorphic(Graph().parse(data=data, format=RDFLIB_FORMAT[fmt]), merged(expected_dataset()))


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_dataset_formats_keep_named_graphs(fmt: str) -> None:
    data = export_bytes(load_store(), fmt)
    got = Dataset()
    got.parse(data=data, format=RDFLIB_FORMAT[fmt])
    actual, expected = named(got), named(expected_dataset())
    assert sorted(actual) == sorted(expected)
    for name, graph in expected.items():
        assert_isomorphic(actual[name], graph)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "trig", "nquads", "jsonld"])
def test_one_article_graph(fmt: str) -> None:
    data = export_bytes(load_store(), fmt, graph=ARTICLE_GRAPH)
    expected = expected_dataset().graph(URIRef(ARTICLE_GRAPH))
    got = Dataset()
    got.parse(data=data, format=RDFLIB_FORMAT[fmt])
    assert_isomorphic(merged(got), expected)
    assert b"ap-2025-01-06" not in data  # the other article stays out


def test_jsonld_has_a_context_and_compact_iris() -> None:
    doc = json.loads(export_bytes(load_store(), "jsonld"))
    ctx = doc["@context"]
    for prefix in ("dip", "schema", "prov", "skos", "rdfs", "xsd", "owl"):
        assert prefix in ctx
    assert ctx["id"] == B
    text = json.dumps(doc)
    assert '"dip:Leader"' in text and '"id:person/keir-starmer"' in text
    assert "https://w3id.org/diplomacy-kg/ontology#" not in text.replace(ctx["dip"], "", 1)


def test_jsonld_parses_in_oxigraph_too() -> None:
    data = export_bytes(load_store(), "jsonld")
    back = ox.Store()
    back.load(data, format=ox.RdfFormat.JSON_LD)
    assert len(back) == len(load_store())


def test_same_content_inserted_in_two_orders_gives_identical_bytes() -> None:
    quads = list(load_store())
    shuffled = quads[:]
    random.Random(7).shuffle(shuffled)
    for fmt in ("turtle", "nt", "trig", "nquads", "jsonld"):
        assert export_bytes(load_store(quads), fmt) == export_bytes(load_store(shuffled), fmt), fmt


def test_ntriples_lines_are_sorted_within_a_graph() -> None:
    lines = export_bytes(load_store(), "nt", graph=ARTICLE_GRAPH).decode().splitlines()
    keys = [tuple(part.strip("<>") for part in line.split(" ", 2)[:2]) for line in lines]
    assert keys == sorted(keys)


def test_turtle_groups_by_subject_in_order() -> None:
    text = export_bytes(load_store(), "turtle").decode()
    subjects = [line.split(" ", 1)[0].strip("<>") for line in text.splitlines() if line.startswith("<")]
    assert subjects == sorted(set(subjects))


@pytest.mark.skipif(shutil.which("rapper") is None, reason="rapper (apt-get install raptor2-utils) not installed")
def test_rapper_accepts_the_turtle(tmp_path: Path) -> None:
    out = tmp_path / "all.ttl"
    export(load_store(), out, "turtle")
    run = subprocess.run(["rapper", "-q", "-i", "turtle", "-c", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_rdflib_graph_source(tmp_path: Path) -> None:
    g = expected_dataset().graph(URIRef(ARTICLE_GRAPH))
    plain = Graph()
    for t in g:
        plain.add(t)
    out = tmp_path / "g.ttl"
    report = export(plain, out, "turtle")
    assert report.statements == len(plain) and report.path == out
    assert_isomorphic(Graph().parse(out, format="turtle"), plain)


def test_rdflib_dataset_source_keeps_graphs() -> None:
    data = export_bytes(expected_dataset(), "nquads")
    got = Dataset()
    got.parse(data=data, format="nquads")
    assert sorted(named(got)) == sorted(named(expected_dataset()))


def test_report_counts_statements_and_bytes(tmp_path: Path) -> None:
    report = export(load_store(), tmp_path / "x.nq", "nq")
    assert report.format == "nquads" and report.statements == len(load_store())
    assert report.bytes == (tmp_path / "x.nq").stat().st_size


def test_unknown_format_is_refused() -> None:
    with pytest.raises(PublishError, match="unknown RDF format 'rdfxml'"):
        export_bytes(load_store(), "rdfxml")


def test_unknown_graph_is_refused() -> None:
    with pytest.raises(PublishError, match=r"no graph named <https://example\.org/nope>"):
        export_bytes(load_store(), "turtle", graph="https://example.org/nope")


def test_unwritable_target_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PublishError) as info:
        export(load_store(), blocker / "out.ttl", "turtle")
    assert str(blocker / "out.ttl") in info.value.message
    assert "cannot write" in info.value.message


def test_failed_export_leaves_no_partial_file(tmp_path: Path) -> None:
    out = tmp_path / "out.ttl"
    with pytest.raises(PublishError):
        export(load_store(), out, "turtle", graph="https://example.org/nope")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_unsupported_source_type() -> None:
    with pytest.raises(PublishError, match="cannot export a dict"):
        export_bytes({}, "turtle")


def test_two_stores_of_the_same_articles_export_the_same_bytes(tmp_path: Path) -> None:
    """The ontology's blank nodes are labelled from their graph and position, not drawn at random."""
    from kg.api import open_store

    dumps = []
    for name in ("one", "two"):
        with open_store(tmp_path / name) as store:
            store.ingest([Path(__file__).parents[1] / "samples" / "s003.txt"])
            out = io.BytesIO()
            export(store, out, "nquads")
            dumps.append(out.getvalue())
    assert b"_:" in dumps[0]
    assert dumps[0] == dumps[1]
