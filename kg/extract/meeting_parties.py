"""Who a mention in a meeting clause stands for: a party, or background (a place, a topic, a speaker,
an office, a dateline)."""

from __future__ import annotations

import bisect
import re
from functools import cache

from kg.extract import clauses as cl
from kg.extract.meeting_rules import rules
from kg.model import EntityIndex, EntityRef, Mention

_ORG_EVENT = re.compile(r"\s*(?:\([A-Z]{2,}\)\s*)?(?:[A-Z][\w-]*\s+){0,3}(?:[Ss]ummit|[Cc]onference|[Mm]inisterial)\b")
#: "the SCO headquarters", "elect the next AUC Chair": the organisation's seat or office, not the organisation met
_ORG_POST = re.compile(r"\s+(?:headquarters|HQ|membership|[Cc]hair(?:person|man|woman|manship)?|[Pp]residency"
                       r"|[Ss]ecretariat)\b")
_ORG_OFFICE = re.compile(r"\b(?:chairmanship|chairpersonship|presidency|chair|members?|membership|secretary[- ]general)"
                         r"\s+of\s+(?:the\s+)?$", re.I)

#: "on ASEAN sidelines", "on the G20 summit's margins"
_OWN_SIDELINES = re.compile(r"(?:\s+summit)?(?:['’]s)?\s+(?:sidelines|margins)\b", re.I)
_SIDELINES_OF = re.compile(r"\b(?:sidelines|margins|fringes?)\s+of\s+(?:(?:the|an?|this)\s+)?\Z", re.I)


def setting_orgs(text: str, mentions: list[Mention]) -> set[EntityRef]:
    """Organisations whose summit is named only as where something else happened ("on the margins of the
    NATO summit"): no party to a meeting of the clause other than that summit."""
    return {x.ref for x in mentions if x.ref.kind == "org"
            and (_SIDELINES_OF.search(text, max(0, x.span.start - 40), x.span.start)
                 or _OWN_SIDELINES.match(text, x.span.end))}


#: what follows the speaker of a report ("X said", "X's office said"), unless the meeting is when it speaks
#: ("X said after meeting Y", "X told reporters after the talks")
_SPEAKER = re.compile(
    r",?\s+(?:(?:government|office|ministry|presidency|embassy|officials?|spokes\w+|sources?|diplomats?)\s+){0,2}"
    r"(?:said|says|added|stated|noted|told(?!\s+(?:his|her|the)?\s*(?:[A-Z]|counterpart))|wrote|argued|warned)\b"
    r"(?!\s+(?:that\s+)?(?:he|she)\b"
    r"|\s+(?:(?:reporters|journalists|the press|the media)\s+)?(?:after|before|following|during|while|when|at)\b)")
#: "Russia has not been invited", "China said it would not attend": absent
_NOT_INVITED = re.compile(r"(?:\s+(?:has|have|had|was|were|is|are)\s+(?:not|never)\s+(?:been\s+)?invited"
                          r"|\s+(?:said\s+(?:it|he|she|they)\s+)?(?:will|would|did|does)\s+not\s+"
                          r"(?:attend|take part))\b")
#: the mention after these is absent or in doubt, not a party
_UNSURE = re.compile(r"\b(?:without|whether)\s+(?:the\s+|its\s+|his\s+|her\s+|their\s+)?\Z")


def party(text: str, m: Mention, index: EntityIndex, kind: str) -> EntityRef | None:
    """The party a mention stands for in a meeting clause, or None when it is background."""
    ref = m.ref
    if ref.kind == "place":
        return _capitals_as_sides(text, m, index)
    if _SPEAKER.match(text[m.span.end:m.span.end + 40]):
        return None  # the speaker of a report is not thereby a party
    if _UNSURE.search(text, max(0, m.span.start - 25), m.span.start) or _NOT_INVITED.match(text, m.span.end):
        return None  # "convene without the US defense secretary", "to which Russia has not been invited"
    if m.via == "official":  # "Vance also met X": an official named again, standing for the country
        return None if cl.is_possessive(text, m) and not _owns_trigger(text[m.span.end:m.span.end + 50]) else ref
    if ref.kind == "leader":
        if cl.is_proxy(text, m):
            lead = index.leaders.get(ref.key)
            if lead and lead.country and lead.country in index.countries:
                return EntityRef("country", lead.country, index.countries[lead.country].name)
            return None
        if cl.is_possessive(text, m) and not _owns_trigger(text[m.span.end:m.span.end + 50]):
            return None  # "Trump's inauguration" (but "Zelensky's meeting with Trump", "Ruto's state visit")
        return ref
    word = cl.preceding_word(text, m.span.start)
    if word in _SUCCESSION:
        return None  # "former US Secretary X", "expected to replace Y as chancellor": not at the meeting
    if word == "from" and _actors_from().search(text[max(0, m.span.start - 40):m.span.start]):
        return ref  # "counterparts from Australia"
    if word == "from" and m.via == "demonym" and cl.acts(text, m, index):
        return ref  # "a call from the Iranian president": a person, not a place
    if cl.after_city(text, m, index):
        return None  # "Paris, France": the country only places the city
    if ref.kind == "country" and _DATELINE.search(text, max(0, m.span.start - 40), m.span.start):
        return None  # "NAIROBI, Kenya, Feb 15 —": a dateline places the story, not a party
    if ref.kind == "org" and kind == "summit" and _ORG_EVENT.match(text, m.span.end):
        return ref  # "gathered at a NATO summit": the organisation's own summit, not a place
    if cl.is_location(text, m):
        if kind == "visit" and word in ("to", "into") and ref.kind == "country":
            return ref
        return None
    after = text[m.span.end:m.span.end + 30]
    if ref.kind == "org":
        if kind != "summit" and _ORG_EVENT.match(text, m.span.end):
            return None  # "ahead of the SCO summit, X met Y": the organisation is the summit's, not the meeting's
        if _ORG_OFFICE.search(text, max(0, m.span.start - 40), m.span.start):
            return None  # "China's chairmanship of the SCO"
        if _SIDELINES_OF.search(text, max(0, m.span.start - 40), m.span.start):
            return None  # "on the sidelines of the UN General Assembly": where, not who
        return None if _ORG_POST.match(after) or cl.is_discussed(text, m) else ref
    if cl.is_topic(text, m) or re.match(r"\s+(?:[A-Z][\w-]+\s+){0,3}(?:Conference|Summit|Forum)\b", after):
        return None  # "the Ukraine Recovery Conference" names an event, not a party
    if word in ("visit", "visiting", "visited", "visits"):
        return ref  # "visit Ukraine"
    if cl.is_possessive(text, m) and not cl.acts(text, m, index):
        return None
    if ref.kind == "country" and rules().modified.match(text, m.span.end + 1) and text[m.span.end] == " ":
        return None  # "US outlet Axios reported": the country only qualifies the noun
    if m.via == "demonym" and not cl.acts(text, m, index):
        return None
    return ref


#: a capitalised city opening a line, then a comma: the country after it is a dateline's
_DATELINE = re.compile(r"(?:^|\n)[ \t]*[A-Z][A-Z .'’-]{2,},[ \t]*\Z")

#: the office holder named after these words is replaced, not present ("former" holds no office)
_SUCCESSION = frozenset({"former", "replace", "replaces", "replaced", "replacing", "succeed", "succeeds", "succeeded",
                         "succeeding", "predecessor", "successor", "oust", "ousted", "unseat", "defeated"})


@cache
def _actors_from() -> re.Pattern[str]:
    """"counterparts from", "delegations from (the)": people of the place or country named next."""
    return re.compile(r"(?:" + cl.cues().actor_nouns.pattern + r")\s+from\s+(?:the\s+)?$", re.I)


#: what joins the places of a run ("Moscow and Kyiv", "London, Paris and Berlin")
_JOINS = re.compile(r"\s*(?:,\s*and|,|and|&)\s*")
#: a run of places after these words is where, not who
_WHERE = frozenset({"in", "at", "to", "near", "into", "via", "through", "across", "of", "for", "on", "over", "around",
                    "outside", "from", "visit", "visited", "visiting", "visits", "toured", "tour", "and", "or"})


def _capitals_as_sides(text: str, m: Mention, index: EntityIndex) -> EntityRef | None:
    """"talks between Moscow and Kyiv", "Washington and Beijing agreed to hold talks", "delegations from
    Moscow and Kyiv": places of different countries named together, where a party stands, stand for their
    countries (a single city, or cities of one country, are places)."""
    mentions = index.mentions
    i = bisect.bisect_left(mentions, m.span.start, key=lambda x: x.span.start)
    if i == len(mentions) or mentions[i].span != m.span:
        return None
    lo = hi = i
    while lo > 0 and mentions[lo - 1].ref.kind == "place" \
            and _JOINS.fullmatch(text, mentions[lo - 1].span.end, mentions[lo].span.start):
        lo -= 1
    while hi + 1 < len(mentions) and mentions[hi + 1].ref.kind == "place" \
            and _JOINS.fullmatch(text, mentions[hi].span.end, mentions[hi + 1].span.start):
        hi += 1
    isos = [index.places[x.ref.key].country if x.ref.key in index.places else None for x in mentions[lo:hi + 1]]
    if len(isos) < 2 or None in isos or len(set(isos)) < len(isos):
        return None
    start = mentions[lo].span.start
    word = cl.preceding_word(text, start)
    if word in _WHERE and not (word == "from" and _actors_from().search(text[max(0, start - 40):start])):
        return None
    iso = isos[i - lo]
    return EntityRef("country", iso, index.countries[iso].name) if iso in index.countries else None


def _owns_trigger(after: str) -> bool:
    """"'s meeting", "'s first visit", "'s planned state visit": the possessor's own meeting."""
    head = re.match(r"['’]s?\s+", after)
    if head is None:
        return False
    rest = after[head.end():]
    for _ in range(3):
        if rules().pattern.match(rest):
            return True
        word = re.match(r"[\w-]+\s+", rest)
        if word is None:
            return False
        rest = rest[word.end():]
    return False
