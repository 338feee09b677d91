"""Bench phase "serve while ingest": how soon a running ``kg serve`` shows a batch ``kg ingest`` committed.

A ``kg serve`` process runs on the store while this process ingests new articles (the
generator's, far past those of the other phases) in batches of ``BATCH``. After each commit
the server is asked, as fast as it answers, whether the batch's last article is there;
``visible_ms`` is the time from the commit's end to the first yes. Its baseline, measured
in the same run: ``ask_ms``, the same question to the idle server once the article is
there (what a client pays anyway), so ``visible_ms - ask_ms`` is what staying live costs.
``publish_ms`` is one snapshot (the RocksDB checkpoint each commit makes for readers);
``errors`` counts answers other than 200 (expected: 0; the old store answered "locked").
"""

from __future__ import annotations

import json
import signal
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.incremental import extra_corpus
from tests.processes import start_kg_serve, stop

#: articles per committed batch, and batches
BATCH = 50
BATCHES = 5
#: index of the first new article: far past what the other phases add to the store
FIRST = 50_000


def _ask(url: str, graph: str) -> tuple[int, bool]:
    query = f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    try:
        with urllib.request.urlopen(url + "?" + urllib.parse.urlencode({"query": query}), timeout=60) as resp:
            return resp.status, bool(json.load(resp).get("boolean"))
    except urllib.error.HTTPError as exc:
        return exc.code, False


def run(store_dir: Path, n: int, scratch: Path, seed: int, batch: int = BATCH, batches: int = BATCHES,
        workers: int = 2) -> dict[str, Any]:
    """Ingest ``batch * batches`` new articles into ``store_dir`` while ``kg serve`` reads it."""
    import kg.ingest
    import kg.store.batch
    import kg.store.staged
    from kg.api import open_store

    batch = min(batch, max(5, n // 20))  # a smoke run on a tiny store stays tiny
    folder = extra_corpus(scratch / f"live-{n}", n + FIRST, batch * batches, seed)
    proc, url = start_kg_serve(store_dir)
    _ask(url, store_dir.as_uri())  # warm-up: the server starts a query process on its first query
    saved = kg.store.batch.SIZE, kg.ingest.COMMIT_SECONDS
    kg.store.batch.SIZE, kg.ingest.COMMIT_SECONDS = batch, 1e9  # commits at batch boundaries only
    visible: list[float] = []
    asks: list[float] = []
    publishes: list[float] = []
    errors = [0]
    try:
        with open_store(store_dir) as store:
            inner, added, measured = store.store, [], [0]
            make_batch, publish = inner.batch, inner.publish

            def recording_batch(size: int | None = None, *,
                                expected: int = 0) -> kg.store.batch.ArticleBatch | kg.store.staged.StagedBatch:
                made = make_batch(size, expected=expected)  # (a store with articles: never staged)
                add = made.add

                def recorded(key: str, *args: Any, **kwargs: Any) -> None:
                    added.append(key)
                    add(key, *args, **kwargs)  # a full batch commits (and publishes) in here

                made.add = recorded  # type: ignore[method-assign]
                return made

            def measured_publish(*, collect_later: bool = False) -> int | None:
                """Publish, then ask the server until it shows the batch's last article."""
                start = time.perf_counter()
                gen = publish(collect_later=collect_later)
                done = time.perf_counter()
                publishes.append(done - start)
                if len(added) > measured[0]:  # a batch commit (not the merge's publish at the end)
                    measured[0] = len(added)
                    visible.append(_until_visible(url, store.article_graph(added[-1]), done, errors))
                    start = time.perf_counter()
                    errors[0] += _ask(url, store.article_graph(added[-1]))[0] != 200
                    asks.append(time.perf_counter() - start)
                return gen

            inner.batch, inner.publish = recording_batch, measured_publish  # type: ignore[method-assign]
            for _ in kg.ingest.Ingest(inner, [folder], workers=workers):
                pass
    finally:
        kg.store.batch.SIZE, kg.ingest.COMMIT_SECONDS = saved
        stop(proc, signal.SIGINT, 30)
    ms = 1000.0
    return {"commits": len(visible), "batch": batch, "errors": errors[0],
            "visible_ms": {"median": round(statistics.median(visible) * ms, 1), "max": round(max(visible) * ms, 1)},
            "ask_ms": round(statistics.median(asks) * ms, 1),
            "publish_ms": round(statistics.median(publishes) * ms, 1),
            "ratio": round(statistics.median(asks) / statistics.median(visible), 3)}


def _until_visible(url: str, graph: str, since: float, errors: list[int]) -> float:
    """Seconds from ``since`` until the server answers that ``graph`` is there."""
    while True:
        status, there = _ask(url, graph)
        errors[0] += status != 200
        if there:
            return time.perf_counter() - since
        if time.perf_counter() - since > 60:
            raise RuntimeError(f"a committed batch was not visible after 60 s ({url})")
