"""JSON articles: ``{"url", "title", "author", "published", "text"}``.

``title`` and ``text`` are required strings; ``url``, ``author``, ``published``
and ``caption`` are optional but, when present, must have the right type. Every
problem is reported with the field's name so the file can be fixed.
"""

from __future__ import annotations

import json
from typing import Any

from kg.errors import ReadError
from kg.model import Article
from kg.read.dates import parse_date
from kg.read.txt import blocks_of, clean_lines, strip_invisible

REQUIRED = ("title", "text")
OPTIONAL = ("url", "author", "published", "caption")


def _field(data: dict[str, Any], key: str, name: str, required: bool) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ReadError(f"missing required field {key!r}", where=name,
                            fix=f"give {key!r} as a non-empty string")
        return None
    if isinstance(value, list) and key == "author" and all(isinstance(v, str) for v in value):
        value = ", ".join(v.strip() for v in value if v.strip())
    if not isinstance(value, str):
        raise ReadError(f"field {key!r} must be a string, not {type(value).__name__}", where=name)
    value = strip_invisible(value)  # a "\u200d" escape decodes to a joiner only here
    value = " ".join(value.split()) if key != "text" else value
    if required and not value.strip():
        raise ReadError(f"field {key!r} is empty", where=name, fix=f"give {key!r} as a non-empty string")
    return value or None


def parse_json(text: str, source: str, where: str | None = None) -> Article:
    name = where or source
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(f"invalid JSON: {exc.msg} (column {exc.colno})", where=name,
                        line=exc.lineno) from None
    except RecursionError:
        raise ReadError("invalid JSON: nested too deeply", where=name) from None
    if not isinstance(data, dict):
        raise ReadError(f"expected a JSON object with 'title' and 'text', not a {type(data).__name__}",
                        where=name)
    title = _field(data, "title", name, True) or ""
    body = _field(data, "text", name, True) or ""
    url, author, published_text, caption = (_field(data, k, name, False) for k in OPTIONAL)
    published = None
    if published_text:
        published = parse_date(published_text)
        if published is None:
            raise ReadError(f"field 'published' is not a date: {published_text!r}", where=name,
                            fix="use ISO 8601, e.g. 2025-03-02T19:40:00Z")
    paragraphs = tuple(" ".join(block) for block in blocks_of(clean_lines(body)))
    if not paragraphs:
        raise ReadError("field 'text' is empty", where=name, fix="give the article body in 'text'")
    return Article(source=source, title=title, paragraphs=paragraphs, published=published, author=author,
                   url=url, caption=caption, fmt="json")
