"""Heavy benchmark phases, each run in its own process by ``bench.measure.run_phase``.

    python -m bench.phase ingest --store DIR --workers 2 CORPUS
    python -m bench.phase add --store DIR --workers 1 FOLDER     # into an existing store (bench.incremental)
    python -m bench.phase baseline --corpus CORPUS [--push URL] [--reps 3] [--query-timeout 120]
    python -m bench.phase publish --store DIR --out SITE          # kg publish of the store (issue 15: < 2 min at 10k)

Each prints one JSON line (its last line of stdout).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path


def ingest(store_dir: Path, corpus: Path, workers: int) -> dict[str, object]:
    from kg.api import open_store

    shutil.rmtree(store_dir, ignore_errors=True)
    start = time.perf_counter()
    with open_store(store_dir) as store:
        report = store.ingest([corpus], workers=workers)
        quads = store.quad_count()
    seconds = time.perf_counter() - start
    return {"stored": report.stored, "rejected": report.rejected, "quads": quads, "seconds": round(seconds, 2),
            "articles_per_s": round(report.stored / seconds, 1)}


def publish(store_dir: Path, out: Path) -> dict[str, object]:
    from kg.publish import publish_site
    from kg.store import open_store

    shutil.rmtree(out, ignore_errors=True)  # a fresh folder: replacing an old site would time its deletion too
    start = time.perf_counter()
    with open_store(store_dir, read_only=True) as store:
        report = publish_site(store, out, base_iri=store.base_iri)
    seconds = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    return {"resources": report.resources, "files": report.files, "seconds": round(seconds, 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="phase", required=True)
    ing = sub.add_parser("ingest")
    ing.add_argument("--store", type=Path, required=True)
    ing.add_argument("--workers", type=int, default=1)
    ing.add_argument("corpus", type=Path)
    add = sub.add_parser("add")
    add.add_argument("--store", type=Path, required=True)
    add.add_argument("--workers", type=int, default=1)
    add.add_argument("--reference", action="store_true", help="also time a full merge pass and a recount")
    add.add_argument("folder", type=Path)
    base = sub.add_parser("baseline")
    base.add_argument("--corpus", type=Path, required=True)
    base.add_argument("--push", default=None)
    base.add_argument("--reps", type=int, default=3)
    base.add_argument("--query-timeout", type=float, default=120.0)
    pub = sub.add_parser("publish")
    pub.add_argument("--store", type=Path, required=True)
    pub.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    if args.phase == "publish":
        result = publish(args.store, args.out)
    elif args.phase == "ingest":
        result = ingest(args.store, args.corpus, args.workers)
    elif args.phase == "add":
        from bench.incremental import add as add_articles

        result = add_articles(args.store, args.folder, args.workers, args.reference)
    else:
        from bench.baseline import run_baseline

        result = run_baseline(args.corpus, push_url=args.push, reps=args.reps, query_timeout=args.query_timeout)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
