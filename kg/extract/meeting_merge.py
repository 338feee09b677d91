"""Merging the mentions of one meeting: headline, caption and body, or several sentences.

Two mentions are one meeting when their parties overlap and date, mode, status and
place agree; "the summit" or a bare "attended" joins the meeting named just before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.extract.dates import TemporalExpr
from kg.extract.text import Sentence
from kg.model import EntityIndex, EntityRef, Meeting, unique


@dataclass
class Candidate:
    """One mention of a meeting, before mentions of the same meeting are merged."""

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
    split: bool = False  # one of several calls named together: never merged back
    bare: bool = False
    travel: bool = False  # a visit, trip or arrival: its host takes part
    setting: bool = False  # named only as where another meeting happened ("on the sidelines of the summit")
    borrowed: bool = False  # its place is that of a summit told before ("on the sidelines", no place of its own)
    vague: bool = False  # dated by words with no one day or month ("over the weekend" across two months)
    first: int = -1  # where the earliest mention of the meeting starts
    continues: bool = False  # "talks will continue": further talks, never the ones just told
    long_ago: bool = False  # held on a day told, weeks before the article: never the undated event it reports
    sequel: bool = False  # "met A, and then met B": a meeting after the one its sentence told first
    starts: set[int] = field(default_factory=set)  # where the sentences of its mentions start

    def __post_init__(self) -> None:
        if self.first < 0:
            self.first = self.sentence.start
        self.starts.add(self.sentence.start)


def country_of(ref: EntityRef, index: EntityIndex) -> str | None:
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
    ca = {country_of(x, index) for x in a} - {None}
    cb = {country_of(x, index) for x in b} - {None}
    both_leaders = all(any(x.kind == "leader" for x in side) for side in (a, b))
    return len(ca & cb) if not both_leaders or len(ca & cb) >= 2 else 0


def _compatible_dates(a: TemporalExpr | None, b: TemporalExpr | None) -> bool:
    if a is None or b is None or a.value is None or b.value is None:
        return True
    return a.value.startswith(b.value) or b.value.startswith(a.value)


def _compatible_modes(a: str, b: str) -> bool:
    return a == b or "unknown" in (a, b) or ("phone" not in (a, b))


def _compatible(k: Candidate, c: Candidate, index: EntityIndex) -> bool:
    """A call is not the visit it happened during; a video conference is not the trip; Egypt is not Israel."""
    if not _compatible_modes(k.mode, c.mode):
        return False
    if k.location and c.location and k.location != c.location:
        where = {x.key if x.kind == "country" else (index.places[x.key].country if x.key in index.places else x.key)
                 for x in (k.location, c.location)}
        if len(where) > 1 or (k.location.kind == c.location.kind == "place"):
            return False
    kinds = {k.kind, c.kind}
    if "video" in kinds and "visit" in kinds:
        return False
    return not ("call" in kinds and len(kinds) > 1 and "weak" not in kinds)


def _absorb(into: Candidate, other: Candidate) -> None:
    into.parties = unique(into.parties + other.parties)
    into.starts |= other.starts
    if into.date is None or (other.date and other.date.value and into.date.value
                             and len(other.date.value) > len(into.date.value) and not into.caption):
        into.date = other.date or into.date
    into.location = into.location or other.location
    into.vague = into.vague and other.vague
    into.travel = into.travel or other.travel
    into.setting = into.setting and other.setting
    into.first = min(into.first, other.first)
    if other.explicit_mode or not other.anaphoric:
        if into.mode != other.mode and "unknown" not in (into.mode, other.mode):
            into.extra_modes.add(other.mode)
        elif into.mode == "unknown":
            into.mode = other.mode
    if into.weak and not other.weak:
        into.kind, into.weak, into.status = other.kind, False, other.status
    if into.title and not other.title:
        into.sentence, into.title, into.status = other.sentence, False, other.status


def _target(kept: list[Candidate], cand: Candidate, index: EntityIndex) -> Candidate | None:
    if not cand.parties and not cand.title and not cand.anaphoric and kept:
        # "Following five hours of negotiations, ...": a meeting word with no party tells more of the last one
        k = next((k for k in reversed(kept) if not k.setting), kept[-1])  # not a summit named as a setting
        same = bool(k.parties) and k.status == cand.status and _compatible_dates(k.date, cand.date)
        return k if same and _compatible(k, cand, index) else None
    if cand.anaphoric and kept:
        if cand.bare:
            return kept[-1]
        if cand.continues:
            return next((k for k in reversed(kept[-3:]) if k.status == cand.status), None)
        near = [k for k in list(reversed(kept))[:3] if not k.setting  # "the meeting between the two leaders"
                and (_overlap(k.parties, cand.parties, index) or len(k.parties) <= 1 or len(cand.parties) < 2)
                and not (cand.mode == "phone" and k.mode not in ("phone", "virtual", "hybrid"))]  # "the call"
        if cand.kind == "summit" and (gatherings := [k for k in near if k.kind == "summit" or _orgs(k)
                                                     or len(k.parties) >= 3]):
            near = gatherings  # "used the summit to announce": the summit told, not a bilateral told since
        # "thanked the host for the talks": the meeting held, not the further talks just agreed
        return next((k for k in near if k.status == cand.status), near[0] if near else None)
    if cand.title:  # a headline names the article's best-matching meeting
        fits = [(_overlap(k.parties, cand.parties, index), -i, k) for i, k in enumerate(kept)
                if _compatible_dates(k.date, cand.date) and _compatible_modes(k.mode, cand.mode)
                and (cand.status == "held" or k.status == cand.status)]
        best = max(fits, key=lambda t: (t[0], t[1]), default=None)
        return best[2] if best and best[0] >= 1 else None
    for k in reversed(kept):
        # a plan told twice with the same parties ("ahead of his summit with Trump", "his meeting with Trump")
        # (or once with fewer parties: "ahead of Modi's trip for the SCO summit" ... "Modi will travel to China
        # for the SCO summit")
        small, large = sorted((set(k.parties), set(cand.parties)), key=len)
        same_plan = k.status == cand.status == "planned" and len(small) >= 2 and small <= large
        if ((cand.sidelines or k.sidelines) and k.kind != cand.kind and not same_plan) or cand.split or k.split:
            continue
        ov = _overlap(k.parties, cand.parties, index)
        if _org_summit(k) and _within_sides(cand, k, index):
            ov = max(ov, 2)  # "the EU-China summit ... after meeting Xi and Li": the Chinese side's leaders
        # a summit told in one sentence as "co-chaired the summit with X, attended by Y and Z"
        same_sentence = k.sentence.start == cand.sentence.start or (
            cand.sentence.start in k.starts and k.kind == cand.kind == "summit")
        need = 1 if min(len(k.parties), len(cand.parties)) <= 1 or same_sentence else 2
        if cand.title or k.title:
            continue
        # one summit told as previewed and as held; a dated plan ("next year's summit, in July") is another one
        same_summit = (_org_summit(k) and _org_summit(cand) and bool(_orgs(k) & _orgs(cand))
                       and not any(x.status == "planned" and x.date is not None for x in (k, cand)))
        if cand.sequel and k.sentence.start == cand.sentence.start and set(cand.parties) - set(k.parties):
            cand.date, cand.location = cand.date or k.date, cand.location or k.location
            continue  # "held talks with A in Beirut, and then met B": two meetings, the same day and place
        if (k.date is None and cand.long_ago) or (cand.date is None and k.long_ago):
            continue  # "the summit" reported today and "their first meeting, on Nov. 30 last year"
        if (ov >= need and (k.status == cand.status or same_summit) and _compatible_dates(k.date, cand.date)
                and _compatible(k, cand, index)
                and (cand.weak or k.weak or cand.date is None or k.date is None
                     or k.date.value == cand.date.value or cand.caption or k.caption)):
            return k
    return None


def _orgs(c: Candidate) -> set[EntityRef]:
    return {p for p in c.parties if p.kind == "org"}


def _org_summit(c: Candidate) -> bool:
    """An organisation's summit is one event however an article tells it: previewed, opened, held."""
    return c.kind == "summit" and bool(_orgs(c))


def _within_sides(cand: Candidate, summit: Candidate, index: EntityIndex) -> bool:
    """Every party of ``cand`` is a leader of a country that is a side of ``summit`` (named as a country)."""
    sides = {p.key for p in summit.parties if p.kind == "country"}
    return bool(cand.parties) and all(p.kind == "leader" and country_of(p, index) in sides for p in cand.parties)


def merge(cands: list[Candidate], index: EntityIndex) -> list[Candidate]:
    titles = [c for c in cands if c.title]
    kept: list[Candidate] = []
    for cand in [c for c in cands if not c.title] + titles:
        # "X discussed this ..." with one party is no meeting of its own and takes in none
        target = _target([k for k in kept if not (k.weak and len(k.parties) < 2)], cand, index)
        if target is not None:
            _absorb(target, cand)
            continue
        if cand.anaphoric and kept and cand.status == kept[-1].status:
            # "the expanded session" with parties of its own: another part of the event just told
            cand.date = cand.date or kept[-1].date
            cand.location = cand.location or kept[-1].location
        kept.append(cand)
    return kept


def final_mode(c: Candidate) -> str:
    modes = {c.mode} | c.extra_modes
    if c.mode == "hybrid" or ("virtual" in modes and "in_person" in modes):
        return "hybrid"
    return c.mode




def _covered(p: EntityRef, by: list[EntityRef], index: EntityIndex) -> bool:
    """``p`` is in ``by``, or is the country of a leader in ``by`` ("Russia" beside "Putin")."""
    return p in by or (p.kind == "country" and any(country_of(x, index) == p.key for x in by if x.kind == "leader"))


def _subsumed(a: Meeting, b: Meeting, index: EntityIndex) -> bool:
    """``a`` tells less of ``b``: the same sides, status, way of meeting and date (``b``'s may be finer)."""
    if a.status != b.status or len(a.participants) > len(b.participants):
        return False
    if ("phone" in (a.mode, b.mode)) and a.mode != b.mode:
        return False
    if not (a.date and b.date and b.date.startswith(a.date)):
        return False  # undated, "met Putin" twice may be two meetings
    if a.location and b.location and a.location != b.location:
        return False
    if _sides(a.participants, index) != _sides(b.participants, index):
        return False  # the talks of two leaders are not the summit both attended
    return all(_covered(p, b.participants, index) for p in a.participants)


def _sides(parties: list[EntityRef], index: EntityIndex) -> set[str]:
    return {country_of(p, index) or p.key for p in parties}


def drop_subsumed(meetings: list[Meeting], index: EntityIndex) -> list[Meeting]:
    """"Xi and Trump met in Busan on Friday" then "in October China and the US held talks": a mention of the
    same sides on the same or a coarser date is the same meeting, told more vaguely."""
    out: list[Meeting] = []
    for i, a in enumerate(meetings):
        into = next((b for j, b in enumerate(meetings) if j != i
                     and _subsumed(a, b, index) and not (_subsumed(b, a, index) and j > i)), None)
        if into is None:
            out.append(a)
        else:
            into.location = into.location or a.location
    return out
