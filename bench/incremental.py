"""The live-store phase: add 1 and then 1,000 new articles to a store that already holds n.

The new articles are the generator's next ones (indices n, n+1, ...), so they mention the
same leaders and meetings as the store and the merge has real signatures to relink. Each
addition runs in its own process (``python -m bench.phase add``); ``seconds`` is what the
command costs beyond process start: open the store, ingest, merge, counters, close (which
publishes the snapshot readers see). Process start is the interpreter, the imports and the
extractor's first article (compiling its ~500 patterns, ``start_s``): the same at any store
size, and paid before the timer. ``wall_s`` is the whole process.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench import generate
from bench.measure import run_phase

#: how many articles each step adds
STEPS = (1, 1000)


def extra_corpus(folder: Path, first: int, count: int, seed: int) -> Path:
    """Articles ``first`` .. ``first + count - 1`` of the generator, in ``folder`` (made once)."""
    done = folder / "DONE"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(first, first + count):
            name, text = generate.article(seed, i)
            (folder / name).write_text(text, encoding="utf-8")
        done.write_text(f"{first} {count} {seed}\n", encoding="utf-8")
    return folder


def add(store_dir: Path, folder: Path, workers: int, reference: bool = False) -> dict[str, Any]:
    """Ingest ``folder`` into the existing store (what ``kg ingest`` does), timed from before the open.

    ``reference``: then time what an ingest paid before issue 14, on the same store in the same run:
    the merge recomputed from scratch and the summary's count of statements by a scan.
    """
    from kg.api import open_store
    from kg.ingest import process_file
    from kg.read import article_files

    start = time.perf_counter()
    process_file(article_files([folder])[0], "https://example.org/warm-up/")  # compiles the extractor's patterns
    start_s = time.perf_counter() - start
    start = time.perf_counter()
    with open_store(store_dir) as store:
        report = store.ingest([folder], workers=workers)
        opened_ingested = time.perf_counter() - start
    seconds = time.perf_counter() - start
    extra: dict[str, Any] = {}
    if reference:
        from kg.merge import recompute
        from kg.store.counters import recount

        with open_store(store_dir) as store:
            began = time.perf_counter()
            recompute(store.store)
            recount(store.store)
            extra["full_pass_s"] = round(time.perf_counter() - began, 3)
    return {**extra, "stored": report.stored, "rejected": report.rejected, "quads": report.quads,
            "seconds": round(seconds, 3), "ingest_s": round(report.seconds, 3),
            "merge_s": round(report.merge_seconds, 3),
            "open_and_ingest_s": round(opened_ingested, 3), "start_s": round(start_s, 3)}


def run(store_dir: Path, n: int, scratch: Path, seed: int) -> dict[str, Any]:
    """Add 1, then 1,000 articles to the n-article store in ``store_dir``; one result per step."""
    out: dict[str, Any] = {}
    first = n
    for count in STEPS:
        folder = extra_corpus(scratch / f"extra-{n}-{first}-{count}", first, count, seed)
        workers = 1 if count == 1 else 2
        args = ["add", "--store", str(store_dir), "--workers", str(workers), str(folder)]
        out[str(count)] = run_phase(args + (["--reference"] if count == 1 else []))
        first += count
    return out
