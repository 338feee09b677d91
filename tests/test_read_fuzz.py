"""Whatever bytes a file holds, reading it gives an Article or a ReadError, nothing else."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import ReadError
from kg.model import Article
from kg.read import read_article, read_text

SUFFIXES = [".txt", ".html", ".json", ".md", ".bin"]
#: KG_FUZZ_EXAMPLES=2000 for a long hunt; the default keeps the file at a few seconds
FUZZ = settings(max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# fragments that steer generated text into the parsers' interesting branches
_FRAGMENTS = st.sampled_from([
    "by Jane Doe January 14, 2025 2:13 AM 2 min read", "News Feed", "10:55 AM", "Skip to content",
    "DOHA, Jan 15 (Wire) - ", "Published 1 March 2025", "Author: X", "<html>", "<article>", "<p>",
    "</p>", "<script>", "{", '"title":', '"text":', "}", "\n\n", "\n", "in 2024", "will meet in 2026",
    "U.S. President", "\u200b", "\ufeff", "\x00", "é", "’",
])
_TEXT = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=40)), max_size=25).map("".join)


def _check(path: Path) -> None:
    try:
        article = read_article(path)
    except ReadError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert isinstance(article, Article)
    assert article.source == path.name
    assert article.title or article.paragraphs
    assert all(p and "\n" not in p for p in article.paragraphs)
    assert article.published is None or article.published.tzinfo is not None


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        _check(path)


@FUZZ
@given(text=_TEXT, suffix=st.sampled_from(SUFFIXES), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_arbitrary_text(text: str, suffix: str, encoding: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(text.encode(encoding, errors="replace"))
        _check(path)


@FUZZ
@given(obj=st.dictionaries(
    st.sampled_from(["title", "text", "author", "url", "published", "caption", "x"]),
    st.one_of(st.none(), st.integers(), st.text(max_size=30), st.lists(st.text(max_size=5)))))
def test_arbitrary_json_objects(obj: dict[str, object]) -> None:
    try:
        article = read_text(json.dumps(obj), source="fuzz.json", fmt="json")
    except ReadError as exc:
        assert exc.message.startswith("fuzz.json")
        return
    assert article.title and article.paragraphs
