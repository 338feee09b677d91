"""The site's dumps: two read from the store, three made from those files; the bytes `kg export` writes."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.ingest import ingest
from kg.publish import export
from kg.publish.dumps import write_dumps
from kg.publish.export import FORMATS
from kg.store import open_store

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
STORE_TRIG = Path(__file__).parent / "data" / "publish" / "store.trig"
B = "https://w3id.org/diplomacy-kg/id/"
EX = "http://example.org/"


@pytest.fixture(scope="module")
def kg_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kg store of the development corpus (its default graph is the derived merge of the article graphs)."""
    folder = tmp_path_factory.mktemp("dumps") / "store"
    with open_store(folder) as store:
        ingest(store, [SAMPLES])
    return folder


def with_blank_nodes() -> ox.Store:
    """A default graph and two named graphs, blank nodes in both places, a literal that looks like one."""
    store = ox.Store()
    store.load(path=str(STORE_TRIG), format=ox.RdfFormat.TRIG)
    g = ox.NamedNode(EX + "g")
    a, b = ox.BlankNode("list1"), ox.BlankNode("zz9")
    store.extend([
        ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), a, g),
        ox.Quad(a, ox.NamedNode(EX + "first"), ox.Literal("a _:fake label"), g),
        ox.Quad(a, ox.NamedNode(EX + "rest"), b, g),
        ox.Quad(b, ox.NamedNode(EX + "p"), ox.Literal("deux", language="fr")),
        ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "q"), ox.Literal("_:x at the start")),
    ])
    return store


def assert_same_as_export(source: object, tmp_path: Path) -> None:
    paths = write_dumps(source, tmp_path / "dumps", "all", B)
    assert set(paths) == set(FORMATS)
    for fmt, path in paths.items():
        expected = tmp_path / f"export.{fmt}"
        export(source, expected, fmt, base_iri=B)
        assert path.read_bytes() == expected.read_bytes(), fmt
        assert gzip.decompress(Path(str(path) + ".gz").read_bytes()) == expected.read_bytes(), fmt


def test_dumps_of_a_kg_store_are_the_bytes_kg_export_writes(kg_store: Path, tmp_path: Path) -> None:
    with open_store(kg_store, read_only=True) as store:
        assert_same_as_export(store, tmp_path)


def test_dumps_of_a_plain_store_with_blank_nodes_are_the_bytes_kg_export_writes(tmp_path: Path) -> None:
    assert_same_as_export(with_blank_nodes(), tmp_path)


def test_a_failed_dump_leaves_no_file_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ox, "serialize", broken)
    with pytest.raises(OSError):
        write_dumps(with_blank_nodes(), tmp_path, "all", B)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
