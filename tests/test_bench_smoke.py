"""A smoke run of the benchmark on 50 articles: every section is there and sane (no timing thresholds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import generate
from bench.queries import QUERY_PARAMS
from bench.run import EXPORT_FORMATS, main

pytestmark = pytest.mark.slow


def test_generator_is_deterministic_and_writes_every_format(tmp_path: Path) -> None:
    a = generate.generate(tmp_path / "a", 10, seed=3)
    b = generate.generate(tmp_path / "b", 10, seed=3)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert {f.suffix for f in files} >= {".txt", ".html", ".json"}
    assert generate.article(3, 7) != generate.article(4, 7)


def test_benchmark_smoke_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = main(["--sizes", "50", "--quick", "--out", str(tmp_path), "--baseline-query-timeout", "5"])
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert saved["sizes"] == json.loads(json.dumps(results["sizes"]))
    res = saved["sizes"]["50"]
    for workers in ("1", "2"):
        ingest = res["ingest"][workers]
        assert ingest["stored"] + ingest["rejected"] == 50 and ingest["stored"] >= 45, ingest
        assert ingest["peak_rss_mb"] > 0
    assert set(res["queries"]) == set(QUERY_PARAMS)
    assert all(q["runs"] >= 1 and q["median_ms"] > 0 for q in res["queries"].values())
    assert set(res["export"]) == set(EXPORT_FORMATS) and all(e["statements"] > 0 for e in res["export"].values())
    assert res["push"]["failed_graphs"] == 0 and res["push"]["triples"] > 0
    base = res["baseline"]
    assert base["articles"] == 50 and base["triples"] > 0
    assert base["push"]["triples"] > 0 and set(base["export"]) == set(EXPORT_FORMATS)
    assert {t["target"] for t in saved["targets"]} >= {"export >= 300k statements/s to N-Quads"}
    assert all(isinstance(t["met"], bool) for t in saved["targets"])
    table = capsys.readouterr().out
    assert "50 articles" in table and "baseline" in table and "countries-pledging-troops" in table


def test_extraction_benchmark_reports_both_corpora(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bench.extract import main as extract_main

    folder = generate.generate(tmp_path / "real", 4, seed=5)
    result = extract_main([str(folder), "--reps", "1", "--synthetic", "3"])
    assert result["folder"]["articles"] == 4 and result["synthetic"]["articles"] == 3
    assert 0 < result["folder"]["median_ms"] <= result["folder"]["max_ms"]
    assert result["ratio_median"] > 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(result))
