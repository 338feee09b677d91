"""Pledge forms beyond "X will send Y", for kg/extract/pledges.py.

Real news states pledges as nouns ("early pledges from Norway and France"), passives with an
agent ("€900 million has been pledged by the EU"), sums with their giver ("€300 million from
Germany"), present-tense plans ("Latvia is focused on supplying shells") and lists of givers
named apart from the verb ("the coalition included Canada, Mexico and Norway"). It also hedges
("is considering", "according to people familiar with the matter"), which is no pledge. The
words are in ``kg/data/pledge_triggers.toml``; the functions here read one sentence or the
article, never the whole corpus, and each regex is linear in the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from kg.datafiles import read_toml
from kg.extract import clauses as cl
from kg.extract.text import Sentence
from kg.model import EntityIndex, EntityRef, Mention

TRIGGERS_FILE = "pledge_triggers.toml"
#: a currency written out: "1 billion kroner", "500 million Swedish crowns", "10 crore rupees"
_CURRENCY = (r"(?:euros?|pounds?(?: sterling)?|dollars?|yen|francs?|kronor|kroner|krone|crowns?|rupees?|yuan|renminbi"
             r"|riyals?|dirhams?|roubles?|rubles?|won|pesos?|reais|rand|shillings?|naira|lira|zlotys?|hryvnias?"
             r"|dinars?|ringgit|baht|rupiah|taka|tenge)")
MONEY = (r"(?:(?:[A-Z]{1,2})?[$€£¥]|\b(?:EUR|USD|GBP|CHF|NOK|SEK|DKK|JPY|CAD|AUD|Rs\.?)\s?)\d[\d,.]*"
         r"(?:\s?[-–]\s?\d[\d,.]*)?(?:\s?(?:billion|million|trillion|bn|m)\b)?"
         r"|\b(?:\d[\d,.]*\s(?:(?:billion|million|trillion|crore|lakh)\s)?"
         r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|a|half a)\s(?:billion|million|trillion)\s)"
         r"(?-i:[A-Z][a-z]+\s){0,2}" + _CURRENCY + r"\b")  # "Swedish crowns" (capitalised even where read with re.I)
_MONEY = MONEY_RX = re.compile(MONEY)
# a sentence that speaks of pledges as things ("the pledges from Brussels", "€300 million from Germany")
PLEDGE_NOUN = re.compile(r"\b(?:pledge[sd]?|contributions?|commitments?|donations?|contributed|committed|promised)\b",
                         re.I)
# a word before "pledge(s)" / "committed" that makes it a verb: a subject or an adverb ("Norway pledges",
# "donors pledged", "have committed", "jointly pledged")
_VERB_BEFORE = re.compile(
    r"also|jointly|formally|each|both|they|we|he|she|it|all|who|which|that|and|have|has|had|will|would|to|then"
    r"|now|today|yesterday|again|already|collectively|together|\w+ly|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|week|states|countries|nations|donors|partners|allies|members|leaders|governments"
    r"|government|administration|officials|ministry|cabinet|bloc|union|alliance|coalition|commission|country"
    r"|kingdom|republic|group|president|minister|chancellor", re.I)
_OWN_PLEDGE = re.compile(r"['’]s?\s+(?:[\w-]+\s+){0,2}?(?:pledge|commitment|contribution|donation)\s+of\s+"
                         r"(?:(?:about|around|nearly|almost|some|over|more than|up to)\s+)?(" + MONEY + ")", re.I)
_LACKING = re.compile(r"\b(?:lack|absence) of\s+$|\b(?:no|without)\s+$", re.I)
_BESIDES = re.compile(r"\b(?:besides|apart from|in addition to|alongside|along with)\s+", re.I)
_SUM_BEFORE = re.compile(r"(" + MONEY + r")\s+(?:in|of)\s+(?:\w+\s+)?$")
_THE = re.compile(r"the\s+", re.I)
_PERSONNEL = re.compile(r"\s+(?:police|officers|agents|troops|soldiers|forces|personnel|gendarmes|army|military"
                        r"|contingent|peacekeepers)\b", re.I)


@dataclass(frozen=True)
class Forms:
    hedge_near: re.Pattern[str]
    report: re.Pattern[str]
    member_cue: re.Pattern[str]
    unnamed: re.Pattern[str]
    act: re.Pattern[str]
    act_object: re.Pattern[str]
    gerund_split: re.Pattern[str]
    domain: tuple[tuple[str, re.Pattern[str]], ...]


@cache
def forms() -> Forms:
    data: dict[str, Any] = read_toml(TRIGGERS_FILE)
    lists = {k: cl.compile_list(data, k, TRIGGERS_FILE).pattern
             for k in ("hedges", "report_hedges", "member_cues", "unnamed_groups", "act_against", "act_objects",
                       "gerunds", "provide_verbs")}
    domain_raw = data.get("domain", {})
    domain = tuple((k, cl.compile_list(domain_raw, k, TRIGGERS_FILE)) for k in ("weapons", "aid", "funding")
                   if k in domain_raw)
    return Forms(
        hedge_near=re.compile(r"(?:" + lists["hedges"] + r")\W+(?:[\w'’-]+\W+){0,2}$", re.I),
        report=re.compile(lists["report_hedges"], re.I),
        member_cue=re.compile(lists["member_cues"], re.I),
        unnamed=re.compile(r"(?:" + lists["unnamed_groups"] + r")\s+(?:\w+\s+)?$", re.I),
        act=re.compile(r"\s*to\s+(?:" + lists["act_against"] + r")\b", re.I),
        act_object=re.compile(lists["act_objects"], re.I),
        gerund_split=re.compile(r"(?:,\s+(?:and\s+)?|\s+and\s+)(?:also\s+)?(?=(?:" + lists["gerunds"] + r")\b)"
                                r"|\s+and\s+(?:also\s+)?(?=(?:" + lists["provide_verbs"] + r")\s)", re.I),
        domain=domain,
    )


def money(text: str) -> re.Match[str] | None:
    return _MONEY.search(text)


def is_noun(text: str, start: int, index: EntityIndex) -> bool:
    """"a pledge from donors", "its investment pledge", "remain committed to": not a pledging verb."""
    before = text[max(0, start - 40):start].rstrip()
    if not before or before[-1] in ",)—–-:\"“”":
        return False
    end = start - (len(text[max(0, start - 40):start]) - len(before))
    if any(m.span.end == end for m in index.within(max(0, end - 80), end)):
        return False  # "Norway pledges", "the EU committed"
    word = re.search(r"[\w'’]+$", before)
    return not (word and _VERB_BEFORE.fullmatch(word.group()))


def hedged(head: str) -> bool:
    """"is considering providing", "is preparing to", "expected to": an intention, not a pledge."""
    return bool(forms().hedge_near.search(head[-80:]))


def reported(sentence: str) -> bool:
    """"according to people familiar with the matter": not confirmed."""
    return bool(forms().report.search(sentence))


def acts_as_personnel(text: str, m: Mention) -> bool:
    """"Kenyan police will join", "Kenyan agents": the country acts through its personnel."""
    return bool(_PERSONNEL.match(text[m.span.end:m.span.end + 30]))


def unnamed_group(head: str, noun: re.Match[str]) -> bool:
    """"rich countries", "international donors", "European countries": a group with no organisation."""
    return bool(forms().unnamed.search(head[max(0, noun.start() - 30):noun.start()]))


def acting_against(obj: str) -> bool:
    """"pledged to stem the smuggling of weapons": a commitment to act, not the weapons."""
    m = forms().act.match(obj)
    return m is not None and bool(forms().act_object.search(obj[m.end():m.end() + 80]))


def gerund_parts(obj: str) -> list[str]:
    """"strengthening air defence, investing in industry and contributing to X" -> three things."""
    return [p for p in forms().gerund_split.split(obj) if p.strip()]


@lru_cache(maxsize=16)
def domain_counts(text: str) -> tuple[tuple[str, int], ...]:
    return tuple((name, len(pat.findall(text))) for name, pat in forms().domain)


def domain_type(text: str, is_money: bool, word: str = "") -> str:
    """The type an untyped sum or a vague word ("aid", "support") takes from the article's subject.

    "Aid" and "assistance" are humanitarian unless the article is about war; "support" and a bare sum
    follow whichever of arms, relief or finance the article speaks of most.
    """
    counts = dict(domain_counts(text))
    mil, hum, fin = counts.get("weapons", 0), counts.get("aid", 0), counts.get("funding", 0)
    if mil > hum + fin and mil >= 3:
        return "weapons"
    if re.search(r"\b(?:aid|assistance)\b", word, re.I) or hum > fin or (hum == fin and not is_money):
        return "aid"
    return "funding"


def members(text: str, index: EntityIndex, sents: Sequence[Sentence], si: int) -> list[EntityRef]:
    """Givers listed near a group noun: "Besides the EU, the coalition included Canada, Mexico and Norway"."""
    for j in (si, si + 1, si - 1, si - 2):
        if not 0 <= j < len(sents):
            continue
        s = sents[j]
        cue = forms().member_cue.search(s.text)
        if not cue:
            continue
        after = [x for x in index.within(s.start + cue.end(), s.end) if x.ref.kind in ("country", "org")]
        runs = cl.groups(text, after)
        if not runs or len(runs[0]) < 2:
            continue
        found = [x.ref for x in runs[0]]
        extra = _BESIDES.search(s.text[:cue.start()])
        if extra:
            found = [x.ref for x in index.within(s.start + extra.end(), s.start + cue.start())
                     if x.ref.kind in ("country", "org")][:1] + found
        return found
    return []


def from_amounts(text: str, sent: Sentence, index: EntityIndex) -> list[tuple[Mention, str, int]]:
    """"such as about €300 million from Germany and €192 million from Britain": (giver, amount, where)."""
    out = []
    for m in _MONEY.finditer(sent.text):
        rest = sent.text[m.end():m.end() + 30]
        gap = re.match(r"\s+(?:(?:in|of)\s+\w+\s+)?from\s+(?:the\s+)?", rest)
        if not gap:
            continue
        at = sent.start + m.end() + gap.end()
        giver = next((x for x in index.within(at, at + 40) if x.span.start == at and x.ref.kind != "place"), None)
        if giver:
            out.append((giver, m.group().strip(), sent.start + m.start()))
    return out


_NOUN_FROM = re.compile(
    r"\b(?:pledges?|contributions?|commitments?|donations?)\s+(?:of\s+\S+(?:\s+(?:billion|million))?\s+)?from\s+"
    r"(?:(?:\w+\s+){0,2}?(?P<incl>including|such as|like|led by)\s+)?", re.I)


def noun_pledges(text: str, sent: Sentence, index: EntityIndex) -> list[tuple[list[Mention], str | None, int]]:
    """"$5 billion in early pledges from backers including Norway and France": (givers, amount, where).

    The amount is the givers' own only when they are all the givers ("€2 billion in pledges from Japan"),
    not when they are some of them ("including Norway and France").
    """
    out = []
    for m in _NOUN_FROM.finditer(sent.text):
        at = sent.start + m.end()
        after = [x for x in index.within(at, sent.end) if x.ref.kind != "place"]
        runs = cl.groups(text, after)
        lacking = _LACKING.search(sent.text[max(0, m.start() - 20):m.start()])  # "the lack of contributions from"
        if not runs or not _starts(text, at, runs[0][0]) or lacking:
            continue
        amount = None
        if not m.group("incl"):
            own = _MONEY.search(sent.text[m.start():m.end()])
            near = _SUM_BEFORE.search(sent.text[max(0, m.start() - 60):m.start()])
            amount = own.group() if own else near.group(1) if near else None
        out.append((runs[0], amount, at))
    for x in index.within(sent.start, sent.end):  # "Germany's new pledge of €500 million"
        own = _OWN_PLEDGE.match(text, x.span.end, sent.end) if x.ref.kind in ("country", "org", "leader") else None
        if own:
            out.append(([x], own.group(1).strip(), x.span.start))
    return out


def passive_agents(text: str, tend: int, end: int, index: EntityIndex) -> list[Mention]:
    """The givers after "by" in "has been pledged by the EU and member states"."""
    by = re.match(r"\s+by\s+", text[tend:tend + 12])
    if not by:
        return []
    at = tend + by.end()
    runs = cl.groups(text, [x for x in index.within(at, end) if x.ref.kind != "place"])
    return runs[0] if runs and _starts(text, at, runs[0][0]) else []


def _starts(text: str, at: int, m: Mention) -> bool:
    """The mention begins at ``at``, maybe after "the"."""
    return m.span.start == at or (m.span.start > at and _THE.fullmatch(text[at:m.span.start]) is not None)


def along_with(text: str, start: int, end: int, index: EntityIndex) -> tuple[int, list[Mention]] | None:
    """"1,000 Kenyan agents will join, along with officers from Chile, Jamaica and Chad": the others, apart."""
    m = re.search(r",?\s+(?:along|together) with\s+(?:[\w-]+\s+){0,3}?from\s+", text[start:end])
    if not m:
        return None
    at = start + m.end()
    runs = cl.groups(text, [x for x in index.within(at, end) if x.ref.kind in ("country", "org")])
    if not runs or not _starts(text, at, runs[0][0]):
        return None
    return start + m.start(), runs[0]


def pronoun_subject(text: str, start: int, pos: int, named: list[Mention], index: EntityIndex) -> EntityRef | None:
    """"Trump said ... Sheinbaum, in which she agreed to deploy": the latest he/she, if after any named subject."""
    last = None
    for last in re.finditer(r"\b(?:he|she)\b", text[start:pos], re.I):  # noqa: B007
        pass
    if last is None:
        return None
    ppos = start + last.start()
    if named and named[-1].span.end > ppos:
        return None
    leaders = [x for x in index.within(max(0, ppos - 600), ppos) if x.ref.kind == "leader"
               and cl.preceding_word(text, x.span.start) not in ("told", "asked", "urged", "assured", "informed", "to")]
    return leaders[-1].ref if leaders else None  # "Starmer told Macron he would": Starmer


_BETWEEN = re.compile(r"\b(?:agreement|deal|accord|memorandum|treaty)\s+between\s+", re.I)


def first_party(text: str, start: int, end: int, index: EntityIndex) -> list[Mention]:
    """"a loan agreement between the UK and Ukraine": the first party gives, the second receives."""
    m = _BETWEEN.search(text, start, end)
    if not m:
        return []
    runs = cl.groups(text, [x for x in index.within(m.end(), end) if x.ref.kind in ("country", "org")])
    return runs[0][:1] if runs and len(runs[0]) == 2 and _starts(text, m.end(), runs[0][0]) else []


_GAPPED_SUM = re.compile(r"\s+(?:(?:another|a further|an additional|additional|some|about|around|up to|nearly)\s+)?"
                         r"(" + MONEY + ")")
_LISTED = re.compile(r"(?:,|\band)\s+(?:the\s+)?$")


def gapped(text: str, start: int, end: int, index: EntityIndex) -> list[tuple[Mention, str]]:
    """"Germany will give €300 million, Britain £150 million and France €100 million": the verb left out."""
    out = []
    for x in index.within(start, end):
        listed = _LISTED.search(text[max(start, x.span.start - 8):x.span.start])
        if x.ref.kind in ("country", "org") and x.via != "demonym" and listed:
            m = _GAPPED_SUM.match(text, x.span.end, end)
            if m:
                out.append((x, m.group(1).strip()))
    return out


_WE = re.compile(r"\b(?:[Ww]e|I)\b")
_CLOSE_QUOTE = re.compile(r"[”\"]")


def quoted_speaker(text: str, sent: Sentence, pos: int, index: EntityIndex) -> Mention | None:
    """"“We will send 500 troops,” Macron said": inside a quote, "we" is the speaker's country."""
    head = text[sent.start:pos]
    if not _WE.search(head) or not re.search(r"[“\"]", head):
        return None
    close = _CLOSE_QUOTE.search(text, pos, sent.end)
    if not close:
        return None
    after = [x for x in index.within(close.end(), sent.end) if x.ref.kind in ("leader", "country", "org")]
    return after[0] if after and re.match(r"[\s,]*(?:\w+\s+){0,4}?(?:said|says|told|added|stressed)\b|[\s,]*said\b",
                                          text[close.end():close.end() + 80]) else None
