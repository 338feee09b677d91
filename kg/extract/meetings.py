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
from datetime import date

from kg.extract import clauses as cl
from kg.extract.dates import TemporalExpr, Tense
from kg.extract.meeting_coref import (
    anaphora_parties,
    antecedent,
    fronted_subject,
    sides_of_last_talks,
    unnamed_speaker,
)
from kg.extract.meeting_dates import dates_in, long_ago, pick_date, same_trip, shift, unresolved
from kg.extract.meeting_merge import Candidate, country_of, drop_subsumed, final_mode, merge
from kg.extract.meeting_parties import party, setting_orgs
from kg.extract.meeting_place import TRAVEL, city_of, here, host, location, on_trip
from kg.extract.meeting_roster import add_attendees
from kg.extract.meeting_rules import PRIORITY, Trigger, classify, rules
from kg.extract.meeting_split import split_with
from kg.extract.text import sentences
from kg.model import Article, EntityIndex, EntityRef, Evidence, Meeting, Span, unique

#: "a call scheduled for Monday": the meeting word's own plan
#: "the summit is scheduled for", "the EU-China summit will be held in Beijing": the meeting is still to come
_SCHEDULED = re.compile(r"\s+(?:is\s+|was\s+)?(?:scheduled|planned|set)\s+for\b"
                        r"|(?:\s+(?!will\b)[\w'’-]+){0,4}?\s+(?:will|(?:is|are)\s+(?:due|set|scheduled|expected)\s+to)"
                        r"\s+(?:be\s+held|take\s+place|open|begin|start|convene)\b")
_SIDELINES = re.compile(r"\s+on the (?:sidelines|margins)\b")
#: "met Y on the sidelines of the NATO summit": the summit is only where the meeting happened
_AS_SETTING = re.compile(r"\b(?:on|at|in)\s+the\s+(?:sidelines|margins|fringes?)\s+of\s+(?:(?:the|this|a|an)\s+)?"
                         r"(?:[\w.'’-]+\s+){0,5}\Z", re.I)
#: "held talks via video link": the video is the meeting's own form, not one party's way in
_OWN_VIDEO = re.compile(r"\s+(?:(?:with|between)\s+[^,;]{0,60}?\s+)?(?:on\s+\w+\s+)?"
                        r"(?:(?:via|by|over|through)\s+(?:an?\s+)?)?\Z")
#: "attended by X", "attend alongside X": a bare attendance verb that names who else was there
_JOINED_BY = re.compile(r"\s+(?:by|alongside|along with|together with)\b")
_ON_SIDELINES = re.compile(r"\bon the (?:sidelines|margins)\b")
#: "…, and then met B", "…, later met B": a clause telling the next meeting
_SEQUEL = re.compile(r"\s*[,;]?\s*(?:and\s+)?(?:then|later|afterwards|subsequently)\b")
#: "On the margins, X met Y": a meeting of its own beside the event just told
_OPENS_ON_SIDELINES = re.compile(r"\s*(?:On|At|Also)\s+(?:on\s+)?the\s+(?:sidelines|margins|fringes?)\b")
#: "ahead of the SCO summit", "on the eve of the talks": the words before a meeting that is still to come
_BEFORE_EVENT = re.compile(r"\b(?:ahead of|in the run-up to|on the eve of|precedes)\s+(?:the\s+|an?\s+)?"
                           r"(?:[\w'’()-]+\s+){1,6}$", re.I)

_PURPOSE = re.compile(r"\b(?:for|to attend|to participate in|to take part in)\s+(?:the\s+|an?\s+)?"
                      r"(?:[\w'’()-]+\s+){0,6}$", re.I)


def _candidates(article: Article, index: EntityIndex) -> list[Candidate]:
    text = article.text
    pub = article.published_date
    title_end = len(article.title)
    # a wire story's "title" is its lead sentence: a headline is short and has no full stop
    headline = len(article.title) < 160 and not article.title.rstrip().endswith(".")
    cap_start = title_end + 2 if article.title else 0
    cap_end = cap_start + len(article.caption) if article.caption else -1
    r, c = rules(), cl.cues()
    out: list[Candidate] = []
    last_dated: TemporalExpr | None = None  # the date of the latest candidate that has one
    last_trip: tuple[Candidate, int] | None = None  # the latest trip and where its word ends
    for sent in sentences(article):
        found = list(r.pattern.finditer(sent.text))
        if not found or r.excl_sentence.search(sent.text):
            continue
        caption = cap_start <= sent.start < cap_end
        clauses = cl.split_clauses(sent)
        sent_mentions = index.within(sent.start, sent.end)
        by_clause: dict[int, list[tuple[re.Match[str], Trigger]]] = {}
        for m in found:
            pos = sent.start + m.start()
            clause = cl.clause_at(clauses, pos)
            before = text[clause.start:pos]
            after = text[pos + len(m.group()):clause.end]
            ex = r.excl_before.search(before[-30:])
            named = ex is not None and any(x.ref.kind == "org" and x.span.start >= pos - len(before[-30:]) + ex.start()
                                           for x in sent_mentions if x.span.end <= pos)
            # "flew to Washington ahead of a meeting with Trump": a meeting introduced, with its party
            named = named or bool(ex and re.search(r"\bahead of\s+an?\s+$", before) and re.match(r"\s+with\b", after))
            if (ex and not named) or any(p.search(after) for p in r.excl_after):
                continue  # "ahead of the summit" points back; "ahead of the BRICS summit" names one
            by_clause.setdefault(clause.start, []).append((m, classify(m.group())))
        jobs: list[tuple[cl.Clause, re.Match[str], Trigger, bool]] = []
        whole_start: dict[int, int] = {}
        clause_trigs: dict[int, list[tuple[re.Match[str], Trigger]]] = {}
        for cstart, trigs in by_clause.items():
            whole = next(x for x in clauses if x.start == cstart)
            if r.excl_clause.search(whole.text):
                continue
            clusters = _clusters(text, sent.start, trigs, index)
            bounds = [sent.start + cl_[0][0].start() for cl_ in clusters[1:]] + [whole.end]
            lo = whole.start
            picked: list[tuple[cl.Clause, re.Match[str], Trigger, bool]] = []
            for cluster, hi in zip(clusters, bounds, strict=True):
                m, trig = min(cluster, key=lambda t: PRIORITY[t[1].kind])
                pos = sent.start + m.start()
                ana = _is_anaphoric(text, lo, pos, m.group(), trig)
                strong = [i for i, x in enumerate(picked) if x[2].kind != "weak"]
                if strong and re.search(r"\b(?:(?:in|during|at)\s+(?:a|an|the|separate|their|two)?\s*|followed by\s+"
                                        r"|for\s+further\s+)(?:[a-z-]+\s+)?$",
                                        text[max(lo, pos - 30):pos]) \
                        and not _SIDELINES.match(text, sent.start + cluster[-1][0].end()):
                    # ("during a meeting on the sidelines of the summit" is a meeting of its own)
                    # "held talks ... in separate meetings": the phrase describes the meeting already named
                    first = picked[strong[-1]]
                    if PRIORITY[trig.kind] < PRIORITY[first[2].kind]:  # the meeting keeps its place, takes the kind
                        picked[strong[-1]] = (cl.Clause(first[0].start, hi, text[first[0].start:hi]), first[1], trig,
                                              first[3])
                    lo = sent.start + cluster[-1][0].end()
                    continue
                picked.append((cl.Clause(lo, hi, text[lo:hi]), m, trig, ana))
                whole_start[lo], clause_trigs[lo] = whole.start, trigs
                lo = sent.start + cluster[-1][0].end()
            if any(not a and t.kind != "weak" for _, _, t, a in picked):
                # (", attended by X", "which he will attend alongside X" stay: they add parties to the meeting;
                # so does "X told Y during their call" before a later "... supports peace talks")
                own_at = next(i for i, (_, _, t, a) in enumerate(picked) if not a and t.kind != "weak")
                picked = [x for i, x in enumerate(picked) if not x[3] or x[2].kind == "weak"
                          or (_bare(x[1].group(), x[2]) and _JOINED_BY.match(sent.text, x[1].end()))
                          or (i < own_at and _own_parties(text, x[0], sent.start + x[1].start(), index))]
            jobs.extend(picked)
        for clause, m, trig, anaphoric in jobs:
            pos = sent.start + m.start()
            end = clause.end
            near = text[max(clause.start, pos - 30):pos]
            absent = re.search(r"\b(?:will|would|did|does|could) not (?:attend|join|take part)\b",
                               text[clause.start:pos])
            if absent:  # "Trump will not attend the summit": the summit goes ahead without him
                near = text[clause.start + absent.end():pos]
            if (c.negation_clause.search(text[clause.start:end]) and not absent) or re.search(
                    r"(?:" + c.negation_near.pattern + r")\W+(?:\w+\W+){0,2}$", near, re.I):
                continue
            if re.search(r"(?:" + c.hypothetical_near.pattern + r")\W+(?:\w+\W+)?$", near, re.I):
                continue
            said = _after_quote(text, clause.start, pos, index)  # (what a leader is reported saying: no plan)
            head = text[max(whole_start[clause.start], said or 0, pos - 160):pos + len(m.group())]
            fut = list(c.future.finditer(head))
            planned = trig.planned or bool(fut and not re.search(r"\bduring\b", head[fut[-1].end():]))
            planned = planned or any(t.planned for x, t in clause_trigs[clause.start] if sent.start + x.start() <= pos)
            # "will travel to Tianjin for the SCO summit": the trip and what it is for are one event
            trip = last_trip[0] if last_trip and clause.start <= last_trip[1] <= pos <= last_trip[1] + 80 \
                and _PURPOSE.search(text, last_trip[1], pos) else None
            # "hours ahead of the SCO summit, X met Y": the summit is an event of its own, and one something
            # happens ahead of ("grateful for the input ahead of his meeting with Trump") is still to come
            ahead = bool(_BEFORE_EVENT.search(text[max(clause.start, pos - 70):pos]))
            planned = planned or (not anaphoric and ahead) or bool(_SCHEDULED.match(text, pos + len(m.group())))
            status = "held" if caption else ("planned" if planned else "held")
            mentions = [x for x in index.within(clause.start if said is None else said, end)]
            if anaphoric:  # "the summit, ..." adds only its own subject and "with X" to the earlier meeting
                stop = re.search(r"\b(?:after|when|because|since|while|that|to|which)\b", text[pos:end])
                limit = pos + stop.start() if stop else end
                mentions = [x for x in mentions if x.span.start < limit]
            if absent:
                mentions = [x for x in mentions if x.span.start > clause.start + absent.end()]
            as_party = [(x, party(text, x, index, trig.kind)) for x in mentions]  # each mention asked once
            parties = [p for _, p in as_party if p]
            own_before = [x for x, p in as_party if x.span.start < pos and p]
            if not absent and not own_before:
                parties = [p for x in cl.subject_group(text, [y for y in sent_mentions if y.span.start < pos])
                           if (p := party(text, x, index, trig.kind))] + parties
                # "… for President A, who came to power in May and made a state visit to Beijing": A did
                parties = [x.ref for x in antecedent(text, whole_start[clause.start], sent_mentions)] + parties
            group = c.anaphora.search(text[clause.start:pos + len(m.group())])
            if group is None and not own_before and all(x.ref.kind == "place" for x in index.within(sent.start, pos)):
                # "The two leaders discussed Gaza and agreed to meet": the sentence's subject, a clause before
                group = c.anaphora.match(text[sent.start:pos])
                group = group if group and re.search(r"\band\b", text[sent.start + group.end():pos]) else None
            if not own_before and group:
                parties = anaphora_parties(out, index, sent.start, group.group()) + parties
            elif not own_before and re.search(r"\b(?:[Hh]e|[Ss]he)\b", text[clause.start:pos]):
                lead = [x for x in index.mentions if x.ref.kind == "leader" and x.span.end <= pos]
                parties = [lead[-1].ref, *parties] if lead else parties
            if re.search(r"\b(?:him|her)\b", text[pos:end]):
                parties += [x.ref for x in cl.subject_group(text, sent_mentions) if x.ref.kind == "leader"]
            if not anaphoric:
                parties = unnamed_speaker(parties, sent, sent_mentions, index) + parties
                parties += fronted_subject(text, sent, pos, mentions)
            forms = [(x.ref, form) for x in mentions if x.span.start > pos and (form := cl.conflict_side(text, x))] \
                if re.search(r"\b(?:between|with|against|on)\b", text[pos:end]) else []
            sides = {ref for ref, _ in forms}
            # "the war against Ukraine", "the peace process with X": never a party, even the only one named
            never = {ref for ref, form in forms if form == "object"}
            if not _AS_SETTING.search(text, max(clause.start, pos - 80), pos):
                never |= setting_orgs(text, mentions)  # "a bilateral summit on the margins of the NATO summit"
            if sides and (trig.kind == "summit" or any(p not in sides for p in parties)):
                parties = [p for p in parties if p not in sides]  # "met X to discuss the war between A and B"
            parties = [p for p in parties if p not in never]
            if trig.continues and len({country_of(p, index) or p.key for p in parties}) < 2:
                parties = unique(parties + sides_of_last_talks(out, index, "bilateral" in m.group().lower()))
            official = {x.ref for x in mentions if x.via == "official"}
            if official and len({country_of(p, index) or p.key for p in parties}) < 2:
                parties = [p for p in parties if p not in official]  # "Vance and Rubio attended": one side
            tense: Tense = "future" if status == "planned" else "past"
            when = pick_date(text, cl.Clause(clause.start, end, text[clause.start:end]), sent, pos, pub, tense,
                              own_clause=anaphoric, period=article.period)
            prev_date = last_dated
            if when is None and pub is None and prev_date and prev_date.value and len(prev_date.value) == 10:
                # no publication day: "on Thursday" is read against the day the story last dated ("Friday
                # (July 4)" makes it July 3); only a weekday, nothing else is guessed from that day
                try:
                    anchored = pick_date(text, cl.Clause(clause.start, end, text[clause.start:end]), sent, pos,
                                         date.fromisoformat(prev_date.value), tense, own_clause=anaphoric)
                except (OverflowError, ValueError):  # a day at the calendar's ends: no day before or after it
                    anchored = None
                when = anchored if anchored is not None and anchored.kind == "weekday" else None
            vague = when is None and unresolved(text[clause.start:end], clause.start, pub, tense, article.period)
            if when is None and not vague:
                other = [d for d in dates_in(text, sent.text, sent.start, pub, tense, article.period)
                         if len(d.value or "") == 10]
                when = shift(prev_date, sent, text, pos, other[0] if other and anaphoric else None)
            if when and re.match(r"(?:later|next|the coming|the next few|tomorrow)", when.text, re.I):
                status = "planned"
            if when and status == "planned" and when.value and pub and when.value < pub.isoformat()[:len(when.value)]:
                when = None  # a plan is not dated by when it was reported, nor by a year gone ("set up in 2022")
            if when and when.value and pub and when.value[:len(when.value)] > pub.isoformat()[:len(when.value)]:
                status = "planned"  # dated after publication: it cannot have happened yet
            mode = trig.mode
            video_cue = trig.kind not in ("call", "video") and r.video.search(sent.text)
            own = r.video.search(text, pos + len(m.group()), sent.end) if video_cue else None
            if own and _OWN_VIDEO.fullmatch(text, pos + len(m.group()), own.start()) \
                    and not re.search(r"\b(?:join|participat|attend|took part|take part)", text[pos:own.start()]):
                mode = "virtual"  # "held talks via video link", "met virtually"
            elif video_cue or (trig.kind == "video" and r.in_person.search(sent.text)):
                mode = "hybrid"
            loc = None if mode in ("phone", "virtual") or trig.kind == "weak" else location(
                text, [x for x, p in as_party if x.ref.kind != "place" or p is None], pos)  # not "from Moscow and Kyiv"
            if loc is None and trig.kind == "visit" and mode == "in_person":
                loc = next((x.ref for x in sent_mentions if x.ref.kind == "country" and x.span.start > pos
                            and re.match(r"\s*(?:to\s+)?(?:the\s+)?$", text[pos + len(m.group()):x.span.start])), None)
            borrowed = loc is None and bool(_ON_SIDELINES.search(sent.text))
            if borrowed:  # the place of the summit told last, unless this sentence names its own (below)
                loc = next((x.location for x in reversed(out) if x.location and x.kind == "summit"), None)
            cand = Candidate(unique(parties), sent, trig.kind, mode, status, when, loc,
                         anaphoric and (when is None or when is prev_date), trig.kind == "weak", caption)
            cand.title = sent.start < title_end and headline
            cand.long_ago = long_ago(when, status, pub)
            cand.sequel = bool(_SEQUEL.match(text, clause.start))
            cand.bare = anaphoric and _bare(m.group(), trig)
            cand.continues = trig.continues
            cand.travel = trig.kind == "visit" and bool(TRAVEL.match(m.group()))
            cand.setting = bool(_AS_SETTING.search(text, max(clause.start, pos - 80), pos))
            cand.sidelines = bool(_ON_SIDELINES.search(text, pos, end) or _OPENS_ON_SIDELINES.match(text, sent.start)
                                  or re.search(r"\bseparate\s+$", text[max(clause.start, pos - 12):pos])
                                  or ahead)
            cand.explicit_mode = bool(r.video.search(text[clause.start:end]) or trig.kind in ("call", "video"))
            cand.borrowed, cand.vague = borrowed, vague
            if cand.setting and loc is not None and not borrowed:  # "met Y on the sidelines of the summit in Rio"
                for x in reversed(out):  # (the candidates of this sentence are the last ones)
                    if x.sentence.start != sent.start:
                        break
                    if x.sidelines and x.mode == "in_person" and (x.location is None or x.borrowed):
                        x.location = loc
            if trip is not None and trig.kind in ("summit", "meeting"):
                trip.parties, trip.kind = unique(trip.parties + cand.parties), trig.kind
                trip.location = trip.location or cand.location
                continue
            for part in split_with(cand, text, mentions, pos, m.group(), index):
                out.append(part)
                last_dated = part.date or last_dated
            last_trip = (cand, pos + len(m.group())) if cand.travel else last_trip
    return out


#: "…, Prime Minister X told President Y in a call": the speaker, then the verb that reports the words before it
_REPORTED_BY = re.compile(r"\s+(?:told|said|assured|informed)\b")


def _after_quote(text: str, start: int, pos: int, index: EntityIndex) -> int | None:
    """Where the meeting's own words start: after "France will send troops," when a leader named after the
    comma reports it in the same breath as the meeting ("…, Macron told Starmer in a call"); the countries of
    what was said are no parties."""
    for x in reversed(index.within(start, pos)):
        verb = _REPORTED_BY.match(text, x.span.end)
        if x.ref.kind == "leader" and verb and pos - verb.end() < 80 and "," not in text[verb.end():pos] \
                and re.search(r",\s*(?:the\s+)?$", text[max(start, x.span.start - 8):x.span.start]):
            return x.span.start
    return None


def _clusters(text: str, base: int, trigs: list[tuple[re.Match[str], Trigger]],
              index: EntityIndex) -> list[list[tuple[re.Match[str], Trigger]]]:
    """Triggers of one clause grouped into meetings: "joined a video conference hosted by" is one,
    "met Stubb during his visit" two (a party stands between); a weak trigger stands alone."""
    out: list[list[tuple[re.Match[str], Trigger]]] = []
    for m, trig in sorted(trigs, key=lambda t: t[0].start()):
        if out:
            last_m, last_t = out[-1][-1]
            gap_start, gap_end = base + last_m.end(), base + m.start()
            parties_between = [x for x in index.within(gap_start, gap_end) if x.ref.kind != "place"]
            if (not parties_between and gap_end - gap_start <= 40 and "weak" not in (trig.kind, last_t.kind)):
                out[-1].append((m, trig))
                continue
        out.append([(m, trig)])
    return out


#: a sentence opening on a pronoun for the event: "It was co-hosted by", "This was attended by"
_EVENT_PRONOUN = re.compile(r"\s*(?:It|This)\s+(?:was|is|will be|has been|had been)\s+(?:(?:also|jointly)\s+)?")


def _is_anaphoric(text: str, lo: int, pos: int, trigger: str, trig: Trigger) -> bool:
    """"the summit", "that meeting", "his first trip", a bare "attended": a meeting named before."""
    before = text[max(lo, pos - 25):pos]
    if re.search(r"\b(?:[Tt]he|[Tt]his|[Tt]hat)\s+(?!(?:first|next|second|new|own)\b)"
                 r"(?:(?!(?:and|or)\s)[a-z][\w'’-]*\s+){0,2}$", before) \
            or re.search(r"\bsuch\s+(?:[a-z][\w'-]*\s+)?$", before) \
            or re.search(r"\b(?:to|for|at) which\s+(?:[a-z]+\s+){0,2}$", before):
        return True  # "the summit", "the first such meeting", "a meeting, to which he also invited X"
    if _EVENT_PRONOUN.fullmatch(text, lo, pos):
        return True  # "It was co-hosted by X and Y": the event told in the sentence before
    # "his inaugural visit", "her two-day trip" introduce a visit; "his talks" refer back
    return bool(re.search(r"\b(?:[Hh]is|[Hh]er|[Tt]heir|[Ii]ts)\s+(?!(?:first|next|second|new|own|inaugural|maiden"
                          r"|surprise|unannounced|upcoming|planned|\w+-day)\b)(?:[a-z][\w'-]*\s+){0,2}$", before)) \
        or _bare(trigger, trig)


def _own_parties(text: str, clause: cl.Clause, pos: int, index: EntityIndex) -> bool:
    """"X told Y during their phone call": two people named in the clause before "their" meeting word."""
    return sum(x.ref.kind == "leader" for x in index.within(clause.start, pos)) >= 2 \
        and re.search(r"\btheir\s+(?:[\w-]+\s+){0,2}$", text[max(clause.start, pos - 30):pos]) is not None


def _bare(trigger: str, trig: Trigger) -> bool:
    """"attended", "joined by video": a verb without an object of its own joins the previous meeting."""
    if trig.kind == "video" and re.match(r"join", trigger, re.I):
        return True
    return trig.kind == "visit" and re.match(r"(?:attend|join|took|taking)", trigger, re.I) is not None


def _lead_end(article: Article, n: int = 2) -> int:
    """Where the lead ends: the title and the first ``n`` sentences of the body."""
    body = [s for s in sentences(article) if s.start >= len(article.title)]
    return body[min(n, len(body)) - 1].end if body else 0


def find_meetings(article: Article, index: EntityIndex) -> list[Meeting]:
    """The meetings the article reports or announces, merged across sentences."""
    out: list[Meeting] = []
    lead = _lead_end(article)
    lead_dates: list[tuple[list[EntityRef], str]] = []  # the lead's dated events: their parties and day
    merged = add_attendees(merge(_candidates(article, index), index), article, index)
    for c in merged:
        parties = list(c.parties)
        if c.location is None and c.mode == "in_person":
            c.location = on_trip(c, merged, index) or here(c, article, index)
        if c.travel and c.location:
            parties += host(c.location, parties, index)
        kinds = {p.kind for p in parties}
        if len(parties) < 2 and not ("org" in kinds and c.kind in ("summit", "meeting", "talks", "video")):
            continue
        if (c.weak and len(parties) < 2) or c.setting:
            continue  # a summit named only as the setting of another meeting is not reported as such
        if c.location and c.location.kind == "country" and kinds == {"org"} and c.location not in parties:
            parties.append(c.location)  # an organisation meeting in a country: the host takes part
        date = c.date.value if c.date else None
        if date is None and c.status == "held" and c.first < lead and article.published_date and not c.vague:
            date = article.published_date.isoformat()  # the lead's event, told undated: a same-day report
        if date is None and c.status == "held" and c.first >= lead and article.published_date:
            date = same_trip(parties, lead_dates)  # the lead leader's other talks on that trip
        if c.first < lead and date and len(date) == 10:
            lead_dates.append((parties, date))
        out.append(Meeting(
            participants=parties,
            evidence=Evidence(c.sentence.text, Span(c.sentence.start, c.sentence.end)),
            date=date,
            date_text=c.date.text if c.date else None,
            location=city_of(c, index, article.text),
            mode=final_mode(c) if c.kind != "weak" else "unknown",
            status=c.status,
            kind={"weak": "meeting"}.get(c.kind, c.kind),
        ))
    return drop_subsumed(out, index)
