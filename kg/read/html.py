"""HTML pages: the article's own text and metadata, without the page around it.

trafilatura finds the main text; the page's own declarations (``<title>``,
``meta article:published_time``, ``meta name=author``, ``<figcaption>``) are read
with lxml because they are exact where trafilatura's guesses are only dates.
When trafilatura finds nothing, the ``<article>`` element's paragraphs are used;
a page with neither has no article text and is refused.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from lxml import html as lxml_html

from kg.errors import ReadError
from kg.model import Article
from kg.read import junk
from kg.read.dates import find_date, parse_date
from kg.read.txt import strip_invisible

#: above this size trafilatura gets slow (minutes for tens of MB); the <article> paragraphs are used instead
TRAFILATURA_MAX_CHARS = 2_000_000
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,60}$")
_BYLINE = re.compile(r"^(?:by\s+\S|.{0,80}\bby\s+[A-Z])", re.IGNORECASE)
_NOT_BODY = ("nav", "aside", "footer", "header", "script", "style", "noscript", "form", "figure", "button")
_NOISE_CLASS = re.compile(
    r"byline|meta|dateline|kicker|tags|share|related|cookie|banner|promo|newsletter|ad-", re.IGNORECASE)


def _doc(text: str, name: str) -> Any:
    try:
        return lxml_html.document_fromstring(text)
    except Exception as exc:  # lxml raises several types for hopeless input
        raise ReadError(f"cannot parse HTML: {exc}", where=name) from None


def _meta(doc: Any, *keys: str) -> str | None:
    for key in keys:
        for attr in ("property", "name", "itemprop"):
            for value in doc.xpath(f"//meta[@{attr}=$k]/@content", k=key):
                if value and value.strip():
                    return " ".join(value.split())
    return None


def _norm(text: str) -> str:
    return " ".join(strip_invisible(text).split())  # "&#8205;" decodes to a joiner only here


def _title(doc: Any) -> str:
    for found in (doc.xpath("//article//h1"), doc.xpath("//h1")):
        for h in found:
            text = _norm(h.text_content())
            if text:
                return text
    title = _meta(doc, "og:title", "twitter:title")
    if title:
        return title
    heads = doc.xpath("//title")
    text = _norm(heads[0].text_content()) if heads else ""
    return _SITE_SUFFIX.sub("", text)


def _published(doc: Any) -> datetime | None:
    for value in (_meta(doc, "article:published_time", "datePublished", "date", "dc.date", "pubdate"),
                  *doc.xpath("//time/@datetime")):
        if value and (parsed := parse_date(value)):
            return parsed
    return None


def _caption(doc: Any) -> str | None:
    for fig in doc.xpath("//article//figcaption") or doc.xpath("//figcaption"):
        text = _norm(fig.text_content())
        if text:
            return text
    return None


def _fallback_paragraphs(doc: Any) -> list[str]:
    """``<p>`` of the ``<article>`` (else ``<main>``, else ``<body>``) outside nav, asides and metadata."""
    for root in doc.xpath("//article") or doc.xpath("//main") or doc.xpath("//body"):
        paras = []
        for p in root.xpath(".//p"):
            if p.xpath("ancestor::*[" + " or ".join(f"self::{t}" for t in _NOT_BODY) + "]"):
                continue
            if _NOISE_CLASS.search(p.get("class") or ""):
                continue
            text = _norm(p.text_content())
            if text:
                paras.append(text)
        if paras:
            return paras
    return []


def _trafilatura(text: str) -> dict[str, Any] | None:
    if len(text) > TRAFILATURA_MAX_CHARS:
        return None
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        out = trafilatura.extract(text, output_format="json", with_metadata=True, include_comments=False,
                                  include_tables=False, favor_precision=True)
    except Exception:  # trafilatura has no error contract for malformed pages; fall back to lxml
        return None
    return json.loads(out) if out else None


def _is_meta_line(line: str, title: str, author: str | None) -> bool:
    """The headline repeated, a byline/dateline ("By X | Oct. 9, 2025"), or a tags line."""
    if _norm(line) == title or junk.is_dropped(line) or junk.is_cut(line):
        return True
    short = len(line.split()) <= 16
    if short and find_date(line) and (_BYLINE.search(line) or (author and author in line)):
        return True
    name = (author or "").strip().lower()
    return bool(name) and line.strip().lower() in (name, f"by {name}")


def parse_html(text: str, source: str, where: str | None = None) -> Article:
    name = where or source
    doc = _doc(text, name)
    extracted = _trafilatura(text) or {}
    title = _title(doc) or _norm(extracted.get("title") or "")
    author = _meta(doc, "author", "article:author", "dc.creator") or extracted.get("author") or None
    if author and author.startswith(("http://", "https://")):
        author = extracted.get("author") or None
    published = _published(doc) or (parse_date(extracted["date"]) if extracted.get("date") else None)
    url = _meta(doc, "og:url") or next(iter(doc.xpath("//link[@rel='canonical']/@href")), None) \
        or extracted.get("url") or None

    lines = [_norm(ln) for ln in (extracted.get("text") or "").split("\n")]
    # what a page shows without JavaScript ("Enable JavaScript to continue") is never the article
    noscript = {_norm(el.text_content()) for el in doc.xpath("//noscript")}
    paragraphs = [ln for ln in lines if ln and ln not in noscript and not _is_meta_line(ln, title, author)]
    fallback = _fallback_paragraphs(doc)
    if not paragraphs or (fallback and len(" ".join(fallback)) > 2 * len(" ".join(paragraphs))):
        paragraphs = [p for p in fallback if not _is_meta_line(p, title, author)]
    cut = next((i for i, p in enumerate(paragraphs) if junk.is_cut(p)), len(paragraphs))
    paragraphs = [p for p in paragraphs[:cut] if not junk.is_promo(p)]
    if not paragraphs:
        raise ReadError("no article text found in the HTML", where=name,
                        fix="the page has no <article> or main text (truncated, or only scripts?)")
    caption = _caption(doc)
    if caption and caption in paragraphs:
        paragraphs.remove(caption)
    return Article(source=source, title=title, paragraphs=tuple(paragraphs), published=published,
                   author=author, url=url, caption=caption, fmt="html")
