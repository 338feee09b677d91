"""The work per article is bounded: a page longer than any article is a reject with its reason, not a hang."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import ExtractionError
from kg.extract import MAX_CHARS, extract
from kg.read import read_text
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "President Emmanuel Macron met Chancellor Olaf Scholz in Paris on Monday. "


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_an_article_over_the_limit_is_refused_with_its_size() -> None:
    art = read_text("Title\n\n" + SENTENCE * (MAX_CHARS // len(SENTENCE) + 10), source="huge.txt")
    with pytest.raises(ExtractionError, match=r"huge\.txt: article too long to extract \(1,000,\d{3} characters"):
        extract(art)


def test_ingest_rejects_the_long_page_and_stores_the_rest(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "huge.txt").write_text("A page\n\n" + SENTENCE * (MAX_CHARS // len(SENTENCE) + 10), encoding="utf-8")
    (inputs / "ok.txt").write_text("Leaders meet\n\n" + SENTENCE, encoding="utf-8")
    proc = _kg("ingest", str(inputs), "--store", str(tmp_path / "s"), "--workers", "1")
    assert proc.returncode == 1, proc.stderr
    assert any(line.startswith("rejected: huge.txt: extract: article too long to extract (")
               for line in proc.stderr.splitlines()), proc.stderr
    with open_store(tmp_path / "s", read_only=True) as st:
        assert len(st.article_keys()) == 1


def test_extract_command_says_why_and_exits_2(tmp_path: Path) -> None:
    page = tmp_path / "huge.txt"
    page.write_text("A page\n\n" + SENTENCE * (MAX_CHARS // len(SENTENCE) + 10), encoding="utf-8")
    proc = _kg("extract", str(page))
    assert proc.returncode == 2 and proc.stdout == ""
    assert "article too long to extract" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
