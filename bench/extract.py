"""Extraction speed in process: read + extract per article, on a folder of real articles, beside the
synthetic benchmark corpus measured in the same run.

    python -m bench.extract ARTICLES_DIR [--reps 3] [--synthetic 300]

Prints the median and p90 milliseconds an article (best of ``--reps`` runs each, after a warm-up) and
the ratio of the folder's median to the synthetic corpus's, so a machine's speed cancels out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import generate


def per_article_ms(paths: list[Path], reps: int) -> list[float]:
    from kg.extract import extract
    from kg.read import read_article

    out = []
    for path in paths:
        extract(read_article(path))  # warm caches (gazetteers, compiled patterns)
        best = float("inf")
        for _ in range(reps):
            start = time.perf_counter()
            extract(read_article(path))
            best = min(best, time.perf_counter() - start)
        out.append(1000 * best)
    return sorted(out)


def summary(ms: list[float]) -> dict[str, Any]:
    return {"articles": len(ms), "median_ms": round(statistics.median(ms), 2),
            "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 2), "max_ms": round(ms[-1], 2)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("articles", type=Path, help="a folder of articles (.txt, .html, .json)")
    ap.add_argument("--reps", type=int, default=3, help="runs per article; the best counts")
    ap.add_argument("--synthetic", type=int, default=300, help="synthetic articles measured beside them")
    args = ap.parse_args(argv)
    real = sorted(p for p in args.articles.rglob("*") if p.suffix in (".txt", ".html", ".json", ".md"))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = generate.ensure(Path(tmp) / "synthetic", args.synthetic)
        synthetic = sorted(p for p in corpus.rglob("*") if p.is_file())
        result = {"folder": summary(per_article_ms(real, args.reps)),
                  "synthetic": summary(per_article_ms(synthetic, args.reps))}
    result["ratio_median"] = round(result["folder"]["median_ms"] / result["synthetic"]["median_ms"], 2)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
