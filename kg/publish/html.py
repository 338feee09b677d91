"""HTML for the linked-data site: the page layout, links between pages, rendering RDF terms.

All links between pages are relative, so the folder works from any URL (or from disk).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from html import escape
from pathlib import Path
from string import Template
from typing import Any

import pyoxigraph as ox

from kg.vocab import DIP, PREFIXES, VOCAB_BASE

TEMPLATES = Path(__file__).resolve().parent / "templates"
DIP_NS = str(DIP._NS)
ONTOLOGY_PAGE = "ontology/index.html"
_SAFE_HREF = re.compile(r"^https?://", re.IGNORECASE)


@cache
def template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def page(current: str, title: str, content: str, head: str = "", nav: str | None = None) -> str:
    """A full page at site path ``current`` (e.g. ``person/emmanuel-macron.html``).

    ``nav``: the last links of the top bar (default: ontology and VoID; ``kg serve`` adds its
    stored queries and SPARQL editor).
    """
    up = root(current)
    if nav is None:
        nav = f'<a href="{up}ontology/index.html">ontology</a> <a href="{up}void.ttl">VoID</a>'
    return template("layout.html").substitute(title=escape(title), root=up, content=content, head=head, nav=nav)


def root(current: str) -> str:
    depth = current.count("/")
    return "../" * depth


def rel(current: str, target: str) -> str:
    """Relative link from page ``current`` to site file ``target`` (both site-root relative).

    Plain string work (``posixpath.relpath`` asks the OS for the working directory on every call,
    and a 10,000-article site makes millions of links).
    """
    return _rel_from(current.rpartition("/")[0], target)


@lru_cache(maxsize=1 << 18)
def _rel_from(folder: str, target: str) -> str:
    """``rel`` from any page in ``folder``: remembered, as a site links the same resources from many pages."""
    here = folder.split("/") if folder else []
    there = target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:])


def term_anchor(iri: str) -> str | None:
    """Fragment id of an ontology term or concept on the ontology page; None for anything else."""
    if iri.startswith(DIP_NS) and len(iri) > len(DIP_NS):
        return iri[len(DIP_NS):]
    if iri.startswith(VOCAB_BASE) and len(iri) > len(VOCAB_BASE):
        return "vocab-" + re.sub(r"[^A-Za-z0-9_-]", "-", iri[len(VOCAB_BASE):])
    return None


def qname(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


class Renderer:
    """Renders terms as HTML, linking resources that have a page and terms of the ontology."""

    def __init__(self, pages: dict[str, str], labels: Any, anchors: set[str]) -> None:
        self.pages = pages  # IRI -> site path of its .html page
        self.labels = labels  # callable IRI -> label or None
        self.anchors = anchors  # fragment ids present on the ontology page
        self._shown: dict[str, str] = {}  # IRI -> its escaped label (a site shows the same ones many times)

    def link(self, current: str, iri: str, text: str | None = None) -> str:
        if text:
            shown = escape(text)
        else:
            shown = self._shown.get(iri) or self._shown.setdefault(iri, escape(self.labels(iri) or qname(iri)))
        target = self.pages.get(iri)
        if target is not None:
            return f'<a href="{escape(rel(current, target))}">{shown}</a>'
        anchor = term_anchor(iri)
        if anchor is not None and anchor in self.anchors:
            return f'<a href="{escape(rel(current, ONTOLOGY_PAGE))}#{escape(anchor)}">{shown}</a>'
        if _SAFE_HREF.match(iri):
            return f'<a href="{escape(iri)}" class="iri">{shown}</a>'
        return f'<span class="iri">{shown}</span>'

    def term(self, current: str, term: Any) -> str:
        if isinstance(term, ox.NamedNode):
            return self.link(current, term.value)
        if isinstance(term, ox.Literal):
            text = escape(term.value).replace("\n", "<br>")
            if term.language:
                return f'{text} <span class="dt">@{escape(term.language)}</span>'
            dt = term.datatype.value
            if dt.endswith("#string"):
                return text
            return f'{text} <span class="dt">{escape(qname(dt))}</span>'
        return f"<code>{escape(str(term))}</code>"
