"""A live store: ``kg serve``, ``kg query`` and the Python API read while ``kg ingest`` writes.

Real processes throughout: a server on 127.0.0.1, a writer in its own interpreter, SIGKILL.
The writer runs the real ``kg ingest`` command with small batches (``BATCH`` articles, no
commit timer), so the states at batch boundaries are known: every answer must be one of them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg
from kg.store import open_store
from tests.processes import start_kg_serve, stop
from tests.test_store_default_graph import assert_default_is_the_merge

ROOT = Path(__file__).resolve().parents[1]
CALL = Path(__file__).parent / "data" / "store" / "merge" / "call-a.json"
BATCH = 10
#: articles in the store (named graphs) and in its default graph, the merge: equal in any whole state
COUNTS = """PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#>
SELECT ?named ?merged WHERE {
  { SELECT (COUNT(DISTINCT ?a) AS ?named) WHERE { GRAPH ?g { ?a a dip:Article } } }
  { SELECT (COUNT(DISTINCT ?b) AS ?merged) WHERE { ?b a dip:Article } }
}"""
#: the real `kg ingest`, committing every BATCH articles (and never on the 10 s timer)
WRITER = f"""
import sys
import kg.ingest, kg.store.batch
kg.store.batch.SIZE = {BATCH}
kg.ingest.COMMIT_SECONDS = 1e9
from kg.cli import main
sys.argv = ["kg", "ingest", *sys.argv[1:]]
main()
"""

pytestmark = pytest.mark.slow


def corpus(folder: Path, n: int, start: int = 0) -> Path:
    """``n`` distinct articles (own URL, date and title each) made from one short test article."""
    folder.mkdir(parents=True, exist_ok=True)
    base = json.loads(CALL.read_text())
    for i in range(start, start + n):
        doc = dict(base, url=f"{base['url']}?copy={i}", published=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T09:00:00Z",
                   title=f"{base['title']} ({i})")
        (folder / f"a{i:04d}.json").write_text(json.dumps(doc))
    return folder


def writer(inputs: Path, store: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(inputs), "--store", str(store), "--workers", "1"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """An empty store and ``kg serve`` on it (a real process on a free port); stopped after the test."""
    store = tmp_path / "s"
    open_store(store).close()
    proc, url = start_kg_serve(store)
    try:
        yield store, url
    finally:
        stop(proc, signal.SIGINT, 20)


def counts(url: str) -> tuple[int, int]:
    """(articles, articles in the merged default graph) as the server answers now."""
    with urllib.request.urlopen(url + "?" + urllib.parse.urlencode({"query": COUNTS}), timeout=60) as resp:
        assert resp.status == 200
        row = json.load(resp)["results"]["bindings"][0]
    return int(row["named"]["value"]), int(row["merged"]["value"])


def wait_for(url: str, n: int) -> tuple[int, int]:
    """Poll until the server shows ``n`` articles (the test fails on the bound, never on speed)."""
    for _ in range(1200):
        seen = counts(url)
        if seen[0] == n:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"the server never showed {n} articles (last: {seen})")


def assert_batch_boundary(state: tuple[int, int], total: int) -> None:
    named, merged = state
    assert named == merged, f"half a batch is visible: {named} articles but {merged} in the merged graph"
    assert named % BATCH == 0 or named == total, f"{named} articles is not a batch boundary"


def test_server_query_and_api_read_while_ingest_writes_and_see_only_whole_batches(
        server: tuple[Path, str], tmp_path: Path) -> None:
    store, url = server
    total = 6 * BATCH
    query = _write(tmp_path / "counts.rq", COUNTS)
    inputs = corpus(tmp_path / "in", total)
    proc = writer(inputs, store)
    answers: list[tuple[int, int]] = []
    others_checked = False
    while proc.poll() is None:
        answers.append(counts(url))  # never an error, never a wait for the writer
        if not others_checked and 0 < answers[-1][0] < total:
            others_checked = True  # mid-ingest: the other readers read too, a second writer is refused
            cli = subprocess.run([sys.executable, "-m", "kg", "query", str(query), "--store", str(store),
                                  "--format", "json"], cwd=ROOT, capture_output=True, text=True)
            assert cli.returncode == 0, cli.stderr
            row = json.loads(cli.stdout)["results"]["bindings"][0]
            assert_batch_boundary((int(row["named"]["value"]), int(row["merged"]["value"])), total)
            with kg.open_store(store, read_only=True) as api:
                rows = api.query(str(query)).rows
                assert_batch_boundary((int(rows[0]["named"]), int(rows[0]["merged"])), total)
            again = inputs / "a0000.json"  # already stored: were the writer done, nothing changes
            second = subprocess.run([sys.executable, "-m", "kg", "ingest", str(again), "--store", str(store)],
                                    cwd=ROOT, capture_output=True, text=True)
            if proc.poll() is None:
                assert second.returncode == 2, second.stderr
                assert f"is locked by another kg process (pid {proc.pid})" in second.stderr
        time.sleep(0.05)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    answers.append(wait_for(url, total))
    for state in answers:
        assert_batch_boundary(state, total)
    named = [n for n, _ in answers]
    assert named == sorted(named), "a reader went back in time"
    assert others_checked, "no answer came while the ingest was half done"
    snaps = store / "snapshots"
    for _ in range(100):  # the server moves to the newest snapshot and lets go of the older ones
        left = [p.name for p in snaps.iterdir() if p.name.isdigit()]
        if left == [(snaps / "CURRENT").read_text().strip()]:
            break
        counts(url)
        time.sleep(0.1)
    assert left == [(snaps / "CURRENT").read_text().strip()], "old snapshots stay on disk"


def test_sigkill_of_the_writer_leaves_the_server_answering_and_the_store_whole(
        server: tuple[Path, str], tmp_path: Path) -> None:
    store, url = server
    total = 40 * BATCH
    proc = writer(corpus(tmp_path / "in", total), store)
    try:
        while counts(url)[0] == 0:  # at least one batch committed
            assert proc.poll() is None, "the writer ended before its first batch was seen"
            time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    after = counts(url)  # the server keeps answering, from the last committed batch
    assert_batch_boundary(after, total)
    assert 0 < after[0] < total, "kill the writer in the middle: raise the corpus size"
    with open_store(store) as st:  # the next writer undoes the half batch, if any, and publishes
        keys = st.article_keys()
        assert_default_is_the_merge(st)
        assert len(keys) >= after[0] and len(keys) % BATCH == 0
    assert_batch_boundary(wait_for(url, len(keys)), total)


def test_a_reader_opened_before_a_batch_keeps_its_state_until_it_refreshes(tmp_path: Path) -> None:
    store = tmp_path / "s"
    proc = writer(corpus(tmp_path / "in", BATCH), store)
    assert proc.wait(300) == 0
    with kg.open_store(store, read_only=True) as api:
        before = api.article_keys()
        assert len(before) == BATCH
        proc = writer(corpus(tmp_path / "more", BATCH, start=BATCH), store)
        assert proc.wait(300) == 0
        assert api.store.article_keys() == before  # one consistent state while it is not asked to move
        assert len(api.query(str(_write(tmp_path / "n.rq", COUNTS))).rows) == 1  # query() moves to the newest
        assert len(api.article_keys()) == 2 * BATCH


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
