"""Pledges: a country or organisation committing to provide something.

A pledge is a promise ("will send", "is ready to deploy", "committed to provide"), a pledging verb
("pledged €300 million"), a passive with its giver ("was provided by the United States"), a
present-tense plan ("Norway is allocating €7.8 billion") or a noun with its givers ("pledges from
Norway and France", "€300 million from Germany"), with a giver we can name. Refusals, hedges
("considering", "expected to"), modal hypotheticals and unattributed totals are not pledges.
Triggers, types and amount units are in ``kg/data/pledge_triggers.toml``; the forms beyond the
plain promise are in ``kg/extract/pledge_forms.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from kg.extract import clauses as cl
from kg.extract import pledge_forms as pf
from kg.extract.dates import find_dates
from kg.extract.pledge_kinds import classify, find_amount, hostile, kind_of, parts, pledges_for, rules, typed_head
from kg.extract.text import Sentence, sentences
from kg.link import org_ref
from kg.model import Article, EntityIndex, EntityRef, Evidence, Mention, Organization, Pledge, Span, unique

_GROUP_NOUNS = re.compile(r"\b(?:countries|members|partners|allies|leaders|nations|states|participants|donors"
                          r"|governments|coalition)\b", re.I)
_PCT = re.compile(r"\d\s?(?:%|percent\b|per cent\b)")
_SUBJECT_GAP = re.compile(r"\s+(?:(?:has|have|had|also|now|today|jointly|formally|on \w+day)\s+)*")
_TO_VERB = re.compile(r"\s*to\s+(?!(?:the|a|an|its|their|his|her|this|these|those|each|all|both|other)\b)[a-z]")
_THAT = re.compile(r"\s+that\b")
_NOT = re.compile(r"\b(?:not|never|no|n't|neither)\b", re.I)
_MODAL_END = re.compile(r"\b(?:to|would|could|should)\s+$")
_HEDGE_VERB = re.compile(r"\b(?:considering|mulling|weighing|open to|exploring|preparing to)\b", re.I)
_JOIN = re.compile(r"\bjoin\b|\bbe part of\b", re.I)
_QUALIFIES = re.compile(r"\s+(?!(?:and|or|with|to|for|in|on|by|as|at|from|of|over|under|its|their|this|that|"
                        r"which|who|is|are|was|were|has|have|had|will|would)\b)[A-Za-z]")
_GIVING = re.compile(r"\b(?:committing|contributing)\b", re.I)
_ASIDE = re.compile(r",\s+(?:emphasi[sz]ing|saying|adding|noting|stressing|calling|citing|according to|aspiring"
                    r"|aiming|hoping|as mandated|which|who)\b|,\s+(?:[\w.'’-]+\s+){1,5}?(?:said|says|told|reported)\b",
                    re.I)


def _country(ref: EntityRef, index: EntityIndex) -> EntityRef | None:
    """A pledger or recipient as a country or organisation (a leader pledges for their country)."""
    if ref.kind == "leader" and ref.key in index.leaders:
        lead = index.leaders[ref.key]
        if lead.country and lead.country in index.countries:
            return EntityRef("country", lead.country, index.countries[lead.country].name)
        if lead.organization and lead.organization in index.organizations:
            ref = EntityRef("org", lead.organization, index.organizations[lead.organization].name)
    if ref.kind in ("org", "place") and (label := pledges_for().get(ref.key)) and (union := org_ref(label)):
        index.organizations.setdefault(union.key, Organization(union.key, union.label))
        return union
    if ref.kind in ("country", "org"):
        return ref
    if ref.kind == "place" and ref.key in index.places:
        iso = index.places[ref.key].country
        if iso and iso in index.countries:
            return EntityRef("country", iso, index.countries[iso].name)
    return None


def _refs(mentions: list[Mention], index: EntityIndex) -> list[EntityRef]:
    out: list[EntityRef] = []
    for x in mentions:
        if (p := _country(x.ref, index)) and p not in out:
            out.append(p)
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
              if (m.ref.kind != "place" or _capital_subject(text, start, pos, m))
              and not (cl.is_possessive(text, m) and text[m.span.end:pos].strip(" '’s")
                       and not cl.acts(text, m, index))
              and not (m.via == "demonym" and not cl.acts(text, m, index) and not pf.acts_as_personnel(text, m))
              and not cl.after_city(text, m, index)
              and cl.preceding_word(text, m.span.start) not in ("with", "for", "to", "from", "in", "at", "of", "by")]
    groups = cl.groups(text, usable)
    return groups[-1] if groups else []


def _capital_subject(text: str, start: int, pos: int, m: Mention) -> bool:
    """"Washington will send", "said that Beijing pledged": a capital standing for its government.

    Only as the bare subject of the promise: not "In Paris, ...", "Ramstein allies pledged", "Kyiv's needs".
    """
    return ((not text[start:m.span.start].strip(" \"“‘'(") or cl.preceding_word(text, m.span.start) in ("that", "and"))
            and bool(_SUBJECT_GAP.fullmatch(text, m.span.end, pos)))


def _context_org(text: str, index: EntityIndex, start: int, end: int, back: int) -> EntityRef | None:
    """The organisation a group noun ("coalition countries", "the leaders") stands for."""
    inside = [m for m in index.within(start, end) if m.ref.kind == "org"
              and not re.match(r"\s+(?:headquarters|HQ)", text[m.span.end:m.span.end + 20])]
    if inside:
        return inside[0].ref
    before = [m for m in index.mentions if m.ref.kind == "org" and back <= m.span.start < start]
    return before[-1].ref if before else None


@dataclass
class _Found:
    pledge: Pledge
    vague: bool  # its type came from a word like "support" only


@dataclass
class _State:
    found: list[_Found]
    context: Counter[EntityRef]
    hedged: set[tuple[EntityRef, str]]
    money_type: str | None = None  # of the last pledge with a sum: an untyped sum that follows is alike
    last_recipient: EntityRef | None = None
    last_pledgers: list[EntityRef] | None = None
    last_at: int = -10


def _emit(st: _State, sent: Sentence, pledgers: list[EntityRef], kind: str, amount: str | None,
          recipient: EntityRef | None, date: Any, conditional: bool, vague: bool) -> None:
    if amount and pf.money(amount):
        st.money_type = kind
    st.found.append(_Found(Pledge(
        pledgers=list(pledgers), pledge_type=kind, evidence=Evidence(sent.text, Span(sent.start, sent.end)),
        amount=amount, recipient=recipient, date=date.value if date else None,
        date_text=date.text if date else None, conditional=conditional), vague))


def _noun_forms(text: str, index: EntityIndex, sent: Sentence, si: int, st: _State) -> None:
    """"€300 million from Germany", "pledges from backers including Norway and France"."""
    if not pf.PLEDGE_NOUN.search(sent.text):
        return
    named = [p for x in index.within(sent.start, sent.end) if x.ref.kind == "country"
             and cl.preceding_word(text, x.span.start) in ("to", "for") and (p := _country(x.ref, index))]
    carried = st.last_recipient if st.last_at >= si - 1 else None
    for giver, sum_, _at in pf.from_amounts(text, sent, index):
        if (p := _country(giver.ref, index)) and not pf.reported(sent.text):
            alike = st.money_type or pf.domain_type(text, True)  # the sum says no more than the pledges before
            to = next((r for r in named if r != p), carried)
            _emit(st, sent, [p], alike, sum_, to, None, False, False)
    for givers, amount, _at in pf.noun_pledges(text, sent, index):
        pledgers = _refs(givers, index)
        recipient = next((r for r in named if r not in pledgers), carried)
        kind: str | None = classify(sent.text)
        if kind in (None, "vague") and (pf.money(sent.text) or kind):
            kind = pf.domain_type(text, bool(pf.money(sent.text)))
        if pledgers and kind and kind != "vague" and not pf.reported(sent.text):
            _emit(st, sent, pledgers, kind, amount, recipient, None, False, False)


def find_pledges(article: Article, index: EntityIndex) -> list[Pledge]:
    """The pledges the article reports, merged when a country repeats the same promise."""
    text = article.text
    c, r = cl.cues(), rules()
    st = _State([], Counter(), set())
    sents = sentences(article)
    nouns = bool(pf.PLEDGE_NOUN.search(text))
    for si, sent in enumerate(sents):
        if nouns:
            _noun_forms(text, index, sent, si, st)
        matches = r.scan.finditer(sent.text)
        if not matches:
            continue
        clauses = cl.split_clauses(sent, c.pledge_breaks)
        prev_in_clause: dict[int, list[EntityRef]] = {}
        prev_end = sent.start
        for i, m in enumerate(matches):
            pos, tend = sent.start + m.start(), sent.start + m.end()
            clause = cl.clause_at(clauses, pos)
            later = [x for x in matches[i + 1:] if sent.start + x.start() < clause.end]
            if m.group("direct") and _THAT.match(text, tend) and (later or not pf.money(text[tend:clause.end])):
                continue  # "announced that ...": the reported clause's own trigger says it, or a sum it gives
            if m.group("direct") and m.group().lower() in ("pledge", "pledges", "committed") and pf.is_noun(
                    text, pos, index):
                continue
            obj_end = sent.start + later[0].start() if later else clause.end
            if aside := _ASIDE.search(text, tend, obj_end):  # ", emphasizing ...", ", according to ..."
                obj_end = aside.start()
            head = text[clause.start:pos]
            if (c.negation_clause.search(text[clause.start:obj_end])
                    or _NOT.search(head + " " + m.group())
                    or r.hypothetical.search(head[-60:])):
                continue
            if m.group("direct") and _MODAL_END.search(head[-12:]):
                continue
            if pf.hedged(head) or pf.reported(sent.text):
                continue
            obj = text[tend:obj_end]
            if (not typed_head(m.group(), obj)) if m.group("present") else hostile(obj):
                continue
            if m.group("direct") and _TO_VERB.match(obj) and not pf.acting_against(obj):
                continue  # "pledging to pull back support": a promise to do, not to give
            subject = pf.passive_agents(text, tend, obj_end, index) if m.group("passive") else []
            if subject:  # "€900 million has been pledged by the EU": what is given comes first
                obj = text[max(clause.start, pos - 60):pos]
            else:
                subject = _subject(text, clause.start, pos, index)
            pledgers = _refs(subject, index)
            if m.group("present") and subject and not re.fullmatch(
                    r"\s*(?:also\s+|now\s+|currently\s+|still\s+)?", text[subject[-1].span.end:pos]):
                pledgers = []  # "Norway also supports ...": the plan's subject comes right before it
            if clause.start in prev_in_clause and re.search(r"\band\s+(?:is\s+|are\s+)?$", text[prev_end:pos]):
                pledgers = prev_in_clause[clause.start]  # "would provide ... and stood ready to contribute"
            elif not m.group("passive") and (who := pf.pronoun_subject(text, clause.start, pos, subject, index)):
                pledgers = [p] if (p := _country(who, index)) else pledgers
            if not pledgers and (speaker := pf.quoted_speaker(text, sent, pos, index)):
                pledgers = _refs([speaker], index)  # "“We will send troops,” Macron said"
            if not pledgers:  # "the signing of a £2 billion loan agreement between the UK and Ukraine"
                pledgers = _refs(pf.first_party(text, tend, obj_end, index), index)
            if not pledgers and (noun := _GROUP_NOUNS.search(head)) and not pf.unnamed_group(head, noun):
                org = _context_org(text, index, sent.start, sent.end, sents[max(0, si - 3)].start)
                pledgers = unique(([org] if org else []) + pf.members(text, index, sents, si))
            if not pledgers:  # "donors pledged €5.8 billion for Syria": no pledge, but it says who receives
                st.context.update(p for x in index.within(tend, obj_end) if x.ref.kind == "country"
                                  and cl.preceding_word(text, x.span.start) in ("to", "for")
                                  and (p := _country(x.ref, index)))
                continue
            prev_in_clause[clause.start], prev_end = pledgers, tend
            _one_trigger(article, index, st, sent, si, clause, m, pledgers, obj, tend, obj_end)
    if not st.found:
        return []
    for sent in sents:  # "Turkey is considering sending troops": a headline's "is ready to" is none either
        _note_hedges(text, sent, index, st)
    mentioned = Counter(p for x in index.mentions if x.ref.kind == "country" and (p := _country(x.ref, index)))
    return _merge(st, len(article.title) if not article.title.rstrip().endswith(".") else 0, mentioned)



def _note_hedges(text: str, sent: Sentence, index: EntityIndex, st: _State) -> None:
    """"Turkey is considering providing troops": a headline saying it "is ready to" is no pledge either."""
    hedge = _HEDGE_VERB.search(sent.text)
    if not hedge:
        return
    subject = _subject(text, sent.start, sent.start + hedge.start(), index)
    kind = classify(sent.text[hedge.end():])
    if kind and kind != "vague":
        for p in _refs(subject, index):
            st.hedged.add((p, "troops" if kind == "peacekeepers" else kind))


def _one_trigger(article: Article, index: EntityIndex, st: _State, sent: Sentence, si: int, clause: cl.Clause,
                 m: re.Match[str], pledgers: list[EntityRef], obj: str, tend: int, obj_end: int) -> None:
    """The pledges one trigger makes, one per thing given (and per giver when each gives its own)."""
    text, c = article.text, cl.cues()
    pos = sent.start + m.start()
    head = text[clause.start:pos]
    personnel = bool(_JOIN.search(m.group()))
    subject_np = head[-40:] if m.group("passive") or personnel else ""
    others = pf.along_with(text, tend, obj_end, index)
    if others:
        obj, obj_end = text[tend:others[0]], others[0]
    if (gaps := [(p, amt) for x, amt in pf.gapped(text, tend, obj_end, index)
                 if (p := _country(x.ref, index)) and p not in pledgers]):  # "..., Britain £150 million"
        first = min(x.span.start for x, _ in pf.gapped(text, tend, obj_end, index))
        obj = text[tend:first]
    if m.group("present") and m.group().endswith("ing"):
        obj = m.group().rsplit(None, 1)[-1] + " " + obj  # "is equipping units": equipping says what
    conditional = bool(c.conditional.search(text[clause.start:obj_end]))
    dates = [d for d in find_dates(text[clause.start:clause.end], article.published_date, "past", clause.start)
             if d.value and d.kind not in ("dateline", "rel_year", "year")]
    date = dates[0] if dates else None
    recipients = [x for x in index.within(tend, obj_end)
                  if cl.preceding_word(text, x.span.start) not in ("from", "by", "against")
                  and not cl.opens_next_clause(text, x)
                  and (x.ref.kind != "place" or cl.preceding_word(text, x.span.start) in ("to", "for"))]
    owner = [x for x in index.within(clause.start, pos) if x.ref.kind == "country"
             and cl.is_possessive(text, x) and x.ref not in pledgers and not cl.acts(text, x, index)
             and re.match(r"['’]s?\s+(?:\w+\s+)?(?:partners|allies|backers|friends|supporters|donors)\b",
                          text[x.span.end:x.span.end + 40])]
    # "Ukraine's partners"; then one named for itself before one that only qualifies a noun ("US weapons for
    # Ukraine", "contributing to the Czech initiative")
    recipients = owner + sorted((x for x in recipients if x.ref.kind in ("country", "place")),
                                key=lambda x: bool(_QUALIFIES.match(text, x.span.end)))
    recipient = next((p for x in recipients if (p := _country(x.ref, index)) and p not in pledgers
                      and p.kind == "country"), None)
    if st.last_at < si - 1 or (st.last_pledgers != pledgers and st.last_at < si):
        st.last_recipient = None  # "to Ukraine" carries over to the giver's next sentence, no further
    against = bool(m.group("direct") and pf.acting_against(obj))
    made = False
    for part in [obj] if against else parts(obj):
        kind, vague = ("other", False) if against else kind_of(part, m.group(), subject_np, text, st.money_type)
        amount = find_amount(subject_np) if subject_np else None
        amount = amount or find_amount(part)
        if kind in ("troops", "peacekeepers") and amount and not pf.money(amount) \
                and classify(amount) not in ("troops", "peacekeepers"):
            kind = classify(amount) or "other"  # "400 scholarships for officers": what is counted is given
        if kind is None or (m.group("direct") and not amount and kind == "other" and not against):
            continue
        if (m.group("present") and kind in ("troops", "peacekeepers") and not (recipient or others)
                and not _GIVING.search(m.group())):
            continue  # "is sending troops to the front": a deployment, given to no one ("is committing": given)
        made = True
        own_to = _own_recipient(text, index, tend + obj.find(part), part, pledgers) \
            if part != obj and part in obj and pf.money(part) else None
        # a spending target goes to no one
        to = recipient if amount and _PCT.search(amount) else own_to or recipient or st.last_recipient
        # "have each committed $1 billion", "committed to invest $10 billion each"
        each = len(pledgers) > 1 and (re.search(r"\beach\b", text[pos - 12:tend + 8], re.I)
                                      or (amount and re.search(re.escape(amount) + r"\s+each\b", part)))
        sums = [x.group() for x in pf.MONEY_RX.finditer(part)]
        if each or (len(pledgers) > 1 and "respectively" in part and len(sums) == len(pledgers)):
            for j, p in enumerate(pledgers):  # "Brazil and Indonesia have each committed $1 billion"
                own = sums[j] if "respectively" in part else amount
                _emit(st, sent, [p], kind, own, to, date, conditional, vague)
        else:
            _emit(st, sent, pledgers, kind, amount, to, date, conditional, vague)
        if others and (more := [p for p in _refs(others[1], index) if p not in pledgers]):
            _emit(st, sent, more, kind, None, to, date, conditional, vague)
        for p, amt in gaps:
            _emit(st, sent, [p], kind, amt, to, date, conditional, vague)
        gaps = []
    if made:
        st.last_recipient, st.last_at, st.last_pledgers = recipient or st.last_recipient, si, pledgers


def _own_recipient(text: str, index: EntityIndex, start: int, part: str, pledgers: list[EntityRef]) -> EntityRef | None:
    """The country one of several things given goes to ("... and $20 million for Lebanon")."""
    return next((p for x in index.within(start, start + len(part)) if x.ref.kind in ("country", "place")
                 and x.via != "demonym"
                 and cl.preceding_word(text, x.span.start) in ("to", "for")
                 and (p := _country(x.ref, index)) and p not in pledgers and p.kind == "country"), None)


def _converted(a: str, b: str) -> bool:
    """"$3 billion" and "30 billion crowns" for one giver and type: the same sum in two currencies."""
    return "" != _currency(a) != _currency(b) != ""


def _currency(amount: str) -> str:
    m = re.search(r"[$€£¥]|EUR|USD|GBP|euros?|pounds?|dollars?|yen|crowns?|kronor|kroner", amount, re.I)
    if not m:
        return ""
    word = m.group().lower().rstrip("s")
    return {"eur": "€", "euro": "€", "usd": "$", "dollar": "$", "gbp": "£", "pound": "£", "yen": "¥",
            "crown": "kr", "kronor": "kr", "kroner": "kr"}.get(word, word)


def _merge(st: _State, title_end: int, mentioned: Counter[EntityRef]) -> list[Pledge]:
    """One pledge per pledgers and type; a summary by several pledgers each listed on their own goes."""
    kept: list[_Found] = []
    for f in st.found:
        p = f.pledge
        same = next((k for k in kept if set(k.pledge.pledgers) == set(p.pledgers)
                     and k.pledge.pledge_type == p.pledge_type
                     and (not k.pledge.amount or not p.amount or k.pledge.amount == p.amount
                          or k.pledge.evidence.span.start < title_end
                          or abs(p.evidence.span.start - k.pledge.evidence.span.end) < 3
                          or _converted(k.pledge.amount, p.amount))), None)
        if same:
            q = same.pledge
            if q.evidence.span.start < title_end and p.amount:  # the body says it in full
                q.amount, q.evidence = p.amount, p.evidence
            q.amount = q.amount or p.amount
            q.recipient = q.recipient or p.recipient
            q.date = q.date or p.date
            same.vague = same.vague and f.vague
            continue
        kept.append(f)
    named = Counter(f.pledge.recipient for f in kept if f.pledge.recipient) + st.context
    if named:  # an article about aid to one country: a pledge that names no recipient is for it too
        usual = max(named, key=lambda r: (named[r], mentioned[r]))  # a tie goes to the country named most
        for f in kept:
            if (f.pledge.recipient is None and usual not in f.pledge.pledgers
                    and not (f.pledge.amount and _PCT.search(f.pledge.amount))):  # a spending target has none
                f.pledge.recipient = usual
    out = [f.pledge for f in kept
           if not (f.vague and not f.pledge.amount)  # "to step up support": says not what, nor how much
           and not (not f.pledge.amount and any((p, _family(f.pledge.pledge_type)) in st.hedged
                                                for p in f.pledge.pledgers))]
    singles = {(q.pledgers[0], q.pledge_type) for q in out if len(q.pledgers) == 1}
    return [p for p in out
            if len(p.pledgers) == 1 or not all((x, p.pledge_type) in singles for x in p.pledgers)]


def _family(kind: str) -> str:
    return "troops" if kind == "peacekeepers" else kind
