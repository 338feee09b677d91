"""``kg build`` on a local Dask cluster beside ``kg ingest``, on the same synthetic corpus, in one run.

    python -m bench.build --size 100000                 # ingest (2 workers), build (2-worker cluster), load
    python -m bench.build --size 1000 --check           # also: the shards equal the export of the ingest
    python -m bench.run --sizes 10000 --build           # the same phase inside the main benchmark

Each heavy step runs in its own process (peak memory is the summed RSS of its process tree,
the Dask scheduler, nannies and workers included): the ingest through ``bench.phase``, the build
and the load through ``python -m bench.build step ...``. Prints one JSON object; articles/s of
the build over the ingest's is the ratio the table shows.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import generate
from bench.measure import run_module, run_phase


def _step(args: list[str], timeout: float | None = None) -> dict[str, Any]:
    """``python -m bench.build step ARGS`` in its own process: its JSON line, peak RSS and wall time."""
    return run_module("bench.build", ["step", *args], timeout)


def build_step(corpus: Path, out: Path, workers: int) -> dict[str, Any]:
    from kg.build import build

    report = build([corpus], out, workers=workers)
    return {"articles": report.articles, "inputs": report.inputs, "rejected": report.rejected,
            "quads": report.quads, "same_as": report.same_as, "shards": len(report.shards),
            "shard_mb": round(sum(p.stat().st_size for p in out.glob("part-*.nq.gz")) / 2**20, 1),
            "seconds": round(report.seconds, 2), "articles_per_s": round(report.inputs / report.seconds, 1),
            "map_articles_per_s": round(report.inputs / report.stages["map"], 1) if report.stages.get("map") else None,
            "stages_s": {k: round(v, 2) for k, v in report.stages.items()}}


def load_step(shards: Path, store: Path) -> dict[str, Any]:
    from kg.build import load
    from kg.store import open_store

    shutil.rmtree(store, ignore_errors=True)
    start = time.perf_counter()
    with open_store(store) as st:
        report = load(st, shards)
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
    return {"articles": report.articles, "quads": report.quads, "same_as": report.same_as,
            "seconds": round(seconds, 2), "articles_per_s": round(report.articles / seconds, 1),
            "store_mb": round(size / 2**20, 1)}


def oxigraph_load(shards: Path, db: Path) -> dict[str, Any] | None:
    """Oxigraph's own bulk loader (the server CLI, PyPI ``oxigraph``) on the shards, files in parallel."""
    cli = Path(sys.executable).parent / "oxigraph"
    if not cli.exists():
        return None
    files = sorted(str(p) for p in shards.glob("part-*.nq.gz"))
    start = time.perf_counter()
    done = subprocess.run([str(cli), "load", "--location", str(db), "--file", *files], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    size = sum(p.stat().st_size for p in db.rglob("*") if p.is_file())
    shutil.rmtree(db, ignore_errors=True)
    return {"seconds": round(seconds, 2), "disk_mb": round(size / 2**20, 1)}


def _same_as_export(shards: Path, store: Path) -> bool:
    """zcat of the shards against ``kg export --format nquads`` of the ingested store (blank-node lines aside)."""
    from kg.publish import export
    from kg.store import open_store

    dump = store.parent / "export.nq"
    with open_store(store, read_only=True) as st:
        export(st, dump, "nquads")
    def shard_lines() -> Iterator[bytes]:
        for path in sorted(shards.glob("part-*.nq.gz")):
            with gzip.open(path, "rb") as gz:
                yield from gz

    built = shard_lines()
    with open(dump, "rb") as fh:
        exported = iter(fh)
        return all(a == b for a, b in zip((x for x in built if b"_:" not in x),
                                          (y for y in exported if b"_:" not in y), strict=True))


def measure(n: int, out: Path, scratch: Path, *, workers: int = 2, seed: int = 7, check: bool = False,
            timeout: float | None = None, ingest: dict[str, Any] | None = None) -> dict[str, Any]:
    """Ingest, build and load the ``n``-article corpus; articles/s of each and the build/ingest ratio.

    ``ingest``: the ingest phase's result when the caller measured it in this run already.
    """
    corpus = generate.ensure(out / f"corpus-{n}", n, seed)
    store, shards = scratch / f"ingest-{n}", scratch / f"shards-{n}"
    result: dict[str, Any] = {"articles": n, "workers": workers}
    result["ingest"] = ingest if ingest is not None and not check else run_phase(
        ["ingest", "--store", str(store), "--workers", str(workers), str(corpus)], timeout=timeout)
    result["build"] = _step(["build", "--corpus", str(corpus), "--out", str(shards), "--workers", str(workers)],
                            timeout=timeout)
    if "error" not in result["build"]:
        result["load"] = _step(["load", "--shards", str(shards), "--store", str(scratch / f"loaded-{n}")],
                               timeout=timeout)
        ingest_rate = result["ingest"].get("articles_per_s")
        build_rate = result["build"].get("articles_per_s")
        if ingest_rate and build_rate:
            result["build_over_ingest"] = round(build_rate / ingest_rate, 2)
        oxigraph = oxigraph_load(shards, scratch / f"oxigraph-{n}")
        if oxigraph is not None:
            if "seconds" in oxigraph and result["build"].get("quads"):
                oxigraph["quads_per_s"] = round(result["build"]["quads"] / oxigraph["seconds"])
            result["oxigraph_load"] = oxigraph
        if check and "error" not in result["ingest"]:
            result["same_as_export"] = _same_as_export(shards, store)
    for path in (store, shards, scratch / f"loaded-{n}"):
        shutil.rmtree(path, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="kg build on a local Dask cluster beside kg ingest")
    sub = ap.add_subparsers(dest="cmd")
    step = sub.add_parser("step")
    step.add_argument("what", choices=("build", "load"))
    step.add_argument("--corpus", type=Path)
    step.add_argument("--out", type=Path)
    step.add_argument("--shards", type=Path)
    step.add_argument("--store", type=Path)
    step.add_argument("--workers", type=int, default=2)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path("bench/out"), help="corpora and build.json go here")
    ap.add_argument("--check", action="store_true", help="also compare the shards with the ingest's export")
    args = ap.parse_args(argv)
    if args.cmd == "step":
        if args.what == "build":
            print(json.dumps(build_step(args.corpus, args.out, args.workers)))
        else:
            print(json.dumps(load_step(args.shards, args.store)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kg-bench-build-") as tmp:
        result = measure(args.size, args.out, Path(tmp), workers=args.workers, seed=args.seed, check=args.check)
    result["started"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    (args.out / f"build-{args.size}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
