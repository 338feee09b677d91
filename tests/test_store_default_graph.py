"""The store's default graph is the merge of its named graphs, whatever changes them.

Stored queries read it (each triple once) instead of the union of all graphs
(each triple once per article stating it); these tests hold the invariant
through every kind of write, and show it is never exported or pushed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.api import open_store
from kg.errors import StoreError
from kg.merge import OWL_SAME_AS
from kg.publish import export
from kg.store import Store
from kg.vocab import DEFAULT_BASE_IRI
from tests.test_store import _entities, _nt

B = DEFAULT_BASE_IRI


def assert_default_is_the_merge(st: Store) -> None:
    default = {q.triple for q in st.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    named = {q.triple for q in st.quads()}
    assert default == named, (f"missing from the default graph: {sorted(map(str, named - default))[:5]}; "
                              f"stale in it: {sorted(map(str, default - named))[:5]}")


def test_every_write_keeps_the_default_graph_the_merge(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        assert_default_is_the_merge(st)  # the ontology and concept schemes
        st.replace_article("k1", _nt("article-v1.ttl"), _entities("article-v1.ttl"))  # new article: fast path
        st.replace_article("k2", _nt("article-v1.ttl"), _entities("article-v1.ttl"))  # same triples, 2nd graph
        assert_default_is_the_merge(st)
        st.replace_article("k1", _nt("article-v2.ttl"), _entities("article-v2.ttl"))  # replaced, entity renamed
        assert_default_is_the_merge(st)
        st.replace_graph(st.merged_graph, f"<{B}meeting/a> <{OWL_SAME_AS}> <{B}meeting/b> .")
        assert_default_is_the_merge(st)
        st.replace_graph(st.merged_graph, "")
        assert_default_is_the_merge(st)
        assert st.remove_article("k2")
        assert_default_is_the_merge(st)
        assert st.remove_article("k1")
        assert_default_is_the_merge(st)


def test_replacing_a_graph_writes_the_difference_and_keeps_shared_triples(tmp_path: Path) -> None:
    link = f"<{B}meeting/a> <{OWL_SAME_AS}> <{B}meeting/b> ."
    other = f"<{B}meeting/c> <{OWL_SAME_AS}> <{B}meeting/d> ."
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"), _entities("article-v1.ttl"))
        shared = next(line for line in _nt("article-v1.ttl").splitlines() if line.strip())
        st.replace_graph(st.merged_graph, "\n".join([link, shared]))
        assert_default_is_the_merge(st)
        st.replace_graph(st.merged_graph, "\n".join([link, other]))  # shared leaves: k1 still states it
        assert_default_is_the_merge(st)
        assert {str(q.subject) for q in st.quads(st.merged_graph)} == {f"<{B}meeting/a>", f"<{B}meeting/c>"}
        st.replace_graph(st.merged_graph, other)
        assert_default_is_the_merge(st)
        st.replace_graph(st.merged_graph, "")
        assert_default_is_the_merge(st)
        assert not st.oxigraph.contains_named_graph(ox.NamedNode(st.merged_graph))


def test_a_triple_two_articles_state_stays_until_neither_does(tmp_path: Path) -> None:
    line = f'<{B}country/FR> <http://www.w3.org/2000/01/rdf-schema#label> "France" .'
    t = next(iter(ox.parse(line.encode(), format=ox.RdfFormat.N_TRIPLES))).triple
    in_default = ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
    with open_store(tmp_path / "s") as st:
        st.replace_article("a", line)
        st.replace_article("b", line)
        st.replace_article("a", "")
        assert in_default in st.oxigraph
        st.replace_article("b", "")
        assert in_default not in st.oxigraph


def test_ingest_and_reingest_keep_the_merge(tmp_path: Path, articles_dir: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.ingest([articles_dir], workers=1)
        assert_default_is_the_merge(st)
        st.ingest([articles_dir], workers=1)
        assert_default_is_the_merge(st)
        assert st.query("countries-pledging-troops").rows


def test_user_updates_resync_and_cannot_write_the_default_graph(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"), _entities("article-v1.ttl"))
        st.update(f"INSERT DATA {{ GRAPH <{B}graph/notes> {{ <{B}x> <{B}p> 'note' }} }}")
        assert_default_is_the_merge(st)
        st.update(f"DELETE WHERE {{ GRAPH <{B}graph/article/k1> {{ ?s ?p ?o }} }}")
        assert_default_is_the_merge(st)
        before = st.quad_count()
        for update in ("INSERT DATA { <http://x/a> <http://x/p> 1 }", "DELETE WHERE { ?s ?p ?o }", "CLEAR DEFAULT",
                       "COPY <http://x/g> TO DEFAULT", "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"):
            with pytest.raises(StoreError, match="writes the default graph"):
                st.update(update)
        assert st.quad_count() == before
        st.update("DROP ALL")
        assert st.quad_count() == 0
        assert_default_is_the_merge(st)


def test_a_store_from_before_is_migrated_on_open_keeping_what_a_user_put_in_the_default_graph(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"), _entities("article-v1.ttl"))
        st.oxigraph.update("DROP DEFAULT ; INSERT DATA { <http://x/a> <http://x/p> 'mine' }")  # as 0.1 left it
    meta = json.loads((tmp_path / "s" / "meta.json").read_text())
    del meta["default_graph"]
    (tmp_path / "s" / "meta.json").write_text(json.dumps(meta))
    shutil.rmtree(tmp_path / "s" / "snapshots")  # 0.1 had no snapshots for readers either
    with open_store(tmp_path / "s", read_only=True) as st:
        assert not st.merged_default  # read-only: queried as the union, as before
    with open_store(tmp_path / "s") as st:
        assert st.merged_default
        assert_default_is_the_merge(st)
        assert [str(q.object) for q in st.quads(st.user_graph)] == ['"mine"']


def test_the_default_graph_is_not_exported(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        st.replace_article("k1", _nt("article-v1.ttl"), _entities("article-v1.ttl"))
        quads = st.quad_count()
        assert export(st, tmp_path / "all.nq", "nquads").statements == quads
        assert export(st, tmp_path / "all.nt", "nt").statements == st.triple_count(include_schema=True)
        parsed = ox.parse(path=str(tmp_path / "all.nq"), format=ox.RdfFormat.N_QUADS)
        assert not any(isinstance(q.graph_name, ox.DefaultGraph) for q in parsed)
