"""Ingest: the SHACL gate, quarantine, idempotent re-ingest, cross-article merging."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.api import open_store
from kg.errors import ValidationFailed
from kg.merge import Report, clusters, meeting_dates_match, pledge_dates_match, recompute
from kg.pipeline import article_graph, read_source
from kg.query import run_query

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "store"
SAME_AS = URIRef("http://www.w3.org/2002/07/owl#sameAs")


def _needs_gate() -> None:
    pytest.importorskip("kg.validate", reason="kg/validate.py (the SHACL gate) is not in the tree yet")


def _store_article(st, path: Path) -> str:  # type: ignore[no-untyped-def]
    from kg.ingest import entity_descriptions

    article = read_source(path)
    graph = article_graph(article, st.base_iri)
    st.replace_article(article.key, graph.serialize(format="nt"), entity_descriptions(graph))
    return article.key


def test_two_reports_of_one_call_a_day_apart_are_linked(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st:
        key_a = _store_article(st, DATA / "merge" / "call-a.json")
        key_b = _store_article(st, DATA / "merge" / "call-b.json")
        assert recompute(st.store) == 1
        merged = st.graph(st.merged_graph)
        [(dup, _, canonical)] = list(merged.triples((None, SAME_AS, None)))
        assert str(canonical) < str(dup)  # the smallest IRI is canonical
        rows = run_query(st.store, "corroborated-meetings").rows
        assert [(r["meeting"], r["sources"], r["reports"]) for r in rows] == [(str(canonical), "2", "2")]
        # replacing/removing an article keeps the merged graph consistent
        st.remove_article(key_b)
        assert len(st.graph(st.merged_graph)) == 0
        assert run_query(st.store, "corroborated-meetings").rows == []
        assert key_a in st.article_keys()


def test_meeting_dates_match_within_a_day_or_the_same_month() -> None:
    assert meeting_dates_match("2025-03-04", "2025-03-05")
    assert meeting_dates_match("2025-02-28", "2025-03-01")
    assert not meeting_dates_match("2025-03-04", "2025-03-06")
    assert meeting_dates_match("2025-03", "2025-03-20")
    assert not meeting_dates_match("2025-03", "2025-04-01")
    assert not meeting_dates_match(None, "2025-03-04")
    assert not meeting_dates_match("2025", "2025")


def test_pledge_dates_only_contradicting_dates_keep_pledges_apart() -> None:
    assert pledge_dates_match(None, "2025-03-04")
    assert pledge_dates_match("2025", "2025-03-04")
    assert not pledge_dates_match("2024", "2025-03-04")
    assert not pledge_dates_match("2025-03-01", "2025-03-09")


def test_two_calls_in_one_article_are_not_merged() -> None:
    sig = {"type PhoneCall", "participant A", "participant B"}
    one = Report("m:1", "2025-03-04", {"art:1"}, set(sig))
    two = Report("m:2", "2025-03-05", {"art:1"}, set(sig))
    other = Report("m:3", "2025-03-05", {"art:2"}, set(sig))
    assert clusters([one, two], meeting_dates_match) == []
    found = clusters([one, two, other], meeting_dates_match)
    assert [[r.iri for r in c] for c in found] == [["m:1", "m:3"]]


# ---- through the SHACL gate ---------------------------------------------------------------------

def test_invalid_graph_is_quarantined_not_stored(tmp_path: Path) -> None:
    _needs_gate()
    bad = Graph().parse(DATA / "invalid-article.ttl")
    with open_store(tmp_path / "s") as st:
        with pytest.raises(ValidationFailed, match="rejected by the SHACL gate"):
            st.add_article_graph("bad1", bad, source="invalid-article.ttl")
        assert st.article_keys() == []
        record = json.loads(st.quarantine_file.read_text().splitlines()[-1])
    assert record["file"] == "invalid-article.ttl" and record["reason"] == "shacl"
    assert record["violations"] and record["message"]


def test_batch_stores_good_articles_and_reports_bad_ones(tmp_path: Path) -> None:
    _needs_gate()
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("call-a.json", "call-b.json"):
        (inputs / name).write_bytes((DATA / "merge" / name).read_bytes())
    (inputs / "empty.txt").write_text("")
    (inputs / "binary.txt").write_bytes(b"\x00\x01binary")
    with open_store(tmp_path / "s") as st:
        report = st.ingest([inputs], workers=1)
        assert report.stored == 2
        assert sorted((r.file.rsplit("/", 1)[-1], r.reason) for r in report.rejects) == [
            ("binary.txt", "read"), ("empty.txt", "read")]
        assert len(st.article_keys()) == 2
        assert len(st.graph(st.merged_graph)) == 1  # merged after the batch
        lines = st.quarantine_file.read_text().splitlines()
    assert len(lines) == 2 and all("time" in json.loads(x) for x in lines)


def test_a_path_that_does_not_exist_stops_the_batch_before_anything_is_read(tmp_path: Path) -> None:
    """A typo in a path is the command's error, not an article to quarantine for ever."""
    from kg.errors import ReadError

    with open_store(tmp_path / "s") as st:
        with pytest.raises(ReadError, match=r"missing\.html: no such file or folder \(check the path"):
            st.ingest([DATA / "merge", tmp_path / "missing.html"], workers=1)
        assert st.article_keys() == [] and not st.quarantine_file.exists()


def test_cli_ingest_exit_codes(tmp_path: Path) -> None:
    _needs_gate()
    store = tmp_path / "s"
    ok = subprocess.run([sys.executable, "-m", "kg", "ingest", str(DATA / "merge"), "--store", str(store),
                         "--workers", "1"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "2 articles stored, 0 rejected" in ok.stderr
    (tmp_path / "empty.txt").write_text("")
    bad = subprocess.run([sys.executable, "-m", "kg", "ingest", str(tmp_path / "empty.txt"), "--store", str(store)],
                         cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "empty.txt: read" in bad.stderr
    stats = subprocess.run([sys.executable, "-m", "kg", "stats", "--store", str(store), "--json"], cwd=ROOT,
                           capture_output=True, text=True)
    assert json.loads(stats.stdout)["articles"] == 2


def test_corpus_ingested_twice_gives_the_same_store(tmp_path: Path, articles_dir: Path) -> None:
    _needs_gate()
    articles = articles_dir
    with open_store(tmp_path / "two") as st:
        first = st.ingest([articles], workers=2)
        assert first.stored + first.rejected == len(list(articles.iterdir()))
        quads = st.quad_count()
        second = st.ingest([articles], workers=2)
        assert second.stored == first.stored
        assert st.quad_count() == quads
        two_workers = _data_quads(st)
    with open_store(tmp_path / "one") as st:
        st.ingest([articles], workers=1)
        assert _data_quads(st) == two_workers


def _data_quads(st) -> list[str]:  # type: ignore[no-untyped-def]
    """Article, entity and merged quads (the ontology's blank nodes differ from store to store)."""
    return sorted(str(q) for q in st.quads() if "/graph/" in q.graph_name.value)


def test_a_store_inside_the_ingested_folder_is_not_read_as_articles(tmp_path: Path, samples_dir: Path) -> None:
    shutil.copy(samples_dir / "s003.txt", tmp_path / "s003.txt")
    with open_store(tmp_path / "kg-data") as st:
        st.ingest([tmp_path], workers=1)
        report = st.ingest([tmp_path], workers=1)  # the store now has meta.json and quarantine.jsonl inside
    assert report.stored == 1 and report.rejected == 0, [r.line() for r in report.rejects]


def test_progress_reports_each_input_once_the_commit_holding_it_is_done(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A full queue is committed by the batch itself: its inputs are reported then, not at the next timer tick."""
    from kg.ingest import Ingest
    from kg.store import batch as article_batch

    _needs_gate()
    monkeypatch.setattr(article_batch, "SIZE", 2)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("s000.txt", "s003.txt", "d01.txt", "d08.txt"):
        shutil.copy(ROOT / "samples" / name, folder / name)
    with open_store(tmp_path / "s") as st:
        run = Ingest(st.store, [folder], workers=1)
        seen = [len(st.store.article_keys()) for outcome in run if outcome.reject is None]
    assert seen == [2, 2, 4, 4]
