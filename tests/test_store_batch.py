"""Many articles at once (``Store.batch``): the same store as one article at a time, and all or
nothing per article even when the process dies in the middle of a bulk load."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from dataclasses import asdict
from pathlib import Path

import pytest
from rdflib.compare import to_isomorphic

from kg.errors import StoreError
from kg.ingest import entity_descriptions
from kg.pipeline import article_graph
from kg.read import read_article
from kg.store import Store, counters, open_store
from kg.store.batch import JOURNAL
from tests.test_store_default_graph import assert_default_is_the_merge

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").iterdir())


def _articles(store: Store) -> list[tuple[str, str, dict[str, str]]]:
    out = []
    for path in SAMPLES:
        article = read_article(path)
        graph = article_graph(article, store.base_iri)
        out.append((article.key, graph.serialize(format="nt"), entity_descriptions(graph)))
    return out


def _content(st: Store) -> dict[str, object]:
    return {name: to_isomorphic(st.graph(name)) for name in st.graphs()}


def test_a_batch_stores_what_one_article_at_a_time_stores(tmp_path: Path) -> None:
    with open_store(tmp_path / "one") as one, open_store(tmp_path / "many") as many:
        articles = _articles(one)
        for key, nt, ents in articles:
            one.replace_article(key, nt, ents)
        batch = many.batch(size=3)
        for key, nt, ents in articles:
            batch.add(key, nt, ents)
        batch.commit()
        assert not (many.path / JOURNAL).exists()
        assert _content(many) == _content(one)
        assert_default_is_the_merge(many)


def test_an_article_already_stored_or_repeated_in_the_batch_is_replaced_in_order(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        (k1, nt1, e1), (_, nt2, e2) = _articles(st)[:2]
        st.replace_article(k1, nt1, e1)
        batch = st.batch(size=10)
        batch.add(k1, nt2, e2)  # stored already: replaced
        batch.add("again", nt1, e1)
        batch.add("again", nt2, e2)  # twice in one batch: the last one wins
        batch.add("third", nt1, e1)  # what "again" no longer states must go back into the default graph
        batch.commit()
        with open_store(tmp_path / "t") as expected:  # the same, one article at a time
            for args in [(k1, nt1, e1), (k1, nt2, e2), ("again", nt1, e1), ("again", nt2, e2), ("third", nt1, e1)]:
                expected.replace_article(*args)
            assert _content(st) == _content(expected)
        assert_default_is_the_merge(st)


def test_a_changed_entity_description_in_the_batch_replaces_the_stored_one(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        key, nt, ents = _articles(st)[0]
        iri = sorted(ents)[0]
        renamed = {**ents, iri: ents[iri].replace('"', '"Renamed ', 1) if '"' in ents[iri] else ents[iri]}
        assert renamed[iri] != ents[iri]
        batch = st.batch(size=10)
        batch.add(key, nt, ents)
        batch.add("second", nt, renamed)
        batch.add("third", nt, renamed)
        batch.add("second", nt, ents)  # after its replacement, not before: back to the first description
        batch.commit()
        with open_store(tmp_path / "t") as expected:  # the same, one article at a time
            for args in [(key, nt, ents), ("second", nt, renamed), ("third", nt, renamed), ("second", nt, ents)]:
                expected.replace_article(*args)
            assert _content(st) == _content(expected)
        assert not any("Renamed" in str(o) for _, _, o in st.graph(st.entities_graph))
        assert_default_is_the_merge(st)


def test_invalid_ntriples_is_refused_and_the_queue_stays_usable(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        (key, nt, ents), (k2, nt2, e2) = _articles(st)[:2]
        batch = st.batch(size=10)
        batch.add(key, nt, ents)
        with pytest.raises(StoreError, match="not valid N-Triples"):
            batch.add("bad", "<http://x/a> <http://x/p> .\n", {})
        batch.add(k2, nt2, e2)
        batch.commit()
        assert sorted(st.article_keys()) == sorted([key, k2])
        assert_default_is_the_merge(st)


CRASH = textwrap.dedent("""
    import os, sys
    from kg.store import open_store
    from tests.processes import die_in_bulk_load
    from tests.test_store_batch import _articles

    with open_store(sys.argv[1]) as st:
        articles = _articles(st)
        batch = st.batch(size=3)
        for a in articles[:3]:
            batch.add(*a)  # the third commits the first batch
        die_in_bulk_load(lambda: os._exit(9))  # killed in the middle of the load
        for a in articles[3:6]:
            batch.add(*a)
""")


@pytest.mark.slow
def test_a_process_killed_mid_bulk_load_leaves_no_part_of_its_batch(tmp_path: Path) -> None:
    store = tmp_path / "s"
    proc = subprocess.run([sys.executable, "-c", CRASH, str(store)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    assert (store / JOURNAL).exists()
    with open_store(store) as st:  # the next writable open undoes the half-loaded batch
        assert not (store / JOURNAL).exists()
        articles = _articles(st)
        assert sorted(st.article_keys()) == sorted(key for key, _, _ in articles[:3])
        with open_store(tmp_path / "expected") as expected:
            for a in articles[:3]:
                expected.replace_article(*a)
            assert _content(st) == _content(expected)
        assert_default_is_the_merge(st)


UNPUBLISHED = textwrap.dedent("""
    import os, sys
    from kg.store import open_store
    from kg.store.batch import ArticleBatch
    from tests.test_store_batch import _articles

    st = open_store(sys.argv[1])
    st.publish()  # readers see the empty store
    batch = ArticleBatch(st)  # (``st.batch()`` would publish right after the commit)
    for a in _articles(st)[:2]:
        batch.add(*a)
    batch.commit()
    os._exit(9)  # killed after the commit, before its publish
""")


@pytest.mark.slow
def test_a_writer_killed_between_commit_and_publish_leaves_the_next_writer_to_publish(tmp_path: Path) -> None:
    store = tmp_path / "s"
    proc = subprocess.run([sys.executable, "-c", UNPUBLISHED, str(store)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    with open_store(store, read_only=True) as reader:
        assert reader.article_keys() == []  # committed, but not published
    with open_store(store) as st:
        keys = sorted(st.article_keys())
        assert len(keys) == 2
    with open_store(store, read_only=True) as reader:
        assert sorted(reader.article_keys()) == keys


def _renamed(entities: dict[str, str]) -> dict[str, str]:
    """The same descriptions, the first one with another label."""
    iri = sorted(entities)[0]
    return {**entities, iri: entities[iri].replace('"', '"Renamed ', 1)}


REPLACE_AND_DIE = textwrap.dedent("""
    import os, signal, sys
    from kg.store import open_store
    from tests.processes import die_in_bulk_load
    from tests.test_store_batch import _articles, _renamed

    with open_store(sys.argv[1]) as st:
        articles = _articles(st)
        batch = st.batch(size=10)
        for a in articles[:3]:
            batch.add(*a)
        batch.commit()  # the versions stored before
        die_in_bulk_load(lambda: os.kill(os.getpid(), signal.SIGKILL))  # the deletions are done by now
        (k1, _, _), (k2, nt2, e2) = articles[:2]
        batch.add(k1, articles[3][1], articles[3][2])  # a new version of a stored article
        batch.add(k2, nt2, _renamed(e2))  # a stored article again, with a changed description
        batch.add("fresh", articles[4][1], articles[4][2])
        batch.commit()
""")


@pytest.mark.slow
def test_a_process_killed_while_replacing_stored_articles_keeps_their_old_versions(tmp_path: Path) -> None:
    store = tmp_path / "s"
    proc = subprocess.run([sys.executable, "-c", REPLACE_AND_DIE, str(store)], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (store / JOURNAL).exists()
    with open_store(store) as st:  # the next writable open undoes the batch: deletions too
        assert not (store / JOURNAL).exists()
        articles = _articles(st)
        with open_store(tmp_path / "expected") as expected:
            for a in articles[:3]:
                expected.replace_article(*a)
            assert _content(st) == _content(expected)
        assert not any("Renamed" in str(o) for _, _, o in st.graph(st.entities_graph))
        assert_default_is_the_merge(st)
        assert asdict(counters.current(st)) == asdict(counters.recount(st))


def test_a_batch_of_new_versions_and_new_articles_keeps_the_counters_exact(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        articles = _articles(st)
        batch = st.batch(size=10)
        for a in articles[:4]:
            batch.add(*a)
        batch.commit()
        (k1, _, _), (k2, nt2, e2), (k3, _, _) = articles[:3]
        batch.add(k1, articles[4][1], articles[4][2])  # another article's graph under a stored key
        batch.add(k2, nt2, _renamed(e2))  # a changed description only
        batch.add(k3, "", {})  # an empty version: the article's graph goes
        batch.add("new", articles[5][1], articles[5][2])
        batch.commit()
        assert k3 not in {g.rsplit("/", 1)[-1] for g in st.graphs()}
        assert_default_is_the_merge(st)
        kept = counters.load(st)
        assert kept is not None and asdict(kept) == asdict(counters.recount(st))


def test_a_recount_gives_what_the_scan_of_any_store_gives(tmp_path: Path) -> None:
    """``recount`` counts the merged default graph plainly (no DISTINCT): the same numbers as the
    queries that hold for any store, with an emptied graph (its name stays), a user's own classes and
    a statement that an article graph makes too."""
    with open_store(tmp_path / "s") as st:
        articles = _articles(st)
        for a in articles[:3]:
            st.replace_article(*a)
        st.replace_article(articles[2][0], "", {})  # its graph emptied
        typed = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        country = next(line for line in articles[0][1].splitlines()
                       if f"{typed} <https://w3id.org/diplomacy-kg/ontology#Country>" in line)
        st.replace_graph(st.user_graph, f"<http://example.org/x> {typed} <http://example.org/Thing> .\n{country}")
        assert asdict(counters.recount(st)) == asdict(counters.scan_counts(st))
        assert counters.recount(st).articles == 2
