"""Pledges: a country or organisation committing to provide something.

A pledge is a promise ("will send", "is ready to deploy", "committed to
provide") or a pledging verb ("pledged €300 million") with a subject we can
name; refusals, modal hypotheticals and unattributed totals are not pledges.
Triggers, types and amount units are in ``kg/data/pledge_triggers.toml``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.extract import clauses as cl
from kg.extract.dates import find_dates
from kg.extract.text import sentences
from kg.model import Article, EntityIndex, EntityRef, Evidence, Mention, Pledge, Span
from kg.resources import data_dir
from kg.vocab import PLEDGE_TYPES

TRIGGERS_FILE = "pledge_triggers.toml"
_NUM = (r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|fifty"
        r"|hundreds of|thousands of|dozens of)")
_MONEY = (r"(?:[A-Z]{1,2})?[$€£¥]\s?\d[\d,.]*(?:\s?(?:billion|million|trillion|bn)\b)?"
          r"|\d[\d,.]*\s(?:billion|million|trillion)\s(?:euros|pounds|dollars|yen|francs|kronor|crowns)\b")
_GROUP_NOUNS = re.compile(r"\b(?:countries|members|partners|allies|leaders|nations|states|participants|donors)\b", re.I)


@dataclass(frozen=True)
class _Rules:
    trigger: re.Pattern[str]
    passive: re.Pattern[str]
    direct: re.Pattern[str]
    types: tuple[tuple[str, re.Pattern[str]], ...]
    amount: re.Pattern[str]


def _bad(what: str) -> KgError:
    return KgError(what, where=data_dir() / TRIGGERS_FILE, fix="see the comments at the top of the file")


@cache
def rules() -> _Rules:
    data: dict[str, Any] = read_toml(TRIGGERS_FILE)
    lists = {k: cl.compile_list(data, k, TRIGGERS_FILE).pattern
             for k in ("provide_verbs", "promise_aux", "promise_gap", "direct", "passive")}
    gap = r"(?:\s+(?:" + lists["promise_gap"] + r"))*"
    promise = r"(?:" + lists["promise_aux"] + r")" + gap + r"\s+(?:" + lists["provide_verbs"] + r")"
    trigger = re.compile("(?P<promise>" + promise + ")|(?P<passive>" + lists["passive"] + ")|(?P<direct>"
                         + lists["direct"] + ")", re.I)
    types_raw = data.get("types")
    if not isinstance(types_raw, dict):
        raise _bad("missing [types] table")
    types = []
    for name, _pats in types_raw.items():
        label = "aid" if name == "aid_fallback" else name
        if label not in PLEDGE_TYPES:
            raise _bad(f"[types]: {name!r} is not a pledge type ({', '.join(PLEDGE_TYPES)})")
        types.append((label, cl.compile_list(types_raw, name, TRIGGERS_FILE)))
    units = cl.compile_list(data.get("amount", {}), "units", TRIGGERS_FILE).pattern
    amount = re.compile(r"(?P<money>" + _MONEY + r")|(?P<count>\b" + _NUM + r"\s+(?:[\w-]+\s+){0,4}?" + units + r")"
                        r"|(?P<pct>\b\d+(?:\.\d+)?\s?%)", re.I)
    return _Rules(trigger, re.compile(lists["passive"], re.I), re.compile(lists["direct"], re.I), tuple(types), amount)


def classify(text: str) -> str | None:
    """The pledge type of what is given, by the first matching keyword list."""
    for name, pat in rules().types:
        if pat.search(text):
            return name
    return None


def find_amount(text: str) -> str | None:
    m = rules().amount.search(text)
    return m.group().strip() if m else None


def _country(ref: EntityRef, index: EntityIndex) -> EntityRef | None:
    """A pledger or recipient as a country or organisation (a leader pledges for their country)."""
    if ref.kind in ("country", "org"):
        return ref
    if ref.kind == "leader" and ref.key in index.leaders:
        lead = index.leaders[ref.key]
        if lead.country and lead.country in index.countries:
            return EntityRef("country", lead.country, index.countries[lead.country].name)
        if lead.organization and lead.organization in index.organizations:
            return EntityRef("org", lead.organization, index.organizations[lead.organization].name)
    if ref.kind == "place" and ref.key in index.places:
        iso = index.places[ref.key].country
        if iso and iso in index.countries:
            return EntityRef("country", iso, index.countries[iso].name)
    return None


def _dedup(refs: list[EntityRef]) -> list[EntityRef]:
    out: list[EntityRef] = []
    for r in refs:
        if r not in out:
            out.append(r)
    return out


def _subject(text: str, start: int, pos: int, index: EntityIndex) -> list[Mention]:
    """The mentions that promise: the run of mentions closest before the trigger, skipping relative clauses."""
    region = text[start:pos]
    rel = re.search(r",\s*(?:which|who|whose)\b", region)
    if rel:
        later_comma = region.rfind(",")
        if later_comma > rel.start():
            region_mentions = [m for m in index.within(start, pos)
                               if not (start + rel.start() <= m.span.start < start + later_comma)]
        else:  # the trigger is inside the relative clause: its antecedent promises
            antecedent = [m for m in index.within(start, start + rel.start()) if m.ref.kind != "place"]
            return antecedent[-1:]
    else:
        region_mentions = index.within(start, pos)
    usable = [m for m in region_mentions
              if m.ref.kind != "place" and not (cl.is_possessive(text, m) and text[m.span.end:pos].strip(" '’s")
                                                 and not cl.acts(text, m, index))
              and not (m.via == "demonym" and not cl.acts(text, m, index))
              and cl.preceding_word(text, m.span.start) not in ("with", "for", "to", "from", "in", "at", "of", "by")]
    groups = cl.groups(text, usable)
    return groups[-1] if groups else []


def _context_org(text: str, index: EntityIndex, start: int, end: int, back: int) -> EntityRef | None:
    """The organisation a group noun ("coalition countries", "the leaders") stands for."""
    inside = [m for m in index.within(start, end) if m.ref.kind == "org"
              and not re.match(r"\s+(?:headquarters|HQ)", text[m.span.end:m.span.end + 20])]
    if inside:
        return inside[0].ref
    before = [m for m in index.mentions if m.ref.kind == "org" and back <= m.span.start < start]
    return before[-1].ref if before else None


def _parts(obj: str) -> list[str]:
    """What is given, split where it lists things of different types ("troops and security guarantees")."""
    inc = re.search(r",?\s+including\b", obj)
    if inc and classify(obj[inc.end():]) and (find_amount(obj[inc.end():]) or not find_amount(obj[:inc.start()])):
        obj = obj[inc.end():]
    pieces = [p for p in re.split(r",\s+(?:and\s+)?|\s+and\s+", obj) if p.strip()]
    # a later piece stands alone only with a thing of its own ("and other security guarantees"),
    # not a second purpose ("for humanitarian relief and early recovery")
    typed = [(p, t if i == 0 or t not in ("funding", "aid") or find_amount(p) else None)
             for i, p in enumerate(pieces) for t in [classify(p)]]
    kinds = {t for _, t in typed if t}
    if len(kinds) <= 1:
        return [obj]
    out: list[str] = []
    for p, t in typed:
        if t:
            out.append(p)
        elif out:
            out[-1] += " and " + p
    return out


def find_pledges(article: Article, index: EntityIndex) -> list[Pledge]:
    """The pledges the article reports, merged when a country repeats the same promise."""
    text = article.text
    pub = article.published_date
    c, r = cl.cues(), rules()
    out: list[Pledge] = []
    last_type: str | None = None
    last_recipient: EntityRef | None = None
    last_at = -10
    context: Counter[EntityRef] = Counter()
    sents = sentences(article)
    for si, sent in enumerate(sents):
        if not r.trigger.search(sent.text):
            continue
        clauses = cl.split_clauses(sent, c.pledge_breaks)
        prev_in_clause: dict[int, list[EntityRef]] = {}
        prev_end = sent.start
        matches = list(r.trigger.finditer(sent.text))
        for i, m in enumerate(matches):
            pos, tend = sent.start + m.start(), sent.start + m.end()
            clause = cl.clause_at(clauses, pos)
            later = [x for x in matches[i + 1:] if sent.start + x.start() < clause.end]
            if m.group("direct") and re.match(r"\s+that\b", text[tend:tend + 6]) and later:
                continue
            obj_end = sent.start + later[0].start() if later else clause.end
            head = text[clause.start:pos]
            if (c.negation_clause.search(text[clause.start:obj_end])
                    or re.search(r"\b(?:not|never|no|n't|neither)\b", head + " " + m.group(), re.I)
                    or re.search(r"(?:" + c.hypothetical_near.pattern + r")\W+(?:\w+\W+)?$", head, re.I)):
                continue
            if m.group("direct") and re.search(r"\b(?:to|would|could|should)\s+$", head):
                continue
            obj = text[tend:obj_end]
            subject = _subject(text, clause.start, pos, index)
            pledgers = _dedup([p for x in subject if (p := _country(x.ref, index))])
            if clause.start in prev_in_clause and re.search(r"\band\s+$", text[prev_end:pos]):
                pledgers = prev_in_clause[clause.start]  # "would provide ... and stood ready to contribute"
            if not pledgers and re.search(r"\b(?:he|she|his|her)\b", head, re.I):
                leaders = [x for x in index.mentions if x.ref.kind == "leader" and x.span.end <= pos]
                if leaders and (p := _country(leaders[-1].ref, index)):
                    pledgers = [p]
            if not pledgers and (_GROUP_NOUNS.search(head) or re.search(r"\bcoalition\b", head, re.I)):
                back = sents[max(0, si - 3)].start
                org = _context_org(text, index, sent.start, sent.end, back)
                pledgers = [org] if org else []
            if not pledgers:  # "donors pledged €5.8 billion for Syria": no pledge, but it says who receives
                context.update(p for x in index.within(tend, obj_end) if x.ref.kind == "country"
                               and cl.preceding_word(text, x.span.start) in ("to", "for")
                               and (p := _country(x.ref, index)))
                continue
            prev_in_clause[clause.start], prev_end = pledgers, tend
            subject_np = head[-40:] if m.group("passive") or re.search(r"\bbe part of\b", m.group()) else ""
            conditional = bool(c.conditional.search(text[clause.start:obj_end]))
            dates = [d for d in find_dates(text[clause.start:clause.end], pub, "past", clause.start)
                     if d.value and d.kind not in ("dateline", "rel_year", "year")]
            date = dates[0] if dates else None
            recipients = [x for x in index.within(tend, obj_end)
                          if cl.preceding_word(text, x.span.start) not in ("from", "by", "against")
                          and (x.ref.kind != "place" or cl.preceding_word(text, x.span.start) in ("to", "for"))]
            owner = [x for x in index.within(clause.start, pos) if x.ref.kind == "country"
                     and cl.is_possessive(text, x) and x.ref not in pledgers and not cl.acts(text, x, index)]
            recipients = owner + [x for x in recipients if x.ref.kind in ("country", "place")]  # "Ukraine's partners"
            recipient = next((p for x in recipients if (p := _country(x.ref, index)) and p not in pledgers
                              and p.kind == "country"), None)
            made = False
            if last_at < si - 1:
                last_recipient = None  # "to Ukraine" carries over to the next sentence, no further
            for part in _parts(obj):
                kind = classify(part) or classify(m.group()) or classify(subject_np)
                amount = find_amount(subject_np) if m.group("passive") else None
                amount = amount or find_amount(part)
                if kind is None:
                    if amount and re.search(_MONEY, amount):
                        kind = last_type or "funding"
                    else:
                        continue
                if m.group("direct") and not amount and kind == "other":
                    continue
                last_type = kind
                made = True
                out.append(Pledge(
                    pledgers=list(pledgers), pledge_type=kind,
                    evidence=Evidence(sent.text, Span(sent.start, sent.end)),
                    amount=amount, recipient=recipient or last_recipient,
                    date=date.value if date else None, date_text=date.text if date else None,
                    conditional=conditional,
                ))
            if made:
                last_recipient, last_at = recipient or last_recipient, si
    return _merge(out, len(article.title) if not article.title.rstrip().endswith(".") else 0, context)


def _merge(pledges: list[Pledge], title_end: int, context: Counter[EntityRef]) -> list[Pledge]:
    """One pledge per pledgers and type; a summary by several pledgers each listed on their own goes."""
    kept: list[Pledge] = []
    for p in pledges:
        same = next((k for k in kept if set(k.pledgers) == set(p.pledgers) and k.pledge_type == p.pledge_type
                     and (not k.amount or not p.amount or k.amount == p.amount
                          or k.evidence.span.start < title_end
                          or abs(p.evidence.span.start - k.evidence.span.end) < 3)), None)
        if same:
            if same.evidence.span.start < title_end and p.amount:  # the body says it in full
                same.amount, same.evidence = p.amount, p.evidence
            same.amount = same.amount or p.amount
            same.recipient = same.recipient or p.recipient
            same.date = same.date or p.date
            continue
        kept.append(p)
    named = Counter(q.recipient for q in kept if q.recipient) + context
    if named:  # an article about aid to one country: a pledge that names no recipient is for it too
        usual, _ = named.most_common(1)[0]
        for q in kept:
            if q.recipient is None and usual not in q.pledgers:
                q.recipient = usual
    singles = {(q.pledgers[0], q.pledge_type) for q in kept if len(q.pledgers) == 1}
    return [p for p in kept
            if len(p.pledgers) == 1 or not all((x, p.pledge_type) in singles for x in p.pledgers)]
