"""The benchmark: ingest, queries, export and push, each next to the hand-written baseline, in one run.

    python -m bench.run                         # 1k, 10k and 100k articles (~30 min on 2 cores)
    python -m bench.run --sizes 1000 --quick    # a few minutes

Writes ``OUT/results.json`` and prints a table. Ratios are ours / baseline for
throughputs and baseline / ours for latencies, so above 1 always means faster.
The baseline runs only where it fits its time budget (``--baseline-max``);
elsewhere the table says so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import generate
from bench.measure import latency, run_phase
from bench.queries import QUERY_PARAMS

EXPORT_FORMATS = ("nquads", "nt", "turtle", "trig", "jsonld")


def our_queries(store_dir: Path, reps: int, budget: float = 30.0) -> dict[str, Any]:
    from kg.query import load_query, run_query
    from kg.store import open_store

    out = {}
    with open_store(store_dir, read_only=True) as store:
        for name, params in QUERY_PARAMS.items():
            query = load_query(name)

            def once(q: Any = query, p: dict[str, str] = params) -> Any:
                return run_query(store, q, p)

            out[name] = latency(once, reps, budget_s=budget)
    return out


def our_exports(store_dir: Path, scratch: Path, formats: tuple[str, ...] = EXPORT_FORMATS) -> dict[str, Any]:
    from kg.publish import export
    from kg.store import open_store

    out = {}
    with open_store(store_dir, read_only=True) as store:
        for fmt in formats:
            target = scratch / f"export.{fmt}"
            start = time.perf_counter()
            report = export(store, target, fmt)
            secs = time.perf_counter() - start
            out[fmt] = {"statements": report.statements, "bytes": report.bytes, "seconds": round(secs, 2),
                        "per_s": round(report.statements / secs)}
            target.unlink()
    return out


def our_push(store_dir: Path, scratch: Path) -> dict[str, Any]:
    from kg.push import push
    from kg.store import open_store
    from tests.fixtures_oxigraph import start_oxigraph, stop_oxigraph

    server = start_oxigraph(scratch / "push-ours")
    try:
        with open_store(store_dir, read_only=True) as store:
            report = push(store, server.query)
        return {"triples": report.triples_sent, "seconds": round(report.seconds, 2),
                "per_s": round(report.triples_per_second), "failed_graphs": len(report.failed),
                "method": report.method}
    finally:
        stop_oxigraph(server)


def baseline(corpus: Path, scratch: Path, *, push: bool, reps: int, timeout: float,
             query_timeout: float) -> dict[str, Any]:
    from tests.fixtures_oxigraph import start_oxigraph, stop_oxigraph

    server = start_oxigraph(scratch / "push-baseline") if push else None
    try:
        args = ["baseline", "--corpus", str(corpus), "--reps", str(reps), "--query-timeout", str(query_timeout)]
        if server is not None:
            args += ["--push", server.update]
        return run_phase(args, timeout=timeout)
    finally:
        if server is not None:
            stop_oxigraph(server)


def extrapolate(n: int, done: dict[str, Any]) -> str:
    """Why the baseline was not run at ``n`` articles: its time scaled linearly from the largest run (a lower bound)."""
    m = max((int(k) for k, r in done.items() if (r.get("baseline") or {}).get("wall_s")), default=0)
    if not m:
        return "not run (see --baseline-max)"
    secs = done[str(m)]["baseline"]["wall_s"] * n / m
    return (f"not run: would take over {secs / 3600:.1f} h (the {m:,}-article baseline took "
            f"{done[str(m)]['baseline']['wall_s'] / 60:.0f} min; scaled linearly, a lower bound: "
            "pyshacl and rdflib SPARQL grow faster than linearly)")


def bench_size(n: int, args: argparse.Namespace, scratch: Path, done: dict[str, Any] | None = None) -> dict[str, Any]:
    done = done or {}
    say = _say
    corpus = generate.ensure(args.out / f"corpus-{n}", n, args.seed)
    result: dict[str, Any] = {"articles": n, "ingest": {}}
    store = scratch / f"store-{n}"
    workers = [2] if n > args.one_worker_max else [1, 2]
    for w in workers:
        say(f"[{n}] ingest, {w} worker(s)")
        result["ingest"][str(w)] = run_phase(["ingest", "--store", str(store), "--workers", str(w), str(corpus)])
    say(f"[{n}] queries")
    result["queries"] = our_queries(store, args.reps, args.query_budget)
    say(f"[{n}] export")
    result["export"] = our_exports(store, scratch, EXPORT_FORMATS if n <= args.all_formats_max else ("nquads",))
    if n <= args.all_formats_max:
        say(f"[{n}] publish (the static site: pages, dumps, views)")
        result["publish"] = run_phase(["publish", "--store", str(store), "--out", str(scratch / f"site-{n}")])
    if n <= args.push_max:
        say(f"[{n}] push")
        result["push"] = our_push(store, scratch)
    if n <= args.baseline_max:
        say(f"[{n}] baseline (rdflib + pyshacl + rdflib SPARQL + SPARQLWrapper)")
        result["baseline"] = baseline(corpus, scratch, push=n <= args.push_max, reps=max(3, args.reps // 5),
                                      timeout=args.baseline_timeout, query_timeout=args.baseline_query_timeout)
    elif done:
        result["baseline"] = {"skipped": extrapolate(n, done)}
    if args.build:  # kg build on a 2-worker local Dask cluster, beside the 2-worker ingest above (bench/build.py)
        from bench import build as build_phase

        say(f"[{n}] kg build on a 2-worker local Dask cluster, then kg load")
        result["build"] = build_phase.measure(n, args.out, scratch, seed=args.seed, ingest=result["ingest"].get("2"))
    if n >= args.incremental_min:  # last: it adds articles to the store
        from bench import incremental

        say(f"[{n}] add {' then '.join(map(str, incremental.STEPS))} new article(s) to the store")
        result["incremental"] = incremental.run(store, n, scratch, args.seed)
    from bench import live  # also adds articles: after the phases that read the store as ingested

    say(f"[{n}] serve while ingest: commit to visible in a running kg serve")
    result["serve_while_ingest"] = live.run(store, n, scratch, args.seed)
    shutil.rmtree(store, ignore_errors=True)
    return result


def _say(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {msg}", flush=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description="diplomacy-kg benchmark")
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated corpus sizes")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path("bench/out"), help="corpora and results.json go here")
    ap.add_argument("--reps", type=int, default=20, help="runs per stored query (after one warm-up)")
    ap.add_argument("--one-worker-max", type=int, default=10_000, help="largest size also ingested with 1 worker")
    ap.add_argument("--push-max", type=int, default=10_000, help="largest size pushed to a local Oxigraph server")
    ap.add_argument("--baseline-max", type=int, default=10_000, help="largest size the baseline runs at")
    ap.add_argument("--baseline-timeout", type=float, default=1800.0, help="seconds the baseline may take per size")
    ap.add_argument("--baseline-query-timeout", type=float, default=60.0, help="seconds per baseline query")
    ap.add_argument("--query-budget", type=float, default=30.0, help="seconds of runs per stored query (at least 1)")
    ap.add_argument("--all-formats-max", type=int, default=10_000,
                    help="largest size exported in every format (above it: N-Quads only, the target format)")
    ap.add_argument("--incremental-min", type=int, default=10_000,
                    help="smallest size whose store then gets 1 and 1,000 new articles (bench.incremental)")
    ap.add_argument("--quick", action="store_true", help="fewer query runs")
    ap.add_argument("--build", action="store_true", help="also kg build on a local Dask cluster (bench/build.py)")
    args = ap.parse_args(argv)
    if args.quick:
        args.reps = 5
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "seed": args.seed, "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for n in sizes:
            results["sizes"][str(n)] = bench_size(n, args, Path(tmp), results["sizes"])
            (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    from bench.report import table, targets

    results["targets"] = targets(results)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    return results


if __name__ == "__main__":
    main()
