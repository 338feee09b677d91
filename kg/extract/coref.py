"""Tie short references to the entities an article names in full.

"Starmer" after "Keir Starmer", "Sheikh Mohammed" after "Sheikh Mohammed bin
Abdulrahman Al Thani", "the British prime minister" or "the Prime Minister"
(the most recent, else the only, leader with that role and country), and "the
coalition" or "the bloc" (the organisation last named with that anaphor).
Unresolvable references are dropped rather than guessed.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from kg.extract.names import HYPHEN_PARTICLE, PARTICLES, family_first
from kg.link import NOT_A_LEADER, KnownLeader, fold, gazetteer, known_leader, slug, strip_honorifics

if TYPE_CHECKING:
    from kg.extract.entities import Cand


#: a family name in capitals, then the given name: "KISHIDA Fumio", "HAYASHI Yoshimasa"
_CAPS_FAMILY = re.compile(r"[A-Z]{2,}(?:-[A-Z]{2,})?\s+[A-Z][a-z]")


def _forms(name: str) -> set[str]:
    """Short forms an article may use for a full name."""
    words = name.split()
    if len(words) < 2:
        return set()
    forms = {words[-1]}
    korean = "-" in words[1] and words[1][0].isupper() and not HYPHEN_PARTICLE.match(words[1])
    if words[0] in family_first() or (korean and len(words) == 2):
        forms.add(words[0])  # "Lee" of "Lee Jae-myung", "Xi" of "Xi Jinping"
    if _CAPS_FAMILY.match(name):
        forms |= {words[0], words[0].title()}  # "Kishida" of "KISHIDA Fumio" (Japan's ministry style)
    first_particle = next((i for i, w in enumerate(words) if i > 0 and w in PARTICLES), None)
    if first_particle is not None:
        forms.add(" ".join(words[first_particle:]))
        if words[first_particle] in ("bin", "ibn", "bint"):
            forms.add(words[0])
    tail = words[-1]
    if "-" in tail and tail.split("-", 1)[0].lower() in ("al", "el"):
        forms.add(tail.split("-", 1)[1])
    return {f for f in forms if len(f) > 2 and (f[0].isupper() or " " in f or f.startswith(("al-", "el-")))}


def _known(name: str) -> KnownLeader | None:
    """The listed leader, also when the article adds middle initials ("Ferdinand R. Marcos Jr.")."""
    return known_leader(name) or known_leader(re.sub(r"(?<=\s)[A-Z]\.\s+", "", name))


def _same_person(a: str, b: str) -> bool:
    """Two spellings of one name in one article: "Gustavo Petro" / "Gustavo Petro Urrego", "Xi Jingping"."""
    wa, wb = fold(a).split(), fold(b).split()
    if len(wa) < 2 or len(wb) < 2 or wa[0] != wb[0]:
        return False
    short, long_ = sorted((wa, wb), key=len)
    return long_[: len(short)] == short or (
        len(wa) == len(wb) and SequenceMatcher(None, " ".join(wa), " ".join(wb)).ratio() >= 0.85
    )


def _unify(people: list[Cand]) -> None:
    """One key for spellings of one name; the listed leader's key, else the fullest name's."""
    listed = gazetteer().leaders
    names: dict[str, str] = {}
    for c in people:
        if c.key:
            names.setdefault(strip_honorifics(c.name or ""), c.key)
    ranked = sorted(names.items(), key=lambda kv: (kv[1] not in listed, -len(kv[0])))
    alias: dict[str, str] = {}
    for i, (name, key) in enumerate(ranked):
        if key in listed:
            continue
        for other, okey in ranked[:i]:
            if okey != key and _same_person(name, other):
                alias[key] = alias.get(okey, okey)
                break
    for c in people:
        c.key = alias.get(c.key, c.key)


def _identify(cands: list[Cand]) -> None:
    """Give title-found leaders their keys: the gazetteer's, the full name's, or the name's slug."""
    people = [c for c in cands if c.kind in ("leader", "block") and c.name]
    full: dict[str, str] = {}
    first: dict[str, str] = {}
    clash: set[str] = set()
    for c in people:
        name = strip_honorifics(c.name or "")
        known = _known(name)
        if known:
            c.key = known.key
            if known.role == NOT_A_LEADER:
                c.kind = "block"
        elif len(name.split()) > 1:
            c.key = slug(name)
        if len(name.split()) > 1 and c.key:
            for form in _forms(name):
                if full.get(form, c.key) != c.key:
                    clash.add(form)
                full[form] = c.key
        label = known.label if known else name
        if len(label.split()) > 1 and c.key:
            lead = label.split()[0]
            first[lead] = c.key if first.get(lead, c.key) == c.key else ""
    for form in clash:
        full.pop(form, None)
    for c in people:
        if not c.key:  # a one-word name after a title: "PM Shehbaz", "President Jinping", "Premier Li"
            name = strip_honorifics(c.name or "")
            c.key = full.get(name) or first.get(name) or _listed_by_one_name(name, c.role) or slug(name)
    _unify(people)


def _listed_by_one_name(name: str, role: str | None) -> str | None:
    """The one listed leader with this surname (or family name written first) and this office."""
    if role is None:
        return None
    keys = {
        e.key
        for e in gazetteer().leaders.values()
        if e.role == role
        and len(words := e.label.split()) > 1
        and (words[-1] == name or (words[0] == name and name in family_first()))
    }
    return keys.pop() if len(keys) == 1 else None


def _is_word_char(ch: str) -> bool:
    """What the regex class ``[\\w\\-]`` holds: a letter, digit or underscore of any script, or a hyphen."""
    return ch.isalnum() or ch in "_-"


def _occurrences(text: str, form: str, alone: bool) -> list[tuple[int, int]]:
    """Where ``form`` stands as a word of its own (``(?<![\\w\\-])form(?![\\w\\-])``, and with ``alone``
    no capitalised word right after it): a plain search, not a regex compiled for each name."""
    out: list[tuple[int, int]] = []
    pos, size = 0, len(form)
    while (start := text.find(form, pos)) >= 0:
        end = start + size
        ok = not (start and _is_word_char(text[start - 1])) and not (end < len(text) and _is_word_char(text[end]))
        if ok and alone:
            after = end
            while after < len(text) and text[after] in " \t":
                after += 1
            ok = not (after > end and after < len(text) and "A" <= text[after] <= "Z")
        if ok:
            out.append((start, end))
            pos = end
        else:
            pos = start + 1
    return out


def fold_known(form: str) -> bool:
    return known_leader(form) is not None


def _surnames(text: str, cands: list[Cand]) -> list[Cand]:
    from kg.extract.entities import Cand

    full: dict[str, str] = {}
    clash: set[str] = set()
    leading: set[str] = set()  # family names written first: "Kim" alone, not "Kim" of another "Kim Yo Jong"
    for c in cands:
        if c.kind == "leader" and c.name and len(strip_honorifics(c.name).split()) > 1:
            for form in _forms(strip_honorifics(c.name)):
                if full.get(form, c.key) != c.key:
                    clash.add(form)
                full[form] = c.key
                if form == strip_honorifics(c.name).split()[0]:
                    leading.add(form)
    out = []
    for form, key in full.items():
        if form in clash or fold_known(form):
            continue
        for start, end in _occurrences(text, form, form in leading):
            out.append(Cand(start, end, "leader", key, "surname", prio=1, name=form))
    return out


def _official_surnames(text: str, cands: list[Cand]) -> list[Cand]:
    """"Vance also met Zelensky" after "U.S. Vice President JD Vance": an official who is no leader but speaks
    for a country stands for it when named again by surname (the annotation rules give such officials as it)."""
    from kg.extract.entities import Cand

    taken = {f for c in cands if c.kind == "leader" and c.name for f in _forms(strip_honorifics(c.name))}
    country: dict[str, str] = {}
    clash: set[str] = set()  # one surname, officials of two countries: neither is meant
    for c in cands:
        words = strip_honorifics(c.name or "").split()
        if c.kind == "block" and c.acts and c.country and len(words) > 1 and words[-1][0].isupper():
            form = words[-1]
            if (form not in taken and not fold_known(form) and len(form) > 2
                    and country.setdefault(form, c.country) != c.country):
                clash.add(form)
    out = []
    for form, iso in country.items():
        if form in clash:
            continue
        for start, end in _occurrences(text, form, True):
            out.append(Cand(start, end, "country", iso, "official", prio=2, name=form))
    return out


def _profile(cands: list[Cand]) -> dict[str, tuple[set[str], str | None, str | None]]:
    """key -> (roles, country, organisation), from the mentions and the gazetteer."""
    g = gazetteer()
    prof: dict[str, tuple[set[str], str | None, str | None]] = {}
    for c in cands:
        if c.kind != "leader":
            continue
        roles, country, org = prof.get(c.key, (set(), None, None))
        if c.role:
            roles.add(c.role)
        prof[c.key] = (roles, country or c.country, org or c.org)
    for key, (roles, country, org) in prof.items():
        known = g.leaders.get(key)
        if known:
            roles.add(known.role)
            if not country and not org:
                country, org = known.country, known.org
        prof[key] = (roles, country, org)
    return prof


#: the offices "the Russian leader" may mean: a head of state or government, not a minister
_HEADS = frozenset({"president", "prime_minister", "chancellor", "monarch", "emir", "crown_prince"})
_LEADER_NOUN = re.compile(r"[ \t]+leader\b")
_THE = re.compile(r"\b[Tt]he[ \t]+$")
HEAD = "head"  # the role of a reference to any head of state or government


def _leader_refs(text: str, cands: list[Cand]) -> list[Cand]:
    """"after a call with the Russian leader": the head of that country's state or government named in the
    article (the word "leader" is no title of office, so the title pass leaves it)."""
    from kg.extract.entities import Cand

    out = []
    for c in cands:
        if c.kind == "country" and c.via == "demonym" and (noun := _LEADER_NOUN.match(text, c.end)) \
                and (det := _THE.search(text, max(0, c.start - 5), c.start)):
            out.append(Cand(det.start(), noun.end(), "title-ref", via="title", prio=0, country=c.key, role=HEAD))
    return out


def _title_refs(cands: list[Cand]) -> None:
    prof = _profile(cands)
    named = sorted((c for c in cands if c.kind == "leader"), key=lambda c: c.start)
    for ref in (c for c in cands if c.kind == "title-ref"):

        def fits(key: str, ref: Cand = ref) -> bool:
            roles, country, org = prof[key]
            return (
                (ref.country is None or ref.country == country)
                and (ref.org is None or ref.org == org)
                and (ref.role is None or ref.role in roles or (ref.role == HEAD and bool(roles & _HEADS)))
            )

        before = [c.key for c in named if c.end <= ref.start and fits(c.key)]
        pool = {c.key for c in named if fits(c.key)}
        if before:
            ref.key = before[-1]
        elif len(pool) == 1:
            ref.key = pool.pop()
        if ref.key:
            ref.kind = "leader"
            ref.role = None if ref.role == HEAD else ref.role  # "the Russian leader" states no office


def _anaphors(cands: list[Cand]) -> None:
    orgs = gazetteer().orgs
    named = sorted((c for c in cands if c.kind == "org"), key=lambda c: c.start)
    for ref in (c for c in cands if c.kind == "anaphor"):
        phrase = " ".join(ref.key.split())
        before = [c.key for c in named if c.end <= ref.start and phrase in orgs[c.key].anaphors]
        if before:
            ref.kind, ref.key = "org", before[-1]


def resolve(text: str, cands: list[Cand]) -> list[Cand]:
    """All candidates with references resolved; unresolved references and former office-holders removed."""
    _identify(cands)
    cands = cands + _surnames(text, cands) + _official_surnames(text, cands) + _leader_refs(text, cands)
    former = {c.key for c in cands if c.former}
    current = {c.key for c in cands if c.kind == "leader" and c.role_text and not c.former}
    for c in cands:
        if c.kind == "leader" and c.key in former - current:
            c.kind = "block"
    _title_refs(cands)
    _anaphors(cands)
    return [c for c in cands if c.kind not in ("title-ref", "anaphor")]
