"""Read stage: article files (page dumps, wire stories, readouts, HTML, JSON) to ``Article``.

Public API: ``read_article(path)``, ``read_text(text, source=, fmt=)`` and
``iter_articles(paths)``. Anything that is not a readable article raises (or, in
``iter_articles``, yields) a ``ReadError`` naming the file, never another error,
so one bad file cannot stop a batch.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from kg.errors import ReadError
from kg.model import Article
from kg.read.dates import parse_date
from kg.read.decode import MAX_BYTES, decode, display_name, read_bytes
from kg.read.html import parse_html
from kg.read.jsonfmt import parse_json
from kg.read.stamps import HEAD_LINES, Header, choose, head_stamps
from kg.read.txt import parse_txt, strip_invisible

__all__ = ["ARTICLE_SUFFIXES", "MAX_BYTES", "iter_articles", "parse_published", "read_article", "read_data",
           "read_text", "with_published"]

#: file extensions read as articles, and the format each means
ARTICLE_SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "txt", ".html": "html", ".htm": "html",
                    ".json": "json"}
_FORMATS = {"txt": "txt", "text": "txt", "md": "txt", "html": "html", "htm": "html", "json": "json"}


def sniff(text: str) -> str:
    """The format of ``text`` when its file name does not say."""
    head = text.lstrip()[:2048].lower()
    if head.startswith(("{", "[")):
        return "json"
    tags = ("<html", "<!doctype", "<body", "<head", "<article", "<p>", "<div", "<title")
    if head.startswith("<") and any(tag in head for tag in tags):
        return "html"
    return "txt"


def parse_published(value: str, option: str = "--published") -> datetime:
    """A user-given publication date ("2025-03-05", an ISO datetime, "5 March 2025"), or a ReadError."""
    when = parse_date(value.strip()) if value.strip() else None
    if when is None:
        raise ReadError(f"{option} {value!r} is not a date", fix="give a date such as 2025-03-05")
    return when


def with_published(article: Article, published: datetime | None) -> Article:
    """``article`` dated ``published`` when it carries no date of its own (the article's own date wins)."""
    if published is None or article.published is not None:
        return article
    return replace(article, published=published, date_inferred=False)


def _parse(text: str, source: str, fmt: str, where: str) -> Article:
    text = strip_invisible(text)  # zero-width joiners and direction marks would split names, in every format
    if not text.strip():
        raise ReadError("empty file" if where != "<stdin>" else "empty input", where=where,
                        fix="give an article with a title and body")
    try:
        if fmt == "json":
            article = parse_json(text, source, where)
        elif fmt == "html":
            article = parse_html(text, source, where)
        else:
            article = parse_txt(text, source)
    except ReadError:
        raise
    except (ValueError, TypeError, RecursionError) as exc:  # a parser surprised by odd input
        raise ReadError(f"cannot read as {fmt}: {exc}", where=where) from None
    if not article.title and not article.paragraphs:
        raise ReadError("no article text found", where=where, fix="the file holds only site junk or markup")
    if article.published is None and fmt != "txt":
        article = _dated_by_text(article)
    return article


def _dated_by_text(article: Article) -> Article:
    """An HTML or JSON article without date metadata, dated by a dateline or stamp at the top of its text."""
    lines = list(article.paragraphs[:HEAD_LINES])
    stamps, _ = head_stamps(lines, "\n".join(article.paragraphs))
    published, inferred = choose(Header(), stamps, None)
    return replace(article, published=published, date_inferred=inferred) if published else article


def read_text(text: str, *, source: str = "<stdin>", fmt: str | None = None) -> Article:
    """An article from a string (e.g. stdin); ``fmt`` is txt, html or json, sniffed when None."""
    if fmt is not None and fmt.lower().lstrip(".") not in _FORMATS:
        raise ReadError(f"unknown format {fmt!r}", where=source, fix="use txt, html or json")
    text = text.lstrip("\ufeff")
    resolved = _FORMATS[fmt.lower().lstrip(".")] if fmt else sniff(text)
    return _parse(text, display_name(source) if source != "<stdin>" else source, resolved, source)


def read_data(data: bytes, *, source: str = "<stdin>", fmt: str | None = None) -> Article:
    """An article from raw bytes (stdin): same encoding detection and binary check as files."""
    if len(data) > MAX_BYTES:
        raise ReadError(f"input too large (more than {MAX_BYTES:,} bytes)", where=source)
    return read_text(decode(data, source), source=source, fmt=fmt)


def read_article(path: Path | str) -> Article:
    """The article in ``path``; the extension picks the format, unknown ones are sniffed."""
    path = Path(path)
    where = os.fspath(path)
    text = decode(read_bytes(path, where), where)
    fmt = ARTICLE_SUFFIXES.get(path.suffix.lower()) or sniff(text)
    return _parse(text, display_name(path), fmt, where)


def _is_store(folder: Path) -> bool:
    """A kg store folder (its metadata is JSON, but not an article)."""
    return (folder / "meta.json").is_file() and (folder / "oxigraph").is_dir()


def _walk(folder: Path) -> list[Path]:
    """Article files under ``folder``: recursive, sorted; hidden files and folders and kg stores skipped.

    A folder that cannot be listed is kept in the list, so reading it reports the error
    instead of its files silently missing from the batch.
    """
    found: list[Path] = []

    def unlistable(exc: OSError) -> None:
        found.append(Path(exc.filename) if exc.filename else folder)

    for root, dirs, files in os.walk(folder, onerror=unlistable):
        if _is_store(Path(root)):
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(root) / f for f in files
                     if not f.startswith(".") and Path(f).suffix.lower() in ARTICLE_SUFFIXES)
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def article_files(paths: Iterable[Path | str]) -> list[Path]:
    """The files ``iter_articles`` reads: files as given, folders walked."""
    out: list[Path] = []
    for item in paths:
        path = Path(item)
        out.extend(_walk(path) if path.is_dir() else [path])
    return out


def iter_articles(paths: Iterable[Path | str]) -> Iterator[Article | ReadError]:
    """Articles from files and folders, yielding a ReadError for each bad one instead of stopping."""
    for file in article_files(paths):
        try:
            yield read_article(file)
        except ReadError as exc:
            yield exc
