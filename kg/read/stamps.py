"""Publication dates in the head of a plain-text article, and which one to believe.

Real pages carry their date in many places: a collector's leading `` date YYYY-MM-DD``
header, a dateline with a full date (``CITY, Month D, YYYY (Agency) -``, ``CITY (AFP)
July 10, 2025``, ``CITY - On July 10, 2025, ...``), a byline or timestamp line in any
order (``Published: 24 Aug. 2025, 15:23``, ``27.02.2025 15:45``, ``Updated at 0919 EAT on
Sunday 24th Nov 2024``) and bare date lines that may be the site's own date widget.
Each is a ``Stamp`` with a strength; ``choose`` picks the date a reader would take:
the header unless the story's own dateline or byline is days away from it (a
republished page), else the strongest stamp, earliest first. Dates in prose, photo
captions and embedded posts are not stamps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from kg.read.dates import ZONES, parse_date, search_date
from kg.read.wire import DATELINE_LOOSE, dateline_date

#: a collector's header: `` date 2025-10-30`` (a day) or `` date 2025-07`` (a month only)
_HEADER = re.compile(r"^date\s+(?P<value>\d{4}-\d{2}(?:-\d{2})?)(?![\d-])\s*(?P<rest>.*)$", re.IGNORECASE)
#: label words of a stamp line ("Published on:", "Updated at", "Reported by:")
_LABEL = re.compile(r"\b(?:(?:first|last)\s+)?(?:published|updated|posted|modified|publication\s+date|date"
                    r"|released|issued|reported\s+by|edited\s+by|written\s+by|by)\b(?:\s+(?:on|at))?\s*:?",
                    re.IGNORECASE)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?|\b[012]\d[0-5]\d\b(?=\s+[A-Z]{2,5}\b)"
                   r"|\b\d+\s*min(?:ute)?s?\s+read(?:ing)?(?:\s+time)?\b", re.IGNORECASE)
#: words that make a line prose (a headline or sentence), not a stamp
_PROSE = frozenset({
    "the", "a", "an", "of", "in", "to", "and", "is", "are", "was", "were", "has", "have", "had", "will", "would",
    "said", "says", "for", "with", "from", "that", "this", "shows", "after", "before", "during", "as", "at", "on",
    "new", "its", "their", "his", "her"})
_LABEL_ONLY = re.compile(r"^(?:date|published|updated|posted|publication date|last updated)\s*:?$", re.IGNORECASE)
_TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,5})?$", re.IGNORECASE)
_PARTICLES = frozenset({
    "de", "da", "do", "del", "della", "di", "el", "al", "la", "le", "les", "es", "of", "upon", "am", "an", "der"})
_AFTER_DATELINE = re.compile(r"^\s*(?:$|[(/:|,—–-])")
#: a body date this many days or more from the header means the page was republished
HEADER_CONFLICT_DAYS = 3
#: how many non-empty lines at the top are searched for stamps
HEAD_LINES = 15


@dataclass(frozen=True)
class Header:
    """The collector's `` date`` header: a day, or only a month (``period``)."""

    published: datetime | None = None
    period: str | None = None  # "YYYY-MM" when the header gives only a month


@dataclass(frozen=True)
class Stamp:
    """A publication date found in the head of the text."""

    when: datetime
    strength: int  # 3 dateline with a full date, 2 byline/labelled or timed stamp, 1 bare date line
    index: int  # the line it is on
    whole_line: bool  # the line is nothing but the stamp: drop it from the text
    inferred: bool = False  # a year-less dateline whose year was inferred from the story


def split_header(lines: list[str]) -> tuple[list[str], Header]:
    """The leading `` date ...`` header removed from the lines (text on the same line is kept)."""
    for i, line in enumerate(lines):
        if not line:
            continue
        m = _HEADER.match(line)
        if m is None:
            return lines, Header()
        value, rest = m.group("value"), m.group("rest").strip()
        keep = [] if re.fullmatch(r"[\d\W]*", rest) else [rest]  # "403": a fetch status, not text
        out = lines[:i] + keep + lines[i + 1:]
        if len(value) == 7:
            return out, Header(period=value)
        try:
            return out, Header(published=datetime.fromisoformat(value).replace(tzinfo=UTC))
        except ValueError:
            return out, Header()
    return lines, Header()


def _is_place(prefix: str) -> bool:
    """"SHARM EL SHEIKH, Egypt", "Beirut / Jerusalem", "London (AFP)": capitalised names only."""
    prefix = re.sub(r"\([^()]{1,40}\)", " ", prefix)
    prefix = re.sub(r"(?:^|\s)[Oo]n\s*$", "", prefix.strip())
    prefix = prefix.strip().rstrip(",:—–-| ").strip()
    if not prefix or len(prefix) > 60:
        return False
    for part in re.split(r"\s*[,/]\s*|\s+[—–-]\s+", prefix):
        words = part.split()
        if not 1 <= len(words) <= 4:
            return False
        if any(not (w[0].isupper() or w.lower() in _PARTICLES) or not re.fullmatch(r"[\w'’.&-]+", w)
               for w in words):
            return False
    return True


def _dateline(line: str) -> datetime | None:
    """A dateline with a full date at the start of a line: the story's own date."""
    found = search_date(line[:140])
    if found is None:
        return None
    value, start, end = found
    if start == 0 or start > 70 or not _AFTER_DATELINE.match(line[end:]):
        return None
    return value if _is_place(line[:start]) else None


def _stamp_line(line: str) -> tuple[datetime, int] | None:
    """A short line that is only a date, maybe with a label, time, author or outlet: (date, strength)."""
    if len(line) > 110 or "@" in line:
        return None  # long lines are prose or captions; "(@handle) Date" signs an embedded post
    found = search_date(line)
    if found is None:
        value = parse_date(line.strip(" •·-–—/|"))
        return (value, 1) if value is not None else None
    value, start, end = found
    rest = line[:start] + " " + line[end:]
    labelled = bool(_LABEL.search(rest))
    timed = bool(_TIME.search(rest)) or value.hour or value.minute
    rest = _TIME.sub(" ", _LABEL.sub(" ", rest))
    rest = re.sub(r"\([^()]*\)", " ", rest)  # "(Updated: 16:15 GMT ...)"
    for m in list(re.finditer(r"\b[A-Z]{2,5}\b", rest)):
        if m.group().lower() in ZONES or m.group() in ("EAT", "CAT", "WAT", "SAST", "PKT", "AST", "GST"):
            rest = rest.replace(m.group(), " ")
    rest = _strip_dates(rest)
    words = re.findall(r"[^\W_][\w'’.&-]*", rest)
    if labelled:  # "Updated at 0919 EAT on Sunday ...": the label's own little words
        words = [w for w in words if w.lower() not in ("on", "at")]
    if len(words) > 6 or any(w.lower() in _PROSE for w in words):
        return None
    if not labelled and any(not (w[0].isupper() or w[0].isdigit()) for w in words):
        return None
    return value, 2 if (labelled or timed or words) else 1


def _strip_dates(text: str) -> str:
    while (found := search_date(text)) is not None:
        text = text[:found[1]] + " " + text[found[2]:]
    return text


def head_stamps(lines: list[str], body: str) -> tuple[list[Stamp], set[int]]:
    """Stamps in the first lines, and the indexes of lines that are only a stamp (to drop from the text)."""
    stamps: list[Stamp] = []
    drop: set[int] = set()
    head = [i for i, ln in enumerate(lines) if ln][:HEAD_LINES]
    for i in head:
        line = lines[i]
        whole = _stamp_line(line)
        line_start = _dateline(line)
        if line_start is not None:
            stamps.append(Stamp(line_start, 3, i, whole is not None))
        elif whole is not None:
            stamps.append(Stamp(whole[0], whole[1], i, True))
        elif (m := DATELINE_LOOSE.match(line)) and (value := dateline_date(m.group("md"), body)):
            stamps.append(Stamp(value, 2, i, False, inferred=True))
        if whole is not None:
            drop.add(i)
    for i in head:  # "Date" on its own line above the stamp, "18:31" on its own line below it
        near = [j for j in head if j in drop and 0 < abs(j - i) <= 1]
        if near and (_LABEL_ONLY.match(lines[i]) or _TIME_ONLY.match(lines[i])):
            drop.add(i)
    return stamps, drop


def choose(header: Header, stamps: list[Stamp], own: datetime | None,
           own_inferred: bool = False) -> tuple[datetime | None, bool]:
    """The publication date a reader takes, and whether its year was inferred.

    ``own`` is what the article's shape gave (a page dump's byline, a readout's date line).
    """
    candidates = sorted(stamps, key=lambda s: (-s.strength, s.index))
    if own is not None:
        candidates.append(Stamp(own, 2, 10_000, False, own_inferred))
        candidates.sort(key=lambda s: (-s.strength, s.index))
    if header.published is not None:
        body = next((s for s in candidates if s.strength >= 2 and not s.inferred), None)
        if body is not None and abs((body.when.date() - header.published.date()).days) >= HEADER_CONFLICT_DAYS:
            return body.when, False
        return header.published, False
    if not candidates:
        return None, False
    best = candidates[0]
    return best.when, best.inferred
