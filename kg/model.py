"""Data passed between pipeline stages.

read: path -> Article; extract: Article -> Facts; map: Facts -> rdflib.Graph.
Character spans always index ``Article.text``.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

EntityKind = Literal["leader", "country", "org", "place"]


@dataclass(frozen=True)
class Article:
    """One article with the site junk already removed.

    ``text`` is the title, then the caption (if any), then the body paragraphs,
    joined by blank lines; every span in the facts indexes into it.
    """

    source: str  # the file name (or "<stdin>"), never an absolute path: graphs must not depend on the machine
    title: str
    paragraphs: tuple[str, ...]
    published: datetime | None = None
    author: str | None = None
    url: str | None = None
    caption: str | None = None
    fmt: str = "txt"  # txt | html | json
    #: where the dateline gives only month and day (wire stories), the year is inferred: True when it was
    date_inferred: bool = False
    #: "YYYY-MM" when the page gives only the month it was published in (no day): fixes the year of
    #: "Friday (July 4)" without pretending to a publication day
    period: str | None = None
    #: the city a wire story was filed from, when its dateline is cut from the text ("KUALA LUMPUR, July 11
    #: (Xinhua) --"): a meeting told to be "here" was there
    dateline: str | None = None

    @property
    def blocks(self) -> tuple[str, ...]:
        head = (self.title,) if self.title else ()
        cap = (self.caption,) if self.caption else ()
        return head + cap + self.paragraphs

    @property
    def text(self) -> str:
        return "\n\n".join(self.blocks)

    @property
    def published_date(self) -> date | None:
        return self.published.date() if self.published else None

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def key(self) -> str:
        """Stable identity: the URL when known, else headline + publication day.

        The same article read from .txt, .html or .json gets the same key, so
        re-ingesting it replaces rather than duplicates.
        """
        if self.url:
            basis = "url:" + self.url.strip()
        else:
            day = self.published_date.isoformat() if self.published_date else ""
            basis = "title:" + " ".join(self.title.lower().split()) + "|" + day
            if not self.title:
                basis = "text:" + self.content_hash
        return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class EntityRef:
    """A pointer to a canonical entity.

    ``key`` is what the IRI is minted from: the ISO code for a country, a slug for the rest
    (``emmanuel-macron``, ``nato``, ``paris``).
    """

    kind: EntityKind
    key: str
    label: str


def unique(refs: list[EntityRef]) -> list[EntityRef]:
    """``refs`` without repeats, first mention first (the order parties are named in)."""
    return list(dict.fromkeys(refs))


@dataclass
class Mention:
    span: Span
    ref: EntityRef
    text: str
    via: str = "name"  # name | alias | surname | title | demonym | pronoun


@dataclass
class Leader:
    key: str
    name: str  # fullest form used in the article
    role: str | None = None  # notation from vocab.LEADER_ROLES
    role_text: str | None = None  # as written: "President-elect", "Foreign Minister"
    country: str | None = None  # ISO alpha-2 of the country led
    organization: str | None = None  # org key, for heads of international bodies
    aliases: set[str] = field(default_factory=set)


@dataclass
class Country:
    iso: str
    name: str


@dataclass
class Organization:
    key: str
    name: str


@dataclass
class Place:
    key: str
    name: str
    country: str | None = None


@dataclass
class Evidence:
    sentence: str
    span: Span


@dataclass
class Meeting:
    participants: list[EntityRef]
    evidence: Evidence
    date: str | None = None  # YYYY-MM-DD | YYYY-MM | YYYY | None
    date_text: str | None = None
    location: EntityRef | None = None  # a place or a country
    mode: str = "unknown"  # vocab.MEETING_MODES
    status: str = "held"  # vocab.MEETING_STATUSES
    kind: str = "meeting"  # meeting | call | video | summit | visit | talks


@dataclass
class Pledge:
    pledgers: list[EntityRef]
    pledge_type: str  # vocab.PLEDGE_TYPES
    evidence: Evidence
    amount: str | None = None
    recipient: EntityRef | None = None
    date: str | None = None
    date_text: str | None = None
    conditional: bool = False


@dataclass
class EntityIndex:
    """Everything the entity stage found: mentions in text order plus the registries."""

    mentions: list[Mention] = field(default_factory=list)
    leaders: dict[str, Leader] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    #: ISO codes of countries that act (speak, have officials, governments) beyond events
    acting: set[str] = field(default_factory=set)

    def within(self, start: int, end: int) -> list[Mention]:
        """Mentions inside [start, end); ``mentions`` are in text order, so this is a binary search."""
        i = bisect.bisect_left(self.mentions, start, key=lambda m: m.span.start)
        out = []
        for m in itertools.islice(self.mentions, i, None):
            if m.span.start >= end:
                break
            if m.span.end <= end:
                out.append(m)
        return out


@dataclass
class Facts:
    article: Article
    leaders: list[Leader] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    pledges: list[Pledge] = field(default_factory=list)
