"""Measuring helpers: peak memory of a process tree, latency statistics, phases in subprocesses.

Each heavy phase (ingest, the baseline) runs in its own Python process so its
peak memory is its own and one phase's caches do not speed up the next.
Memory is sampled from /proc as the summed RSS of the process and all its
descendants (the ingest workers included), every 50 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    """Children of every thread of ``pid`` (a Dask nanny starts its worker from another thread)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text(encoding="ascii").split()]
        except OSError:
            continue
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss(p)
        todo.extend(_children(p))
    return total


def run_phase(args: list[str], timeout: float | None = None) -> dict[str, Any]:
    """Run ``python -m bench.phase ARGS`` and return its JSON result plus ``peak_rss_mb`` and ``wall_s``."""
    return run_module("bench.phase", args, timeout)


def run_module(module: str, args: list[str], timeout: float | None = None) -> dict[str, Any]:
    """Run ``python -m MODULE ARGS``: the JSON object its last line prints, plus ``peak_rss_mb`` and ``wall_s``."""
    cmd = [sys.executable, "-m", module, *args]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": f"timed out after {timeout:.0f} s", "wall_s": time.perf_counter() - start}
    finally:
        stop.set()
        sampler.join()
    if proc.returncode != 0:
        return {"error": (err or out).strip().splitlines()[-1:] or ["failed"], "wall_s": time.perf_counter() - start}
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(peak / 2**20, 1)
    result["wall_s"] = round(time.perf_counter() - start, 2)
    return result


def latency(fn: Callable[[], Any], reps: int, budget_s: float = 60.0) -> dict[str, Any]:
    """Median and p95 in ms of ``fn`` over ``reps`` runs after one warm-up (fewer when over budget)."""
    started = time.perf_counter()
    fn()
    times: list[float] = []
    for _ in range(reps):
        t = time.perf_counter()
        rows = fn()
        times.append((time.perf_counter() - t) * 1000)
        if time.perf_counter() - started > budget_s:
            break
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(p95, 2), "runs": len(times),
            "rows": len(rows) if hasattr(rows, "__len__") else None}
