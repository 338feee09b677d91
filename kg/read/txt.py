"""Plain-text articles: page dumps, wire stories and government readouts.

All three are read as blocks of lines separated by blank lines. A page dump is
recognised by its byline (``by AUTHOR Month D, YYYY ...``), a wire story by its
year-less dateline, anything else is read as title + metadata lines + body.
The body always ends at the first junk marker (see ``kg.read.junk``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime

from kg.model import Article
from kg.read import junk
from kg.read.dates import is_date_line, parse_date, search_date
from kg.read.stamps import choose, head_stamps, split_header
from kg.read.wire import DATELINE, dateline_date

_BYLINE = re.compile(r"^by\s+(?P<rest>.+)$", re.IGNORECASE)
_DATE_PREFIX = re.compile(
    r"^(?:published|updated|last updated|posted|first published|date)\s*:?\s+(?P<date>.+)$", re.IGNORECASE)
#: control characters and invisible format marks (zero-width space and joiners, BOM, soft hyphen,
#: direction marks, embeddings and isolates, invisible operators, tags, variation selectors): inside
#: a name they would make "Em<ZWJ>manuel" a different person
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e01ef]")


def strip_invisible(text: str) -> str:
    """``text`` without invisible format characters; line and paragraph separators become newlines."""
    return _INVISIBLE.sub("", text.replace("\u2028", "\n").replace("\u2029", "\n\n"))
#: a photo caption ends with its credit: "(Photo by X / AFP via Getty Images)", "Photograph: Pool"
_CREDIT = re.compile(r"\([^()]{2,120}\)\s*$|\b(?:Photo|Photograph|Image|Credit)\s*(?:by|:)\s*\S[^.]*$",
                     re.IGNORECASE)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_AUTHOR_ONLY = re.compile(r"^[Bb][Yy]\s+(?P<name>(?:[A-Z][\w.'’-]*\s*){1,4})$")
_AUTHOR_LINE = re.compile(r"^author:\s*(?P<name>.+)$", re.IGNORECASE)
#: a first line longer than this is a paragraph, not a title
TITLE_MAX_WORDS = 40
#: how far into the file a byline or dateline is looked for
HEAD_LINES = 12


def clean_lines(text: str) -> list[str]:
    """Lines with whitespace normalised and invisible/control characters removed."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = strip_invisible(text.replace("\t", " "))
    return [" ".join(line.split()) for line in text.split("\n")]


def blocks_of(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    return blocks


def _hard_wrapped(blocks: list[list[str]]) -> bool:
    """Paragraphs broken into short lines: then a 2-line block is prose, not headline + teaser."""
    multi = [b for b in blocks if len(b) > 2]
    return len(multi) * 3 >= len(blocks) > 0


def _has_prose(blocks: list[list[str]]) -> bool:
    """A paragraph of the story itself (a finished sentence of some length) is among ``blocks``."""
    return any(len(" ".join(b).split()) >= 4 and junk.ends_sentence(b[-1]) for b in blocks)


def cut_off(lines: list[str]) -> bool:
    """The text stops mid-line without closing punctuation: an excerpt cut off in its own prose.

    Its last line is the article's unfinished sentence, not a related headline after the article.
    """
    return bool(lines) and bool(lines[-1]) and not junk.ends_sentence(lines[-1])


def body_paragraphs(blocks: list[list[str]], cut: bool = False) -> tuple[list[str], str | None]:
    """Paragraphs up to the first junk marker, and the author named in an "Author:" line."""
    kept: list[list[str]] = []
    author = None
    stop = False  # a junk marker ended the article
    for block in blocks:
        lines: list[str] = []
        stop = False
        for line in block:
            if junk.is_cut(line):
                m = _AUTHOR_LINE.match(line)
                author = m.group("name").strip() if m else author
                if not _has_prose(kept):
                    continue  # "Author: X" in the page's header, above the story: metadata, not its end
                stop = True
                break
            if junk.is_promo(line):
                break  # the rest of the block is the promotion's headline and teaser
            if not junk.is_dropped(line) and not _is_metadata(line):
                lines.append(_MD_HEADING.sub("", line))
        if lines:
            kept.append(lines)
        if stop:
            break
    if not _hard_wrapped(kept) and not (cut and not stop):
        kept = junk.strip_trailing(kept)
    return [p for block in kept for p in _joined(block)], author


#: no hard-wrapped line is this long: a block with such a line has one paragraph per line
_UNWRAPPED = 150


def _joined(block: list[str]) -> list[str]:
    """A block's paragraphs: hard-wrapped lines join into one; lines that are paragraphs of their own stay
    apart, so a subheading ("Focus on the Ukrainian crisis") is not read into the sentence after it."""
    return block if max(map(len, block)) > _UNWRAPPED else [" ".join(block)]


def _is_metadata(line: str) -> bool:
    m = _DATE_PREFIX.match(line)
    return bool(m and parse_date(m.group("date")))


def _header_date(lines: list[str]) -> datetime | None:
    for line in lines:
        m = _DATE_PREFIX.match(line)
        if m and (value := parse_date(m.group("date"))):
            return value
        if is_date_line(line):
            return parse_date(line)
    return None


def first_sentence(text: str) -> tuple[str, str]:
    """``text`` split after its first sentence; abbreviations such as "U.S." do not end one."""
    for m in re.finditer(r"[.!?][\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])", text):
        word = re.search(r"(\S+)$", text[: m.start() + 1])
        token = word.group(1) if word else ""
        if re.fullmatch(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,3}\.|\w\.", token):
            continue  # "U.S.", "Jan.", "Mr.", initials
        return text[: m.end()].strip(), text[m.end():].strip()
    return text.strip(), ""


def parse_txt(text: str, source: str) -> Article:
    """Title, body and publication date of a plain-text article.

    Stamp lines (a date with its label, time or outlet and nothing else) are removed
    before the shape is recognised, so they never become the title or a paragraph;
    bylines ("by NAME DATE") stay, as they mark a page dump.
    """
    lines, header = split_header(clean_lines(text))
    stamps, drop = head_stamps(lines, "\n".join(lines))
    lines = [ln for i, ln in enumerate(lines) if i not in drop or _BYLINE.match(ln)]
    article = _shape(lines, source)
    published, inferred = choose(header, stamps, article.published, article.date_inferred)
    return replace(article, published=published, date_inferred=inferred,
                   period=header.period if published is None else None)


def _shape(lines: list[str], source: str) -> Article:
    head = [(i, ln) for i, ln in enumerate(lines) if ln and not junk.is_leading_junk(ln)][:HEAD_LINES]
    for i, line in head:
        if DATELINE.match(line):
            return _wire(lines, i, source)
    for i, line in head:
        m = _BYLINE.match(line)
        found = search_date(m.group("rest")) if m else None
        if m and found:
            return _page_dump(lines, i, source)
    return _generic(lines, source)


def _title_before(lines: list[str], index: int) -> str:
    candidates = [ln for ln in lines[:index] if ln and not junk.is_leading_junk(ln)]
    return _MD_HEADING.sub("", candidates[-1]) if candidates else ""


def _page_dump(lines: list[str], at: int, source: str) -> Article:
    title = _title_before(lines, at)
    rest = _BYLINE.match(lines[at]).group("rest")  # type: ignore[union-attr]
    found = search_date(rest)
    published, start = (found[0], found[1]) if found else (None, 0)
    author = rest[:start].strip(" |,·-–—") or None
    after = at + 1
    block: list[str] = []
    notice = False  # a dropped notice ("This audio is ...") after a line marks that line as the caption
    while after < len(lines) and lines[after]:
        if junk.is_dropped(lines[after]):
            notice = notice or bool(block)
        else:
            block.append(lines[after])
        after += 1
    caption = None
    if block and (notice or _CREDIT.search(block[0])):
        caption = block.pop(0)
    paragraphs, author_line = body_paragraphs(([block] if block else []) + blocks_of(lines[after:]),
                                              cut_off(lines))
    return Article(source=source, title=title, paragraphs=tuple(paragraphs), published=published,
                   author=author or author_line, caption=caption, fmt="txt")


def _wire(lines: list[str], at: int, source: str) -> Article:
    m = DATELINE.match(lines[at])
    assert m is not None
    title = _title_before(lines, at)
    blocks = blocks_of([m.group("rest"), *lines[at + 1:]])
    paragraphs, _ = body_paragraphs(blocks, cut_off(lines))
    body = "\n".join(paragraphs)
    published = dateline_date(m.group("md"), body)
    if not title and paragraphs:
        # no headline line: the lead's first sentence serves, and is not repeated in the body
        title, remainder = first_sentence(paragraphs[0])
        paragraphs = ([remainder] if remainder else []) + paragraphs[1:]
    return Article(source=source, title=title, paragraphs=tuple(paragraphs), published=published,
                   author=m.group("agency").strip(), fmt="txt", date_inferred=published is not None,
                   dateline=m.group("city").strip())


def _generic(lines: list[str], source: str) -> Article:
    start = 0
    while start < len(lines) and (not lines[start] or junk.is_leading_junk(lines[start])):
        start += 1
    if start == len(lines):
        return Article(source=source, title="", paragraphs=(), fmt="txt")
    byline = _AUTHOR_ONLY.match(lines[start])
    if byline and start + 1 < len(lines):
        start += 1  # "By NAME" with no date above a headless story: the author, not a title
        while start < len(lines) and not lines[start]:
            start += 1
        if start == len(lines):
            return Article(source=source, title="", paragraphs=(), fmt="txt")
    first = _MD_HEADING.sub("", lines[start])
    blocks = blocks_of(lines[start + 1:])
    title = first
    split = len(first.split()) > TITLE_MAX_WORDS
    if split:
        title, remainder = first_sentence(first)
        if remainder:
            blocks.insert(0, [remainder])
    header = [ln for block in blocks[:4] for ln in block]
    published = _header_date(header) or parse_date(title) or (None if split else _title_date(title))
    # the header holds metadata lines (dates, "From:", a place line) before the first real paragraph
    while blocks:
        block = [ln for ln in blocks[0] if not (is_date_line(ln) or _is_metadata(ln) or junk.is_dropped(ln))]
        if block and not all(junk.is_headline(ln) and len(ln.split()) <= 6 for ln in block):
            blocks[0] = block
            break
        blocks.pop(0)
    paragraphs, author = body_paragraphs(blocks, cut_off(lines))
    while paragraphs and paragraphs[0] == title:  # the headline printed twice by the page
        paragraphs.pop(0)
    if author is None and byline:
        author = byline.group("name").strip()
    return Article(source=source, title=title, paragraphs=tuple(paragraphs), published=published,
                   author=author, fmt="txt")


def _title_date(title: str) -> datetime | None:
    """A readout title that ends with its date after a colon or dash ("PM meeting with ...: 1 March 2025").

    A headline sentence that merely ends on a date ("... was held on July 24, 2025.") dates an event.
    """
    found = search_date(title)
    if not found or found[2] < len(title) - 1:
        return None
    return found[0] if re.search(r"[:|–—-]\s*$", title[:found[1]]) else None
