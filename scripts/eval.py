#!/usr/bin/env python3
"""Extract every article of a gold file in one process, then score with the shared scorer.

    python scripts/eval.py GOLD.json [--out DIR] [-- score.py options]

Same graphs as ``kg extract FILE --format turtle`` (one process instead of one per article).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.pipeline import extract_file


def main(argv: list[str]) -> int:
    gold = Path(argv[0])
    rest = argv[1:]
    out = Path(tempfile.mkdtemp(prefix="kg-eval-"))
    if rest[:1] == ["--out"]:
        out, rest = Path(rest[1]), rest[2:]
        out.mkdir(parents=True, exist_ok=True)
    data = json.loads(gold.read_text())
    times = []
    for art in data["articles"]:
        t = time.perf_counter()
        try:
            extract_file(gold.parent / art["file"], out / f"{art['id']}.ttl")
        except Exception as exc:  # report and go on, like the scorer does
            print(f"{art['id']}: {exc}", file=sys.stderr)
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"extracted {len(times)} articles, median {1000 * times[len(times) // 2]:.1f} ms", file=sys.stderr)
    scorer = gold.parent.parent / "eval" / "score.py"
    return subprocess.call([sys.executable, str(scorer), "--gold", str(gold), "--graphs", str(out), *rest])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
