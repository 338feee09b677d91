"""Crash safety and concurrency, for real: SIGKILL mid-batch, and two writers at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from rdflib.compare import IsomorphicGraph, to_isomorphic

from kg.pipeline import article_graph
from kg.read import read_article
from kg.store import counters, open_store
from kg.store.batch import JOURNAL, SIZE
from tests.rdfassert import assert_isomorphic
from tests.test_store_default_graph import assert_default_is_the_merge

ROOT = Path(__file__).resolve().parents[1]
CALL = Path(__file__).parent / "data" / "store" / "merge" / "call-a.json"

pytestmark = pytest.mark.slow


def _corpus(folder: Path, n: int, edition: str = "") -> Path:
    """``n`` distinct articles (own URL and date each) from one real article; another ``edition`` has other
    titles under the same URLs (the same keys)."""
    folder.mkdir()
    base = json.loads(CALL.read_text())
    for i in range(n):
        doc = dict(base, url=f"{base['url']}?copy={i}",
                   published=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T09:00:00Z",
                   title=f"{base['title']} ({i}){edition}")
        (folder / f"a{i:04d}.json").write_text(json.dumps(doc))
    return folder


def _ingest(inputs: Path, store: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kg", "ingest", str(inputs), "--store", str(store),
                             "--workers", "1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_lock(store: Path, proc: subprocess.Popen[str]) -> None:
    lock = store / "kg.lock"
    for _ in range(300):
        if lock.exists() and lock.read_text().strip() == str(proc.pid):
            return
        time.sleep(0.05)
    raise AssertionError("the ingest never took the store lock")


def test_sigkill_mid_batch_leaves_every_article_complete_or_absent(tmp_path: Path) -> None:
    pytest.importorskip("kg.validate", reason="kg/validate.py (the SHACL gate) is not in the tree yet")
    inputs = _corpus(tmp_path / "in", SIZE + SIZE // 2)  # one whole batch, then a kill during the second
    store = tmp_path / "s"
    proc = _ingest(inputs, store)
    _wait_for_lock(store, proc)
    journal, seen = store / JOURNAL, False
    for _ in range(6000):  # the first batch's journal comes and goes
        if journal.exists():
            seen = True
        elif seen:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_store(store) as st:  # opens (and can write) after the crash
        keys = st.article_keys()
        # a batch was committed (full, or earlier by the 10 s timer on a busy machine), the kill came before the end
        assert 0 < len(keys) < SIZE + SIZE // 2, "kill the batch in the middle: adjust the corpus size"
        by_key = {}
        for path in sorted(inputs.iterdir()):
            article = read_article(path)
            by_key[article.key] = article
        for key in keys:
            expected = article_graph(by_key[key], st.base_iri)
            assert_isomorphic(st.graph(st.article_graph(key)), expected)
        assert st.triple_count() > 0
        assert_default_is_the_merge(st)
        assert not (store / JOURNAL).exists()


def test_second_writer_is_refused_and_the_first_finishes(tmp_path: Path) -> None:
    pytest.importorskip("kg.validate", reason="kg/validate.py (the SHACL gate) is not in the tree yet")
    inputs = _corpus(tmp_path / "in", 1000)  # long enough to still be running during the checks
    store = tmp_path / "s"
    first = _ingest(inputs, store)
    _wait_for_lock(store, first)
    second = subprocess.run([sys.executable, "-m", "kg", "ingest", str(CALL), "--store", str(store)],
                            cwd=ROOT, capture_output=True, text=True)
    assert second.returncode == 2
    assert f"is locked by another kg process (pid {first.pid})" in second.stderr
    assert "wait for it to finish" in second.stderr
    query = subprocess.run([sys.executable, "-m", "kg", "query", "most-active-leaders", "--store", str(store)],
                           cwd=ROOT, capture_output=True, text=True)
    assert query.returncode == 0, query.stderr  # readers read what the writer committed, never wait for it
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    with open_store(store, read_only=True) as st:
        assert len(st.article_keys()) == 1000


#: the real `kg ingest`, committing every 10 articles
SMALL_BATCHES = """
import sys
import kg.ingest, kg.store.batch
kg.store.batch.SIZE = 10
kg.ingest.COMMIT_SECONDS = 1e9
from kg.cli import main
sys.argv = ["kg", "ingest", *sys.argv[1:]]
main()
"""


def test_sigkill_while_new_versions_replace_stored_articles_leaves_each_old_or_new_whole(tmp_path: Path) -> None:
    pytest.importorskip("kg.validate", reason="kg/validate.py (the SHACL gate) is not in the tree yet")
    old, new = _corpus(tmp_path / "old", 40), _corpus(tmp_path / "new", 40, " (corrected)")
    store = tmp_path / "s"
    args = ["--store", str(store), "--workers", "1"]
    first = subprocess.run([sys.executable, "-c", SMALL_BATCHES, str(old), *args], cwd=ROOT, capture_output=True,
                           text=True)
    assert first.returncode == 0, first.stderr
    proc = subprocess.Popen([sys.executable, "-c", SMALL_BATCHES, str(new), *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_for_lock(store, proc)
    journal, appeared, was = store / JOURNAL, 0, False
    for _ in range(60000):  # killed when a batch's journal appears after one batch was committed
        now = journal.exists()
        appeared += now and not was
        was = now
        if appeared == 2 or proc.poll() is not None:
            break
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_store(store) as st:  # undoes the batch cut short: its articles keep their old versions
        assert not journal.exists()
        versions: dict[str, list[IsomorphicGraph]] = {}
        for folder in (old, new):
            for path in sorted(folder.iterdir()):
                article = read_article(path)
                versions.setdefault(article.key, []).append(to_isomorphic(article_graph(article, st.base_iri)))
        keys = st.article_keys()
        assert sorted(keys) == sorted(versions)
        stored = [to_isomorphic(st.graph(st.article_graph(key))) for key in keys]
        assert all(graph in versions[key] for key, graph in zip(keys, stored, strict=True))  # each whole
        renewed = sum(graph == versions[key][1] for key, graph in zip(keys, stored, strict=True))
        assert 0 < renewed < len(keys), "kill the ingest of the new versions in the middle"
        assert_default_is_the_merge(st)
        assert asdict(counters.current(st)) == asdict(counters.recount(st))
