"""Tie short references to the entities an article names in full.

"Starmer" after "Keir Starmer", "Sheikh Mohammed" after "Sheikh Mohammed bin
Abdulrahman Al Thani", "the British prime minister" or "the Prime Minister"
(the most recent, else the only, leader with that role and country), and "the
coalition" or "the bloc" (the organisation last named with that anaphor).
Unresolvable references are dropped rather than guessed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kg.extract.names import PARTICLES
from kg.link import NOT_A_LEADER, gazetteer, known_leader, slug, strip_honorifics

if TYPE_CHECKING:
    from kg.extract.entities import Cand


def _forms(name: str) -> set[str]:
    """Short forms an article may use for a full name."""
    words = name.split()
    if len(words) < 2:
        return set()
    forms = {words[-1]}
    first_particle = next((i for i, w in enumerate(words) if i > 0 and w in PARTICLES), None)
    if first_particle is not None:
        forms.add(" ".join(words[first_particle:]))
        if words[first_particle] in ("bin", "ibn", "bint"):
            forms.add(words[0])
    tail = words[-1]
    if "-" in tail and tail.split("-", 1)[0].lower() in ("al", "el"):
        forms.add(tail.split("-", 1)[1])
    return {f for f in forms if len(f) > 2 and (f[0].isupper() or " " in f or f.startswith(("al-", "el-")))}


def _identify(cands: list[Cand]) -> None:
    """Give title-found leaders their keys: the gazetteer's, the full name's, or the name's slug."""
    people = [c for c in cands if c.kind in ("leader", "block") and c.name]
    full: dict[str, str] = {}
    clash: set[str] = set()
    for c in people:
        name = strip_honorifics(c.name or "")
        known = known_leader(name)
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
    for form in clash:
        full.pop(form, None)
    for c in people:
        if not c.key:
            c.key = full.get(strip_honorifics(c.name or ""), slug(strip_honorifics(c.name or "")))


def fold_known(form: str) -> bool:
    return known_leader(form) is not None


def _surnames(text: str, cands: list[Cand]) -> list[Cand]:
    from kg.extract.entities import Cand

    full: dict[str, str] = {}
    clash: set[str] = set()
    for c in cands:
        if c.kind == "leader" and c.name and len(strip_honorifics(c.name).split()) > 1:
            for form in _forms(strip_honorifics(c.name)):
                if full.get(form, c.key) != c.key:
                    clash.add(form)
                full[form] = c.key
    out = []
    for form, key in full.items():
        if form in clash or fold_known(form):
            continue
        for m in re.finditer(rf"(?<![\w\-]){re.escape(form)}(?![\w\-])", text):
            out.append(Cand(m.start(), m.end(), "leader", key, "surname", prio=1, name=form))
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


def _title_refs(cands: list[Cand]) -> None:
    prof = _profile(cands)
    named = sorted((c for c in cands if c.kind == "leader"), key=lambda c: c.start)
    for ref in (c for c in cands if c.kind == "title-ref"):

        def fits(key: str, ref: Cand = ref) -> bool:
            roles, country, org = prof[key]
            return (
                (ref.country is None or ref.country == country)
                and (ref.org is None or ref.org == org)
                and (ref.role is None or ref.role in roles)
            )

        before = [c.key for c in named if c.end <= ref.start and fits(c.key)]
        pool = {c.key for c in named if fits(c.key)}
        if before:
            ref.key = before[-1]
        elif len(pool) == 1:
            ref.key = pool.pop()
        if ref.key:
            ref.kind = "leader"


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
    cands = cands + _surnames(text, cands)
    former = {c.key for c in cands if c.former}
    current = {c.key for c in cands if c.kind == "leader" and c.role_text and not c.former}
    for c in cands:
        if c.kind == "leader" and c.key in former - current:
            c.kind = "block"
    _title_refs(cands)
    _anaphors(cands)
    return [c for c in cands if c.kind not in ("title-ref", "anaphor")]
