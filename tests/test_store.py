"""The embedded store: named graphs, atomic article replacement, one writer, readers on snapshots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.errors import StoreError, StoreLocked
from kg.store import open_store
from kg.store.snapshot import SNAPSHOTS
from kg.vocab import DEFAULT_BASE_IRI, VOCAB_BASE
from tests.rdfassert import assert_isomorphic

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "store"
B = DEFAULT_BASE_IRI


def _nt(name: str) -> str:
    return Graph().parse(DATA / name).serialize(format="nt")


def _entities(name: str) -> dict[str, str]:
    from kg.ingest import entity_descriptions

    return entity_descriptions(Graph().parse(DATA / name))


def test_new_store_has_the_concept_schemes_and_no_articles(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        assert st.article_keys() == []
        assert VOCAB_BASE in st.graphs()
        assert (tmp_path / "s" / "oxigraph").is_dir()
        assert json.loads((tmp_path / "s" / "meta.json").read_text())["base_iri"] == B


def test_replace_article_swaps_the_whole_graph(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"), _entities("article-v1.ttl"))
        assert st.article_keys() == ["k1"]
        assert_isomorphic(st.graph(B + "graph/article/k1"), Graph().parse(DATA / "article-v1.ttl"))
        st.replace_article("k1", _nt("article-v2.ttl"), _entities("article-v2.ttl"))
        assert_isomorphic(st.graph(B + "graph/article/k1"), Graph().parse(DATA / "article-v2.ttl"))
        assert st.article_keys() == ["k1"]
        # canonical entity descriptions: v2 renamed the country, the old label is gone
        assert_isomorphic(st.graph(B + "graph/entities"), Graph().parse(DATA / "entities-after-v2.ttl"))


def test_union_graph_and_counts(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"), _entities("article-v1.ttl"))
        union = st.union_graph()
        art = Graph().parse(DATA / "article-v1.ttl")
        assert len(union) == len(art)  # the entity triples repeat the article's own
        assert st.triple_count() == len(art)
        assert st.quad_count() > st.triple_count()
        assert len(st.union_graph(include_schema=True)) > len(union)


def test_drop_article(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"))
        assert st.drop_article("k1") is True
        assert st.drop_article("k1") is False
        assert st.article_keys() == []


def test_remove_through_the_facade_recomputes_the_merged_graph(tmp_path: Path) -> None:
    import kg

    with kg.open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"))
        st.update(f"INSERT DATA {{ GRAPH <{B}graph/merged> {{ <{B}x> <{B}y> <{B}z> }} }}")  # a stale link
        assert st.remove_article("k1") is True
        assert st.remove_article("k1") is False
        assert st.article_keys() == []
        assert st.graphs().get(B + "graph/merged", 0) == 0


def test_data_survives_reopening_read_only(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"))
    with open_store(tmp_path / "s", read_only=True) as ro:
        assert ro.article_keys() == ["k1"]
        with pytest.raises(StoreError, match="read-only"):
            ro.replace_article("k2", "")


def test_read_only_open_of_a_missing_store_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no store at .*kg ingest"):
        open_store(tmp_path / "missing", read_only=True)


def test_closed_store_refuses_use(tmp_path: Path) -> None:
    st = open_store(tmp_path / "s")
    st.close()
    st.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        st.article_keys()


def test_base_iri_mismatch_is_refused(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"))
    with pytest.raises(StoreError, match="built with base IRI"):
        open_store(tmp_path / "s", base_iri="https://example.org/kg/")


def test_bad_iri_cannot_break_out_of_an_update(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st, pytest.raises(StoreError, match="not a valid IRI"):
        st.replace_article("k> } ; DROP ALL ; #", "")


def test_not_a_store_folder(tmp_path: Path) -> None:
    (tmp_path / "s" / "oxigraph").mkdir(parents=True)
    (tmp_path / "s" / "oxigraph" / "CURRENT").write_text("garbage")
    with pytest.raises(StoreError, match="cannot open the store"):
        open_store(tmp_path / "s")


HOLD = """
import sys, time
from kg.store import open_store
st = open_store(sys.argv[1], read_only=sys.argv[2] == "ro")
print("ready", flush=True)
time.sleep(30)
"""


def _holder(path: Path, mode: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), mode], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_second_writer_fails_at_once_naming_the_pid_and_readers_still_read(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"))
    holder = _holder(tmp_path / "s", "rw")
    try:
        with pytest.raises(StoreLocked, match=rf"locked by another kg process \(pid {holder.pid}\).*wait"):
            open_store(tmp_path / "s")
        with open_store(tmp_path / "s", read_only=True) as ro:
            assert ro.article_keys() == ["k1"]
    finally:
        holder.kill()
        holder.wait()
    open_store(tmp_path / "s").close()  # the lock died with the process


def test_readers_never_block_a_writer(tmp_path: Path) -> None:
    open_store(tmp_path / "s").close()
    holder = _holder(tmp_path / "s", "ro")
    try:
        with open_store(tmp_path / "s", read_only=True) as ro, open_store(tmp_path / "s") as rw:
            rw.replace_article("k1", _nt("article-v1.ttl"))
            assert ro.article_keys() == []  # its snapshot: the state when it opened
    finally:
        holder.kill()
        holder.wait()


def test_a_reader_sees_what_the_writer_published_once_it_refreshes(tmp_path: Path) -> None:
    open_store(tmp_path / "s").close()
    with open_store(tmp_path / "s") as rw, open_store(tmp_path / "s", read_only=True) as ro:
        rw.replace_article("k1", _nt("article-v1.ttl"))
        assert ro.refresh() is False and ro.article_keys() == []  # written, not published yet
        rw.publish()
        assert ro.article_keys() == []  # a reader's state changes only when it asks
        assert ro.refresh() is True and ro.article_keys() == ["k1"]


def test_a_batch_commit_is_published_whole(tmp_path: Path) -> None:
    open_store(tmp_path / "s").close()
    with open_store(tmp_path / "s") as rw, open_store(tmp_path / "s", read_only=True) as ro:
        batch = rw.batch(size=2)
        batch.add("k1", _nt("article-v1.ttl"), _entities("article-v1.ttl"))
        assert ro.refresh() is False
        batch.add("k2", _nt("article-v2.ttl").replace("k1", "k2"), _entities("article-v2.ttl"))  # full: committed
        assert ro.refresh() is True
        assert ro.article_keys() == ["k1", "k2"]


def test_snapshots_in_use_are_kept_and_unused_ones_removed(tmp_path: Path) -> None:
    open_store(tmp_path / "s").close()
    snaps = tmp_path / "s" / SNAPSHOTS

    def numbers() -> list[int]:
        return sorted(int(p.name) for p in snaps.iterdir() if p.name.isdigit())

    with open_store(tmp_path / "s") as rw:
        with open_store(tmp_path / "s", read_only=True) as ro:
            held = ro.snapshot
            for key in ("k1", "k2", "k3"):
                rw.replace_article(key, _nt("article-v1.ttl"))
                rw.publish()
            assert numbers() == [held, rw.snapshot]
            assert ro.article_keys() == []
            with open_store(tmp_path / "s", read_only=True) as other:  # holds the newest
                rw.replace_article("k4", _nt("article-v1.ttl"))
                rw.publish()
                assert numbers() == [held, other.snapshot, rw.snapshot]
                assert ro.refresh()  # moves on, and deletes what it left if no one holds it
                assert numbers() == [other.snapshot, rw.snapshot]
        rw.replace_article("k5", _nt("article-v1.ttl"))
        rw.publish()
        assert numbers() == [rw.snapshot]


def test_a_store_from_before_snapshots_gets_one_at_its_first_read(tmp_path: Path) -> None:
    import shutil

    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"))
    shutil.rmtree(tmp_path / "s" / SNAPSHOTS)
    with open_store(tmp_path / "s", read_only=True) as ro:
        assert ro.article_keys() == ["k1"]
        assert ro.merged_default


def test_database_lock_held_outside_kg_is_reported_as_locked(tmp_path: Path) -> None:
    import pyoxigraph as ox

    open_store(tmp_path / "s").close()
    raw = ox.Store(str(tmp_path / "s" / "oxigraph"))  # e.g. `oxigraph serve` on the folder
    try:
        code = ("import sys\nfrom kg.store import open_store\nfrom kg.errors import StoreLocked\n"
                "try:\n    open_store(sys.argv[1])\nexcept StoreLocked as e:\n    print(e.message)\n")
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s")], cwd=ROOT, capture_output=True,
                             text=True).stdout
        assert "locked by another process" in out
    finally:
        del raw


def test_graph_names_follow_the_mapping(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"), _entities("article-v1.ttl"))
        names = set(st.graphs())
    assert {B + "graph/article/k1", B + "graph/entities", VOCAB_BASE} <= names
    assert all(URIRef(n) for n in names)


def test_a_readers_stats_are_those_of_the_state_it_reads(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as rw:
        rw.replace_article("k1", _nt("article-v1.ttl"), _entities("article-v1.ttl"))
    with open_store(tmp_path / "s", read_only=True) as ro, open_store(tmp_path / "s") as rw:
        rw.replace_article("k2", _nt("article-v2.ttl"), _entities("article-v2.ttl"))
        rw.publish()
        assert rw.stats()["articles"] == 2
        assert ro.stats()["articles"] == 1
        assert ro.refresh() and ro.stats()["articles"] == 2


@pytest.mark.slow
def test_a_writer_killed_mid_batch_leaves_readers_the_last_whole_batch(tmp_path: Path) -> None:
    import shutil

    from kg.store.batch import JOURNAL
    from tests.test_store_batch import CRASH

    store = tmp_path / "s"
    proc = subprocess.run([sys.executable, "-c", CRASH, str(store)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 9 and (store / JOURNAL).exists(), proc.stderr  # died half-way through a bulk load
    with open_store(store, read_only=True) as ro:
        assert len(ro.article_keys()) == 3  # the first batch, none of the half-loaded second
    shutil.rmtree(store / SNAPSHOTS)  # as if it had died before its first snapshot
    with open_store(store, read_only=True) as ro:  # the first reader undoes the half batch, then reads
        assert len(ro.article_keys()) == 3
    assert not (store / JOURNAL).exists()
