"""Meetings, calls, summits and visits: who met whom, when, where and how.

Each clause holding a meeting word (``kg/data/meeting_triggers.toml``) gives a
candidate with the parties named in the clause; "the summit", "the two leaders"
and bare "attended" refer back to the previous meeting and add to it. Candidates
about the same meeting (title, caption and body; several sentences) merge, and
what is left with fewer than two parties is dropped unless it is an
organisation's summit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.extract import clauses as cl
from kg.extract.dates import Tense, TemporalExpr, find_dates
from kg.extract.text import Sentence, sentences
from kg.model import Article, EntityIndex, EntityRef, Evidence, Meeting, Mention, Span
from kg.resources import data_dir

TRIGGERS_FILE = "meeting_triggers.toml"
_PRIORITY = {"call": 0, "video": 1, "summit": 2, "visit": 3, "talks": 4, "meeting": 5, "weak": 6}
_MODES = {"phone", "virtual", "in_person", "unknown"}


@dataclass(frozen=True)
class _Trigger:
    kind: str
    mode: str
    planned: bool


@dataclass(frozen=True)
class _Rules:
    pattern: re.Pattern[str]
    by_text: tuple[tuple[re.Pattern[str], _Trigger], ...]
    excl_before: re.Pattern[str]
    excl_after: tuple[re.Pattern[str], ...]
    excl_clause: re.Pattern[str]
    video: re.Pattern[str]
    in_person: re.Pattern[str]


def _bad(what: str) -> KgError:
    return KgError(what, where=data_dir() / TRIGGERS_FILE, fix="see the comments at the top of the file")


@cache
def rules() -> _Rules:
    data: dict[str, Any] = read_toml(TRIGGERS_FILE)
    groups = data.get("trigger")
    if not isinstance(groups, list) or not groups:
        raise _bad("no [[trigger]] groups")
    all_patterns: list[str] = []
    by_text: list[tuple[re.Pattern[str], _Trigger]] = []
    for i, g in enumerate(groups, start=1):
        kind, mode = g.get("kind"), g.get("mode", "unknown")
        if kind not in _PRIORITY:
            raise _bad(f"trigger group {i}: kind {kind!r} is not one of {', '.join(_PRIORITY)}")
        if mode not in _MODES:
            raise _bad(f"trigger group {i}: mode {mode!r} is not one of {', '.join(sorted(_MODES))}")
        pats = g.get("patterns")
        if not isinstance(pats, list) or not all(isinstance(p, str) for p in pats):
            raise _bad(f"trigger group {i}: 'patterns' must be a list of strings")
        trig = _Trigger(kind, mode, g.get("status") == "planned")
        for p in pats:
            try:
                by_text.append((re.compile(f"(?:{p})", re.I), trig))
            except re.error as exc:
                raise _bad(f"trigger group {i}: bad regular expression {p!r}: {exc}") from exc
        all_patterns.extend(pats)
    excl = data.get("exclude", {})
    modes = data.get("mode_cues", {})
    return _Rules(
        pattern=cl.words(all_patterns),
        by_text=tuple(by_text),
        excl_before=re.compile(r"(?:" + "|".join(excl.get("before", ["$^"])) + r")\s*(?:\w+\s+)?$", re.I),
        excl_after=tuple(re.compile(p, re.I) for p in excl.get("after", [])),
        excl_clause=cl.compile_list(excl, "clause", TRIGGERS_FILE) if "clause" in excl else re.compile("$^"),
        video=cl.compile_list(modes, "video", TRIGGERS_FILE) if "video" in modes else re.compile("$^"),
        in_person=re.compile("|".join(modes.get("in_person", ["$^"]))),
    )


def _classify(text: str) -> _Trigger:
    """The trigger group a matched text belongs to (the longest pattern that matches it whole)."""
    best: tuple[int, _Trigger] | None = None
    for pat, trig in rules().by_text:
        if pat.fullmatch(text) and (best is None or len(pat.pattern) > best[0]):
            best = (len(pat.pattern), trig)
    return best[1] if best else _Trigger("meeting", "in_person", False)


@dataclass
class _Cand:
    parties: list[EntityRef]
    sentence: Sentence
    kind: str
    mode: str
    status: str
    date: TemporalExpr | None = None
    location: EntityRef | None = None
    anaphoric: bool = False
    weak: bool = False
    caption: bool = False
    extra_modes: set[str] = field(default_factory=set)
    title: bool = False
    explicit_mode: bool = False
    sidelines: bool = False


def _party(text: str, m: Mention, index: EntityIndex, kind: str) -> EntityRef | None:
    """The party a mention stands for in a meeting clause, or None when it is background."""
    ref = m.ref
    if ref.kind == "place":
        return None
    if re.match(r",?\s+(?:said|says|told|added|stated|noted|wrote|argued|warned)\b", text[m.span.end:m.span.end + 12]):
        return None  # the speaker of a report is not thereby a party
    if ref.kind == "leader":
        if cl.is_proxy(text, m):
            lead = index.leaders.get(ref.key)
            if lead and lead.country and lead.country in index.countries:
                return EntityRef("country", lead.country, index.countries[lead.country].name)
            return None
        return ref
    word = cl.preceding_word(text, m.span.start)
    prev = [x for x in index.mentions if m.span.start - 4 < x.span.end <= m.span.start]
    if prev and prev[-1].ref.kind == "place" and re.fullmatch(r",\s*", text[prev[-1].span.end:m.span.start]):
        return None  # "Paris, France": the country only places the city
    if cl.is_location(text, m):
        if kind == "visit" and word in ("to", "into") and ref.kind == "country":
            return ref
        return None
    after = text[m.span.end:m.span.end + 30]
    if ref.kind == "org":
        return None if re.match(r"\s+(?:headquarters|HQ|membership)\b", after) else ref
    if cl.is_topic(text, m):
        return None
    if word in ("visit", "visiting", "visited", "visits"):
        return ref  # "visit Ukraine"
    if cl.is_possessive(text, m) and not cl.acts(text, m, index):
        return None
    if m.via == "demonym" and not cl.acts(text, m, index):
        return None
    return ref


def _location(text: str, mentions: list[Mention], trig_pos: int) -> EntityRef | None:
    places = [m for m in mentions if m.ref.kind in ("place", "country") and cl.is_location(text, m)
              and (m.ref.kind == "place" or cl.preceding_word(text, m.span.start) != "to")]
    if not places:
        return None
    cities = [m for m in places if m.ref.kind == "place"]
    pool = cities or places
    return min(pool, key=lambda m: abs(m.span.start - trig_pos)).ref


def _anaphora_parties(prev: list[_Cand], index: EntityIndex, before: int) -> list[EntityRef]:
    for c in reversed(prev):
        if len(c.parties) >= 2:
            return list(c.parties)
    leaders: list[EntityRef] = []
    for m in reversed([m for m in index.mentions if m.span.end <= before and m.ref.kind == "leader"]):
        if m.ref not in leaders:
            leaders.append(m.ref)
        if len(leaders) == 2:
            break
    return leaders


def _dedup(refs: list[EntityRef]) -> list[EntityRef]:
    out: list[EntityRef] = []
    for r in refs:
        if r not in out:
            out.append(r)
    return out


_REPORTED = re.compile(r"\b(?:said|says|reported|reports|told|announced|added|stated|wrote|according|sworn in|"
                       r"took office|launched|began|started)\s+(?:\w+\s+)?$")
_RELATIVE_DAYS = re.compile(r"\b(?P<n>a|one|two|three|four|five|six|\d+) days? (?P<dir>later|earlier|before|after)\b"
                            r"|\bthe (?P<dir2>next|following|previous) day\b|\bthe day before\b|\bthe same day\b"
                            r"|\bearlier that day\b|\blater that day\b", re.I)
_SETTING = re.compile(r"\b(?:during|after|at|before|on the sidelines of|on the margins of|in) (?:the|that|this|a break in the)"
                      r" (?:visit|summit|meeting|talks|call|conference|trip|session|gathering)\b|\bon the (?:sidelines|margins)\b",
                      re.I)
_NUMS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _dates(text: str, chunk: str, base: int, pub: date | None, tense: Tense) -> list[TemporalExpr]:
    return [d for d in find_dates(chunk, pub, tense, base) if d.kind not in ("dateline", "rel_year") and d.value
            and (d.kind != "year" or re.match(r"in\b", d.text))]


def _pick_date(text: str, clause: cl.Clause, sent: Sentence, pos: int, pub: date | None,
               tense: Tense, own_clause: bool = False) -> TemporalExpr | None:
    """The date of the meeting a trigger names: after it in the clause, else at the head of clause or sentence.

    A date in the middle of the clause before the trigger usually belongs to another verb
    ("Merz, sworn in on May 6, was making his first trip"); a date after "said" dates the saying.
    """
    in_clause = _dates(text, clause.text, clause.start, pub, tense)
    said = [d for d in in_clause if _REPORTED.search(text[max(0, d.span.start - 30):d.span.start])]
    fresh = [d for d in in_clause if d not in said]
    after = [d for d in fresh if d.span.start >= pos]
    if after:
        return after[0]
    head = [d for d in fresh if d.span.start - clause.start < 30 or d.span.start - sent.start < 30]
    if head:
        return head[-1]
    if own_clause:
        return None
    in_sent = [d for d in _dates(text, sent.text, sent.start, pub, tense)
               if not _REPORTED.search(text[max(0, d.span.start - 30):d.span.start])]
    head = [d for d in in_sent if d.span.start - sent.start < 30 or d.span.start > pos]
    if head:
        return min(head, key=lambda d: abs(d.span.start - pos))
    if fresh:
        return fresh[-1]
    if tense == "past":
        said_sent = [d for d in _dates(text, sent.text, sent.start, pub, tense) if d.span.start < pos]
        return (said or said_sent or [None])[0]
    return None


def _shift(prev: TemporalExpr | None, sent: Sentence, text: str, pos: int) -> TemporalExpr | None:
    """"Two days later", "the same day", "during the visit": a date relative to the previous meeting's."""
    if prev is None or prev.value is None:
        return None
    m = _RELATIVE_DAYS.search(sent.text)
    if m is None:
        return prev if _SETTING.search(sent.text) else None
    if len(prev.value) != 10:
        return prev
    word = m.group().lower()
    n = 0
    if m.group("n"):
        n = _NUMS.get(m.group("n").lower(), 0) or int(m.group("n"))
        n = n if m.group("dir").lower() in ("later", "after") else -n
        if m.group("dir").lower() == "after" and sent.start + m.end() <= pos:
            n = -n  # "two days after <the meeting>": the meeting came first
    elif "next" in word or "following" in word:
        n = 1
    elif "previous" in word or "before" in word:
        n = -1
    d = date.fromisoformat(prev.value) + timedelta(days=n)
    return TemporalExpr(Span(sent.start + m.start(), sent.start + m.end()), m.group(), d.isoformat(), "day", "relative")


def _candidates(article: Article, index: EntityIndex) -> list[_Cand]:
    text = article.text
    pub = article.published_date
    title_end = len(article.title)
    cap_start = title_end + 2 if article.title else 0
    cap_end = cap_start + len(article.caption) if article.caption else -1
    r, c = rules(), cl.cues()
    out: list[_Cand] = []
    for sent in sentences(article):
        found = list(r.pattern.finditer(sent.text))
        if not found:
            continue
        caption = cap_start <= sent.start < cap_end
        clauses = cl.split_clauses(sent)
        sent_mentions = index.within(sent.start, sent.end)
        regions: dict[tuple[int, int], list[tuple[re.Match[str], _Trigger]]] = {}
        for m in found:
            pos = sent.start + m.start()
            clause = cl.clause_at(clauses, pos)
            before = text[clause.start:pos]
            after = text[pos + len(m.group()):clause.end]
            if r.excl_before.search(before[-30:]) or any(p.search(after) for p in r.excl_after):
                continue
            trig = _classify(m.group())
            key = (clause.start, pos if trig.kind == "weak" else -1)
            regions.setdefault(key, []).append((m, trig))
        weak_cuts = sorted(sent.start + m.start() for k, v in regions.items() for m, t in v if t.kind == "weak")
        for (cstart, _), trigs in regions.items():
            clause = next(x for x in clauses if x.start == cstart)
            if r.excl_clause.search(clause.text):
                continue
            m, trig = min(trigs, key=lambda t: _PRIORITY[t[1].kind])
            pos = sent.start + m.start()
            end = clause.end
            if trig.kind == "weak":  # "X and Y discussed plans to hold a meeting": only up to the next trigger
                later = [sent.start + x.start() for x in found if sent.start + x.start() > pos]
                end = min([e for e in later if e < clause.end] or [clause.end])
            elif weak_cuts:
                start_cut = max([w for w in weak_cuts if clause.start <= w < pos] or [clause.start])
                if start_cut > clause.start:
                    clause = cl.Clause(start_cut, clause.end, text[start_cut:clause.end])
            near = text[max(clause.start, pos - 30):pos]
            absent = re.search(r"\b(?:will|would|did|does|could) not (?:attend|join|take part)\b", text[clause.start:pos])
            if absent:  # "Trump will not attend the summit": the summit goes ahead without him
                near = text[clause.start + absent.end():pos]
            if (c.negation_clause.search(text[clause.start:end]) and not absent) or re.search(
                    r"(?:" + c.negation_near.pattern + r")\W+(?:\w+\W+){0,2}$", near, re.I):
                continue
            if re.search(r"(?:" + c.hypothetical_near.pattern + r")\W+(?:\w+\W+)?$", near, re.I):
                continue
            head = text[max(clause.start, pos - 60):pos + len(m.group())]
            fut = list(c.future.finditer(head))
            planned = trig.planned or bool(fut and not re.search(r"\bduring\b", head[fut[-1].end():]))
            status = "held" if caption else ("planned" if planned else "held")
            mentions = [x for x in index.within(clause.start, end)]
            determiner = re.search(r"\b(?:[Tt]he|[Tt]his|[Tt]hat|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts)\s+(?:[a-z][\w'-]*\s+){0,2}$",
                                   text[max(clause.start, pos - 25):pos])
            anaphoric = (bool(determiner) or trig.kind == "visit" and re.match(r"(?:attend|join|took|taking)",
                                                                                 m.group(), re.I) is not None)
            if anaphoric:  # "the summit, ..." adds only its own subject and "with X" to the earlier meeting
                stop = re.search(r"\b(?:after|when|because|since|while|that|to|which)\b", text[pos:end])
                limit = pos + stop.start() if stop else end
                mentions = [x for x in mentions if x.span.start < limit]
            if absent:
                mentions = [x for x in mentions if x.span.start > clause.start + absent.end()]
            parties = [p for x in mentions if (p := _party(text, x, index, trig.kind))]
            if not absent and not any(x.span.start < pos and _party(text, x, index, trig.kind) for x in mentions):
                parties = [p for x in cl.subject_group(text, sent_mentions)
                           if (p := _party(text, x, index, trig.kind))] + parties
            own_before = [x for x in mentions if x.span.start < pos and _party(text, x, index, trig.kind)]
            if not own_before and c.anaphora.search(text[clause.start:pos + len(m.group())]):
                parties = _anaphora_parties(out, index, sent.start) + parties
            elif not own_before and re.search(r"\b(?:[Hh]e|[Ss]he)\b", text[clause.start:pos]):
                lead = [x for x in index.mentions if x.ref.kind == "leader" and x.span.end <= pos]
                parties = [lead[-1].ref] + parties if lead else parties
            if re.search(r"\b(?:him|her)\b", text[pos:end]):
                parties += [p for x in cl.subject_group(text, sent_mentions)
                            if (p := _party(text, x, index, trig.kind))]
            tense: Tense = "future" if status == "planned" else "past"
            when = _pick_date(text, cl.Clause(clause.start, end, text[clause.start:end]), sent, pos, pub, tense,
                              own_clause=anaphoric)
            prev_date = next((x.date for x in reversed(out) if x.date), None)
            when = when or _shift(prev_date, sent, text, pos)
            if when and status == "planned" and when.value and pub and len(when.value) == 10 \
                    and when.value < pub.isoformat():
                when = None  # a plan is not dated by when it was reported
            mode = trig.mode
            if trig.kind not in ("call", "video") and r.video.search(sent.text):
                mode = "hybrid"
            elif trig.kind == "video" and re.search(r"\bfrom\s+(?:the\s+)?[A-Z]|in person", sent.text):
                mode = "hybrid"
            loc = None if mode in ("phone", "virtual") else _location(text, mentions, pos)
            if loc is None and trig.kind == "visit" and mode == "in_person":
                loc = next((x.ref for x in mentions if x.ref.kind == "country" and x.span.start > pos
                            and re.match(r"\s*(?:to\s+)?(?:the\s+)?$", text[pos + len(m.group()):x.span.start])), None)
            if loc is None and re.search(r"\bon the (?:sidelines|margins)\b", sent.text):
                loc = next((x.location for x in reversed(out) if x.location and x.kind == "summit"), None)
            cand = _Cand(_dedup(parties), sent, trig.kind, mode, status, when, loc,
                         anaphoric and (when is None or when is prev_date), trig.kind == "weak", caption)
            cand.title = sent.start < title_end
            cand.sidelines = bool(re.search(r"\bon the (?:sidelines|margins)\b", text[pos:end]))
            cand.explicit_mode = bool(r.video.search(text[clause.start:end]) or trig.kind in ("call", "video"))
            for part in _split_with(cand, text, mentions, pos, m.group(), index):
                out.append(part)
    return out


def _split_with(cand: _Cand, text: str, mentions: list[Mention], pos: int, trigger: str,
                index: EntityIndex) -> list[_Cand]:
    """"phone calls with Trump and Macron", "spoke with X and with Y": one meeting per counterpart."""
    after = [x for x in mentions if x.span.start > pos and x.ref in cand.parties]
    plural = re.search(r"(?:calls|conversations)$", trigger, re.I)
    withs = [x for x in after if cl.preceding_word(text, x.span.start) == "with"]
    if cand.kind != "call" or not (len(withs) >= 2 or (plural and len(after) >= 2)):
        return [cand]
    others = withs if len(withs) >= 2 else after
    base = [p for p in cand.parties if p not in {x.ref for x in others}]
    out = []
    for x in others:
        part = _Cand(_dedup([*base, x.ref]), cand.sentence, cand.kind, cand.mode, cand.status, cand.date,
                     cand.location, False, cand.weak, cand.caption)
        part.title, part.explicit_mode, part.sidelines = cand.title, cand.explicit_mode, True
        out.append(part)
    return out


def _country_of(ref: EntityRef, index: EntityIndex) -> str | None:
    if ref.kind == "country":
        return ref.key
    if ref.kind == "leader" and ref.key in index.leaders:
        return index.leaders[ref.key].country
    return None


def _overlap(a: list[EntityRef], b: list[EntityRef], index: EntityIndex) -> int:
    common = set(a) & set(b)
    n = len(common) + sum(1 for x in common if x.kind == "org")  # an organisation's meeting is the org's
    if n:
        return n
    ca = {_country_of(x, index) for x in a} - {None}
    cb = {_country_of(x, index) for x in b} - {None}
    return len(ca & cb)


def _compatible_dates(a: TemporalExpr | None, b: TemporalExpr | None) -> bool:
    if a is None or b is None or a.value is None or b.value is None:
        return True
    return a.value.startswith(b.value) or b.value.startswith(a.value)


def _compatible_modes(a: str, b: str) -> bool:
    return a == b or "unknown" in (a, b) or ("phone" not in (a, b))


def _absorb(into: _Cand, other: _Cand) -> None:
    into.parties = _dedup(into.parties + other.parties)
    if into.date is None or (other.date and other.date.value and into.date.value
                             and len(other.date.value) > len(into.date.value) and not into.caption):
        into.date = other.date or into.date
    into.location = into.location or other.location
    if other.explicit_mode or not other.anaphoric:
        if into.mode != other.mode and "unknown" not in (into.mode, other.mode):
            into.extra_modes.add(other.mode)
        elif into.mode == "unknown":
            into.mode = other.mode
    if into.weak and not other.weak:
        into.kind, into.weak, into.status = other.kind, False, other.status
    if into.title and not other.title:
        into.sentence, into.title, into.status = other.sentence, False, other.status


def _target(kept: list[_Cand], cand: _Cand, index: EntityIndex) -> _Cand | None:
    if cand.anaphoric and kept:
        for k in list(reversed(kept))[:3]:
            if _overlap(k.parties, cand.parties, index) or len(k.parties) <= 1 or len(cand.parties) < 2:
                if cand.mode == "phone" and k.mode not in ("phone", "virtual", "hybrid"):
                    return None
                return k
        return None  # "the expanded session" with parties of its own is not the last meeting
    for k in reversed(kept):
        if (cand.sidelines or k.sidelines) and k.kind != cand.kind:
            continue
        ov = _overlap(k.parties, cand.parties, index)
        same_sentence = k.sentence.start == cand.sentence.start
        need = 1 if min(len(k.parties), len(cand.parties)) <= 1 or same_sentence else 2
        if cand.title or k.title:
            if ov >= 1 and _compatible_dates(k.date, cand.date) and _compatible_modes(k.mode, cand.mode):
                return k
            continue
        if (ov >= need and k.status == cand.status and _compatible_dates(k.date, cand.date)
                and _compatible_modes(k.mode, cand.mode)
                and (cand.weak or k.weak or cand.date is None or k.date is None
                     or k.date.value == cand.date.value or cand.caption or k.caption)):
            return k
    return None


def _merge(cands: list[_Cand], index: EntityIndex) -> list[_Cand]:
    titles = [c for c in cands if c.title]
    kept: list[_Cand] = []
    for cand in [c for c in cands if not c.title] + titles:
        target = _target(kept, cand, index)
        if target is not None:
            _absorb(target, cand)
        else:
            kept.append(cand)
    return kept


def _final_mode(c: _Cand) -> str:
    modes = {c.mode} | c.extra_modes
    if c.mode == "hybrid" or ("virtual" in modes and "in_person" in modes):
        return "hybrid"
    return c.mode


def find_meetings(article: Article, index: EntityIndex) -> list[Meeting]:
    """The meetings the article reports or announces, merged across sentences."""
    out: list[Meeting] = []
    for c in _merge(_candidates(article, index), index):
        kinds = {p.kind for p in c.parties}
        if len(c.parties) < 2 and not ("org" in kinds and c.kind in ("summit", "meeting", "talks", "video")):
            continue
        if c.weak and len(c.parties) < 2:
            continue
        parties = list(c.parties)
        if c.location and c.location.kind == "country" and kinds == {"org"} and c.location not in parties:
            parties.append(c.location)  # an organisation meeting in a country: the host takes part
        out.append(Meeting(
            participants=parties,
            evidence=Evidence(c.sentence.text, Span(c.sentence.start, c.sentence.end)),
            date=c.date.value if c.date else None,
            date_text=c.date.text if c.date else None,
            location=c.location,
            mode=_final_mode(c) if c.kind != "weak" else "unknown",
            status=c.status,
            kind={"weak": "meeting"}.get(c.kind, c.kind),
        ))
    return out
