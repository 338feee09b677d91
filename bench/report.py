"""The results table: each figure next to the baseline from the same run, and the targets."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

#: issue 6's targets on a 2-core machine
TARGETS = {"ingest_2w": 200.0, "ingest_100k_s": 600.0, "peak_mb": 2048.0, "query_ms": 100.0, "nquads": 300_000.0,
           # issue 14: a live store, cost proportional to the change
           "add_1_s_10k": 0.5, "add_1_s_100k": 1.0, "add_1000_s": 10.0,
           # issue 15: the static site of the 10k-article store
           "publish_10k_s": 120.0}


def _num(x: float | None, unit: str = "") -> str:
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:,.0f}{unit}"
    return f"{x:.1f}{unit}" if x >= 10 else f"{x:.2f}{unit}"


def _ratio(ours: float | None, base: float | None, higher_is_better: bool = True) -> str:
    if not ours or not base:
        return "-"
    r = ours / base if higher_is_better else base / ours
    return f"{r:,.1f}x"


def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "MISSED")


def rows(n: str, res: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    base = res.get("baseline") or {}
    bad = "error" in base
    out: list[tuple[str, str, str, str, str]] = []
    for w, ing in sorted(res["ingest"].items()):
        if "error" in ing:
            out.append((f"ingest, {w} worker(s)", f"error: {ing['error']}", "", "", ""))
            continue
        ok = ing["articles_per_s"] >= TARGETS["ingest_2w"] if w == "2" else None
        if w == "2" and int(n) >= 100_000:
            ok = bool(ok) and ing["seconds"] <= TARGETS["ingest_100k_s"]
        b = None if bad else base.get("articles_per_s")
        out.append((f"ingest articles/s, {w} worker(s) ({_num(ing['seconds'])} s)", _num(ing["articles_per_s"]),
                    _num(b), _ratio(ing["articles_per_s"], b), _mark(ok)))
    ing2 = res["ingest"].get("2", {})
    if "peak_rss_mb" in ing2:
        b = None if bad else base.get("peak_rss_mb")
        out.append(("peak memory MB (ingest, 2 workers)", _num(ing2["peak_rss_mb"]), _num(b),
                    _ratio(ing2["peak_rss_mb"], b, higher_is_better=False),
                    _mark(ing2["peak_rss_mb"] <= TARGETS["peak_mb"])))
    for name, q in res["queries"].items():
        bq = (base.get("queries") or {}).get(name, {})
        bmed = bq.get("median_ms")
        out.append((f"query {name} median ms (p95)", f"{_num(q['median_ms'])} ({_num(q['p95_ms'])})",
                    bq.get("error", _num(bmed)), _ratio(q["median_ms"], bmed, higher_is_better=False),
                    _mark(q["median_ms"] <= TARGETS["query_ms"]) if int(n) >= 100_000 else ""))
    for fmt, e in res["export"].items():
        be = (base.get("export") or {}).get(fmt, {})
        ok = e["per_s"] >= TARGETS["nquads"] if fmt == "nquads" else None
        out.append((f"export {fmt} statements/s", _num(e["per_s"]), _num(be.get("per_s")),
                    _ratio(e["per_s"], be.get("per_s")), _mark(ok)))
    pub = res.get("publish") or {}
    if "seconds" in pub:
        out.append(("kg publish s (process wall; peak MB, process tree)",
                    f"{_num(pub['seconds'])} ({_num(pub.get('wall_s'))}; {_num(pub.get('peak_rss_mb'))})", "", "",
                    _mark(pub["seconds"] < TARGETS["publish_10k_s"]) if int(n) >= 10_000 else ""))
    for count, inc in sorted((res.get("incremental") or {}).items(), key=lambda kv: int(kv[0])):
        if "error" in inc:
            out.append((f"add {count} article(s) to the store", f"error: {inc['error']}", "", "", ""))
            continue
        goal = TARGETS["add_1000_s"] if count != "1" else (
            TARGETS["add_1_s_100k"] if int(n) >= 100_000 else TARGETS["add_1_s_10k"])
        before = inc.get("full_pass_s")  # what the same addition paid on top before: full merge + scan
        out.append((f"add {count} article(s) to the store, s beyond process start (wall)",
                    f"{_num(inc['seconds'])} ({_num(inc.get('wall_s'))})",
                    _num(inc["seconds"] + before) if before else "-",
                    _ratio(inc["seconds"], inc["seconds"] + before, higher_is_better=False) if before else "-",
                    _mark(inc["seconds"] < goal) if int(n) >= 10_000 else ""))
    if res.get("push"):
        bp = base.get("push") or {}
        out.append((f"push triples/s ({res['push']['method']})", _num(res["push"]["per_s"]), _num(bp.get("per_s")),
                    _ratio(res["push"]["per_s"], bp.get("per_s")), ""))
    if bad:
        out.append(("baseline", f"not run to the end: {base['error']}", "", "", ""))
    elif "skipped" in base:
        out.append(("baseline", base["skipped"], "", "", ""))
    elif not base:
        out.append(("baseline", "not run at this size (see --baseline-max)", "", "", ""))
    return out


def _verdict(value: float, target: float, higher_is_better: bool) -> dict[str, Any]:
    met = value >= target if higher_is_better else value <= target
    if met:
        how = "met"
    elif higher_is_better:
        how = f"missed by {100 * (1 - value / target):.0f}% ({value / target:.2f}x the target)"
    else:
        how = f"missed: {value / target:.1f}x the target"
    return {"value": value, "goal": target, "met": met, "verdict": how}


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 6's targets, each checked at the largest size that measured it."""
    out: list[dict[str, Any]] = []
    sizes = sorted(results["sizes"], key=int)
    for n in sizes:
        ing = results["sizes"][n]["ingest"].get("2", {})
        if "articles_per_s" in ing:
            out.append({"target": "ingest >= 200 articles/s, 2 workers, SHACL gate and commit included",
                        "articles": int(n), **_verdict(ing["articles_per_s"], TARGETS["ingest_2w"], True)})
        if int(n) >= 100_000 and "seconds" in ing:
            out.append({"target": "100k articles ingested in under 10 min", "articles": int(n),
                        **_verdict(ing["seconds"], TARGETS["ingest_100k_s"], False)})
        if int(n) >= 100_000 and "peak_rss_mb" in ing:
            out.append({"target": "peak memory under 2 GB (ingest, process tree)", "articles": int(n),
                        **_verdict(ing["peak_rss_mb"], TARGETS["peak_mb"], False)})
    big = sizes[-1] if sizes else None
    if big is not None:
        for name, q in results["sizes"][big].get("queries", {}).items():
            out.append({"target": f"query {name} median < 100 ms", "articles": int(big),
                        **_verdict(q["median_ms"], TARGETS["query_ms"], False)})
        nq = results["sizes"][big].get("export", {}).get("nquads")
        if nq:
            out.append({"target": "export >= 300k statements/s to N-Quads", "articles": int(big),
                        **_verdict(nq["per_s"], TARGETS["nquads"], True)})
    return out


def table(results: dict[str, Any]) -> str:
    lines = []
    head = ("measure", "diplomacy-kg", "baseline", "ratio", "target")
    for n, res in results["sizes"].items():
        every = rows(n, res)
        body = [r for r in every if any(r[2:])]
        notes = [r for r in every if not any(r[2:])]  # a sentence, not a figure: under the table
        widths = [max(len(r[i]) for r in [head, *body]) for i in range(5)]
        fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
        lines += [f"\n{int(n):,} articles", fmt.format(*head), fmt.format(*("-" * w for w in widths))]
        lines += [fmt.format(*r) for r in body] + [f"{r[0]}: {r[1]}" for r in notes]
    lines.append("\nratio: above 1 means diplomacy-kg is faster / leaner than the baseline "
                 "(rdflib Dataset + pyshacl on the whole graph + rdflib SPARQL + SPARQLWrapper INSERT DATA)")
    checks = results.get("targets") or targets(results)
    if checks:
        lines.append("\ntargets (2 cores):")
        lines += [f"  {t['target']} at {t['articles']:,} articles: {_num(t['value'])} -> {t['verdict']}"
                  for t in checks]
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/results.json")
    print(table(json.loads(path.read_text(encoding="utf-8"))))
