"""Article -> Facts: entities first, then events that refer to them.

The stages are plain functions so each can be tested and replaced on its own:
``find_entities(article) -> EntityIndex``, ``find_meetings(article, index)`` and
``find_pledges(article, index)``; ``extract`` composes them and keeps only the
entities the facts need.
"""

from __future__ import annotations

from kg.errors import ExtractionError
from kg.extract.entities import find_entities
from kg.extract.meetings import find_meetings
from kg.extract.pledges import find_pledges
from kg.model import Article, EntityIndex, EntityRef, Facts, Meeting, Pledge

#: the longest article text extracted (about 250 pages of prose; a news article is a few thousand
#: characters): the work per article stays bounded however large the input
MAX_CHARS = 1_000_000


def extract(article: Article) -> Facts:
    size = len(article.text)
    if size > MAX_CHARS:
        raise ExtractionError(f"article too long to extract ({size:,} characters; the limit is {MAX_CHARS:,})",
                              where=article.source, fix="split it into one file per article")
    index = find_entities(article)
    meetings = find_meetings(article, index)
    pledges = find_pledges(article, index)
    return assemble(article, index, meetings, pledges)


def assemble(article: Article, index: EntityIndex, meetings: list[Meeting], pledges: list[Pledge]) -> Facts:
    """Facts with the entities that take part in them, in a stable order.

    Countries are those that act: a leader's country, a party to a meeting or
    pledge, a meeting's location, or one the entity stage saw speaking.
    """
    refs: list[EntityRef] = []
    for m in meetings:
        refs.extend(m.participants)
        if m.location:
            refs.append(m.location)
    for p in pledges:
        refs.extend(p.pledgers)
        if p.recipient:
            refs.append(p.recipient)

    isos = set(index.acting)
    isos.update(r.key for r in refs if r.kind == "country")
    isos.update(lead.country for lead in index.leaders.values() if lead.country)
    orgs = {r.key for r in refs if r.kind == "org"}
    orgs.update(lead.organization for lead in index.leaders.values() if lead.organization)
    places = {r.key for r in refs if r.kind == "place"}
    isos.update(index.places[k].country or "" for k in places if k in index.places)
    isos.discard("")

    return Facts(
        article=article,
        leaders=sorted(index.leaders.values(), key=lambda x: x.key),
        countries=[index.countries[i] for i in sorted(isos) if i in index.countries],
        organizations=[index.organizations[k] for k in sorted(orgs) if k in index.organizations],
        places=[index.places[k] for k in sorted(places) if k in index.places],
        meetings=meetings,
        pledges=pledges,
    )
