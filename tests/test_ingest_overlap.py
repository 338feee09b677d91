"""Bulk ingest into a large store: the workers keep extracting while the parent commits a batch, and an
article stored again (a new version under the same key) is swapped in by the exact difference, leaving
the same store, default graph and counters as the general SPARQL replacement."""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench import generate
from kg import ingest as ingest_module
from kg import workers as workers_module
from kg.ingest import CHUNK, IN_FLIGHT, Ingest
from kg.store import Store, counters, open_store
from kg.store.batch import SIZE
from kg.workers import WorkerPool
from tests.processes import until
from tests.test_store_batch import _articles, _content
from tests.test_store_default_graph import assert_default_is_the_merge

ROOT = Path(__file__).resolve().parents[1]


def mark(folder: str, number: int) -> int:
    """A task that leaves a trace of having run (runs in a worker process)."""
    Path(folder, str(number)).touch()
    return number


def once_there(path: str) -> str:
    """A task that ends when ``path`` exists (runs in a worker process)."""
    deadline = time.monotonic() + 120  # a bound on a stuck test, not a speed requirement
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    return path


def _wait_for(folder: Path, count: int) -> int:
    deadline = time.monotonic() + 120  # a bound on a stuck worker, not a speed requirement
    while len(os.listdir(folder)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(os.listdir(folder))


def test_a_pool_runs_its_warm_up_first_drops_its_answer_and_serves_one_map_after_another(tmp_path: Path) -> None:
    marker = tmp_path / "warm"
    with WorkerPool(2, warm=(Path.write_text, (marker, "warmed"))) as pool:
        pids = pool.pids
        # each worker warmed up before its first task (the task reads what the warm-up wrote)
        assert list(pool.map(Path.read_text, [(marker,)] * 4)) == ["warmed"] * 4
        assert pool.reusable
        assert list(pool.map(mark, [(str(tmp_path), i) for i in range(6)])) == list(range(6))
        assert pool.pids == pids  # the same processes, still warm


def test_a_map_stopped_early_leaves_a_pool_that_refuses_another_map(tmp_path: Path) -> None:
    gate = tmp_path / "go"
    with WorkerPool(1) as pool:
        results = pool.map(once_there, [(str(tmp_path),), (str(gate),)])
        assert next(results) == str(tmp_path)
        results.close()  # the second task still runs: its answer would be taken for the next map's
        assert not pool.reusable
        with pytest.raises(workers_module.WorkerError, match="start a new pool"):
            next(pool.map(mark, [(str(tmp_path), 1)]))
        gate.touch()


def test_the_workers_prepare_a_whole_batch_while_the_parent_is_busy_and_results_stay_in_order(
        tmp_path: Path) -> None:
    workers = 2
    limit = IN_FLIGHT * workers
    assert limit * CHUNK >= SIZE  # the articles extracted meanwhile fill the next batch
    tasks = [(str(tmp_path), i) for i in range(limit * 2)]
    with WorkerPool(workers) as pool:
        results = pool.map(mark, tasks, in_flight=IN_FLIGHT)
        assert next(results) == 0
        # the parent now "commits" and asks for nothing: the tasks already handed out still run ...
        assert _wait_for(tmp_path, limit) == limit
        # ... and no more than those (the outcomes held meanwhile are bounded)
        assert len(os.listdir(tmp_path)) == limit
        assert list(results) == list(range(1, limit * 2))
    assert len(os.listdir(tmp_path)) == limit * 2


def test_a_pool_tells_whether_its_next_result_is_in_without_waiting_for_it(tmp_path: Path) -> None:
    gate = tmp_path / "go"
    with WorkerPool(1) as pool:
        results = pool.map(once_there, [(str(tmp_path),), (str(gate),)])
        assert next(results) == str(tmp_path)
        assert not pool.ready()  # the second task runs until the gate opens
        gate.touch()
        assert until(pool.ready, seconds=120)
        assert list(results) == [str(gate)]
        assert not pool.ready()  # nothing left


def test_the_parent_commits_what_is_ready_while_the_workers_extract_and_stores_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = generate.ensure(tmp_path / "corpus", 60, 7)
    monkeypatch.setattr(ingest_module, "IDLE_COMMIT", 10)
    with open_store(tmp_path / "one") as one:
        alone = Ingest(one, [corpus], workers=1)  # one process: one commit, at the end
        assert len(list(alone)) == alone.report.stored == 60
        content, default, articles = _content(one), _default(one), counters.current(one).articles
    with open_store(tmp_path / "two") as two:
        stored_at_first_report = None
        for _ in Ingest(two, [corpus], workers=2):
            if stored_at_first_report is None:
                stored_at_first_report = counters.current(two).articles
        # an outcome is reported once committed: the first came while the workers were still extracting
        assert stored_at_first_report is not None and 0 < stored_at_first_report < articles
        assert _content(two) == content and _default(two) == default
        assert_default_is_the_merge(two)
        kept = counters.load(two)
        assert kept is not None and asdict(kept) == asdict(counters.recount(two))


def test_one_file_is_extracted_in_the_parent_without_starting_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(size: int) -> WorkerPool:
        raise AssertionError(f"a pool of {size} worker processes started for one file")

    monkeypatch.setattr(workers_module, "WorkerPool", no_pool)
    with open_store(tmp_path / "s") as st:
        run = Ingest(st, [ROOT / "samples" / "d01.txt"], workers=2)
        assert len(list(run)) == run.report.stored == 1


def _default(st: Store) -> set[ox.Triple]:
    return {q.triple for q in st.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def test_a_new_version_of_a_stored_article_leaves_what_the_general_replacement_leaves(tmp_path: Path) -> None:
    with open_store(tmp_path / "patched") as st, open_store(tmp_path / "general") as ref:
        articles = _articles(st)
        (k1, nt1, e1), (_, nt2, e2), (k3, nt3, e3) = articles[:3]
        iri = sorted(e2)[0]
        renamed = {**e2, iri: e2[iri].replace('"', '"Renamed ', 1)}
        assert renamed[iri] != e2[iri]
        for target in (st, ref):
            for key, nt, ents in articles[:3]:
                target.replace_article(key, nt, ents)
        batch = st.batch(size=10)
        batch.add(k1, nt2, renamed)  # stored already: a new version, and a changed description
        batch.add(k3, nt3, e3)  # the same version again
        batch.add("fourth", nt1, e1)
        batch.commit()
        ref._replace(k1, nt2, renamed)  # the SPARQL update that matches every other graph
        ref._replace(k3, nt3, e3)
        ref.replace_article("fourth", nt1, e1)
        assert _content(st) == _content(ref)
        assert_default_is_the_merge(st)
        assert _default(st) == _default(ref)
        kept = counters.load(st)
        assert kept is not None and asdict(kept) == asdict(counters.recount(st))


def test_ingesting_a_folder_again_with_two_workers_replaces_every_article_and_changes_nothing(
        tmp_path: Path) -> None:
    store = tmp_path / "s"
    with open_store(store) as st:
        first = Ingest(st, [ROOT / "samples"], workers=2)
        before = [o.source for o in first]
        content, default = _content(st), _default(st)
        again = Ingest(st, [ROOT / "samples"], workers=2)
        assert [o.source for o in again] == before  # in input order
        assert again.report.stored == first.report.stored > 0
        assert _content(st) == content and _default(st) == default
        kept = counters.load(st)
        assert kept is not None and asdict(kept) == asdict(counters.recount(st))
