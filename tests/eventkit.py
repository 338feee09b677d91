"""Build articles and entity indexes by hand, so event tests do not depend on the entity stage.

``index_for(article, {"Emmanuel Macron": L("emmanuel-macron", "Emmanuel Macron", "FR"), ...})``
finds every whole-word occurrence of each surface form in the article text
(longest first, non-overlapping) and registers the entities, as the entity
stage's contract says it would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from kg.model import Article, Country, EntityIndex, EntityRef, Leader, Mention, Organization, Place, Span


@dataclass(frozen=True)
class Spec:
    ref: EntityRef
    via: str = "name"
    country: str | None = None  # a leader's country, a place's country
    org: str | None = None  # a leader's organisation


def L(key: str, name: str, country: str | None = None, via: str = "name", org: str | None = None) -> Spec:
    return Spec(EntityRef("leader", key, name), via, country, org)


def C(iso: str, name: str, via: str = "name") -> Spec:
    return Spec(EntityRef("country", iso, name), via)


def O(key: str, name: str, via: str = "name") -> Spec:  # noqa: E743
    return Spec(EntityRef("org", key, name), via)


def P(key: str, name: str, iso: str) -> Spec:
    return Spec(EntityRef("place", key, name), "name", iso)


COUNTRY_NAMES = {"FR": "France", "GB": "United Kingdom", "UA": "Ukraine", "US": "United States", "RU": "Russia",
                 "DE": "Germany", "IT": "Italy", "PL": "Poland", "SA": "Saudi Arabia", "FI": "Finland",
                 "EG": "Egypt", "QA": "Qatar", "IL": "Israel", "JP": "Japan", "PH": "Philippines",
                 "CN": "China", "KR": "South Korea", "SY": "Syria", "LB": "Lebanon", "TR": "Türkiye",
                 "BE": "Belgium", "CA": "Canada", "SE": "Sweden", "IN": "India", "AU": "Australia"}


def article(*paragraphs: str, title: str = "", published: str | None = "2025-01-14",
            caption: str | None = None) -> Article:
    pub = datetime.fromisoformat(published) if published else None
    return Article(source="test.txt", title=title, paragraphs=tuple(paragraphs), published=pub, caption=caption)


def index_for(art: Article, specs: dict[str, Spec]) -> EntityIndex:
    text = art.text
    taken: list[tuple[int, int]] = []
    mentions: list[Mention] = []
    for surface in sorted(specs, key=len, reverse=True):
        spec = specs[surface]
        for m in re.finditer(r"(?<![\w])" + re.escape(surface) + r"(?![\w])", text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            mentions.append(Mention(Span(m.start(), m.end()), spec.ref, m.group(), spec.via))
    mentions.sort(key=lambda x: x.span.start)
    index = EntityIndex(mentions=mentions)
    for spec in specs.values():
        ref = spec.ref
        if ref.kind == "leader":
            index.leaders[ref.key] = Leader(ref.key, ref.label, country=spec.country, organization=spec.org)
            if spec.country:
                index.countries.setdefault(spec.country, _country(spec.country))
        elif ref.kind == "country":
            index.countries[ref.key] = Country(ref.key, ref.label)
        elif ref.kind == "org":
            index.organizations[ref.key] = Organization(ref.key, ref.label)
        else:
            index.places[ref.key] = Place(ref.key, ref.label, spec.country)
            if spec.country:
                index.countries.setdefault(spec.country, _country(spec.country))
    return index


def _country(iso: str) -> Country:
    return Country(iso, COUNTRY_NAMES.get(iso, iso))
