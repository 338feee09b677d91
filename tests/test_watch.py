"""``kg ingest --watch DIR``: a feed drops files, each is ingested once, whole, until SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import kg
from kg import workers as workers_module
from kg.pipeline import article_graph
from kg.read import read_article
from kg.watch import Watcher, WatchReport, watch
from kg.workers import WorkerPool
from tests.processes import alive, until
from tests.rdfassert import assert_isomorphic
from tests.test_live import CALL, corpus

ROOT = Path(__file__).resolve().parents[1]
SETTLE = 2.0


def _article(i: int) -> str:
    base = json.loads(CALL.read_text())
    return json.dumps(dict(base, url=f"{base['url']}?feed={i}", title=f"{base['title']} (feed {i})"), indent=1)


def test_a_file_is_ready_once_it_held_still_for_the_settle_interval(tmp_path: Path) -> None:
    now = [0.0]
    watcher = Watcher(tmp_path, settle=2.0, clock=lambda: now[0])
    path = tmp_path / "a.json"
    path.write_text(_article(0)[:50])
    assert watcher.settled() == []  # first seen
    now[0] = 1.0
    with open(path, "a") as fh:
        fh.write(_article(0)[50:])  # still growing: the clock starts again
    os.utime(path, ns=(1, 1_000_000_000))
    assert watcher.settled() == []
    now[0] = 2.5
    assert watcher.settled() == []  # 1.5 s unchanged
    now[0] = 3.0
    assert watcher.settled() == [path]
    watcher.done([path])
    now[0] = 10.0
    assert watcher.settled() == []  # ingested at this version
    os.utime(path, ns=(2, 2_000_000_000))  # changed afterwards: read again once it settles
    assert watcher.settled() == []
    now[0] = 12.0
    assert watcher.settled() == [path]


def test_dotfiles_partial_downloads_and_other_suffixes_are_never_read(tmp_path: Path) -> None:
    now = [0.0]
    watcher = Watcher(tmp_path, settle=1.0, clock=lambda: now[0])
    for name in (".hidden.json", "a.json.part", "b.json.tmp", "c.json.crdownload", "notes.csv"):
        (tmp_path / name).write_text(_article(1))
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "d.json").write_text(_article(2))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "e.json").write_text(_article(3))
    watcher.settled()
    now[0] = 5.0
    assert watcher.settled() == [tmp_path / "sub" / "e.json"]


@pytest.mark.slow
def test_watch_ingests_files_as_they_appear_and_a_slow_file_once_whole(tmp_path: Path) -> None:
    store, feed = tmp_path / "s", tmp_path / "feed"
    corpus(feed, 2)  # already there when the watch starts
    proc = subprocess.Popen([sys.executable, "-m", "kg", "ingest", "--watch", str(feed), "--store", str(store),
                             "--settle", str(SETTLE), "--workers", "1"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or []), daemon=True)
    reader.start()
    try:
        for i in range(3):  # dropped the safe way: written under a partial name, then renamed
            (feed / f"drop{i}.json.part").write_text(_article(i))
            os.replace(feed / f"drop{i}.json.part", feed / f"drop{i}.json")
        (feed / ".draft.json").write_text(_article(90))
        (feed / "stuck.json.part").write_text(_article(91))
        slow, text = feed / "slow.json", _article(99)
        pieces = [text[i:i + len(text) // 10 + 1] for i in range(0, len(text), len(text) // 10 + 1)]
        with open(slow, "w") as fh:  # in pieces over ~3 s, each pause well under the settle interval
            for piece in pieces:
                fh.write(piece)
                fh.flush()
                time.sleep(0.3)
        expected = {read_article(p).key for p in [*sorted(feed.glob("a*.json")), *feed.glob("drop*.json"), slow]}
        keys: set[str] = set()
        for _ in range(600):
            if (store / "snapshots").is_dir():
                with kg.open_store(store, read_only=True) as st:  # a reader, while the watch writes
                    keys = set(st.article_keys())
            if keys >= expected:
                break
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.2)
        assert keys == expected
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        reader.join(10)
    log = "".join(lines)
    assert proc.returncode == 0, log
    assert "watched" in log and "6 articles stored, 0 rejected" in log
    assert sum(1 for line in log.splitlines() if line.startswith("stored:") and "slow.json" in line) == 1
    assert not (store / "quarantine.jsonl").exists()  # the half-written slow file was never read
    assert not (store / "kg.lock").read_text().strip()  # the writer closed the store: its lock is released
    with kg.open_store(store) as st:  # opens for writing: nobody holds the store
        key = read_article(slow).key
        assert_isomorphic(st.graph(st.article_graph(key)), article_graph(read_article(slow), st.base_iri))


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[WorkerPool]:
    """Every worker pool started from here on (real processes)."""
    started: list[WorkerPool] = []

    class Counted(WorkerPool):
        def __init__(self, size: int, **kwargs: Any) -> None:
            super().__init__(size, **kwargs)
            started.append(self)

    monkeypatch.setattr(workers_module, "WorkerPool", Counted)
    return started


def _watch_in_rounds(tmp_path: Path, step: Callable[[Path, list[str]], bool]) -> tuple[WatchReport, list[str]]:
    """A watch with two workers on a new store: ``step(feed, stored)``, called before each look at the
    folder, drops files and says when to stop; the report and the keys stored."""
    feed = tmp_path / "feed"
    feed.mkdir()
    stored: list[str] = []
    with kg.open_store(tmp_path / "s") as st:
        report = watch(st, feed, settle=0, poll=0.05, workers=2, on_outcome=lambda o: stored.append(o.source),
                       stopped=lambda: step(feed, stored))
        return report, st.article_keys()


def test_a_watch_starts_its_workers_once_and_keeps_them_warm_between_rounds(
        tmp_path: Path, pools: list[WorkerPool]) -> None:
    rounds = 3

    def two_more_once_stored(feed: Path, stored: list[str]) -> bool:
        dropped = len(list(feed.glob("*.json")))
        if len(stored) == dropped and dropped < 2 * rounds:
            corpus(feed, 2, start=dropped)
        return len(stored) == 2 * rounds

    report, keys = _watch_in_rounds(tmp_path, two_more_once_stored)
    assert report.stored == len(keys) == 2 * rounds and report.rounds >= rounds
    assert len(pools) == 1, "a new pool of worker processes for a round"
    assert all(until(lambda pid=pid: not alive(pid)) for pid in pools[0].pids)  # stopped with the watch


def test_a_worker_killed_between_rounds_is_replaced_and_the_watch_goes_on(
        tmp_path: Path, pools: list[WorkerPool]) -> None:
    def kill_one_after_the_first_round(feed: Path, stored: list[str]) -> bool:
        dropped = len(list(feed.glob("*.json")))
        if len(stored) == dropped == 2:  # the first round is in: a worker dies (the OOM killer, say)
            os.kill(pools[0].pids[0], signal.SIGKILL)
            assert until(lambda: not pools[0].reusable)
            corpus(feed, 2, start=2)
        elif not dropped:
            corpus(feed, 2)
        return len(stored) == 4

    report, keys = _watch_in_rounds(tmp_path, kill_one_after_the_first_round)
    assert report.stored == len(keys) == 4 and not report.rejects
    assert len(pools) == 2  # the second round ran in a new pool
