"""What a pledge gives: its type, its amount, and the trigger words (for kg/extract/pledges.py).

The words are in ``kg/data/pledge_triggers.toml``: the types are tried in order on what is given,
and a sum or a vague word ("support", "aid") with no type of its own takes the article's subject
(``pledge_forms.domain_type``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from kg.datafiles import read_toml
from kg.errors import KgError
from kg.extract import clauses as cl
from kg.extract import pledge_forms as pf
from kg.extract.pledge_scan import Scanner
from kg.resources import data_dir
from kg.vocab import PLEDGE_TYPES

TRIGGERS_FILE = pf.TRIGGERS_FILE
_NUM = (r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|fifty"
        r"|hundreds of|thousands of|dozens of)")
_MILITARY = ("weapons", "air_defense", "troops")
_HOSTILE = re.compile(r"\b(?:attacks?|strikes?|offensives?|assaults?|operations?|invasion|raids?|tests?|launch(?:es)?"
                      r"|drills?|exercises?|sanctions|tariffs?)\b", re.I)
_PCT = re.compile(r"\d\s?(?:%|percent\b|per cent\b)")


@dataclass(frozen=True)
class _Rules:
    trigger: re.Pattern[str]
    scan: Scanner
    hypothetical: re.Pattern[str]  # a modal right before the trigger ("could send")
    types: tuple[tuple[str, re.Pattern[str]], ...]
    amount: re.Pattern[str]


def _bad(what: str) -> KgError:
    return KgError(what, where=data_dir() / TRIGGERS_FILE, fix="see the comments at the top of the file")


@cache
def rules() -> _Rules:
    data: dict[str, Any] = read_toml(TRIGGERS_FILE)
    fixed = {k: cl.compile_list(data, k, TRIGGERS_FILE).pattern for k in ("provide_verbs", "promise_gap")}
    gap = r"(?:\s+(?:" + fixed["promise_gap"] + r"))*"

    def build(lists: dict[str, list[str]]) -> re.Pattern[str]:
        """The trigger regex over these phrase lists (a promise is an auxiliary, then a verb of giving)."""
        def branch(key: str) -> str:
            return cl.words(lists[key]).pattern if lists.get(key) else "(?!)"  # (?!): a list with no phrase here

        promise = "(?:" + branch("promise_aux") + ")" + gap + r"\s+(?:" + fixed["provide_verbs"] + ")"
        return re.compile(f"(?P<promise>{promise})|(?P<passive>{branch('passive')})|(?P<direct>{branch('direct')})"
                          f"|(?P<present>{branch('present')})", re.I)

    starts: dict[str, list[str]] = {}
    for k in ("promise_aux", "passive", "direct", "present"):
        cl.compile_list(data, k, TRIGGERS_FILE)  # a clear error naming the list when one is wrong
        starts[k] = list(data[k])
    scan = Scanner(build, starts)
    trigger = scan.pattern
    types_raw = data.get("types")
    if not isinstance(types_raw, dict):
        raise _bad("missing [types] table")
    types = []
    for name, _pats in types_raw.items():
        label = "vague" if name in ("vague", "aid_fallback") else name
        if label not in PLEDGE_TYPES and label != "vague":
            raise _bad(f"[types]: {name!r} is not a pledge type ({', '.join(PLEDGE_TYPES)})")
        types.append((label, cl.compile_list(types_raw, name, TRIGGERS_FILE)))
    units = cl.compile_list(data.get("amount", {}), "units", TRIGGERS_FILE).pattern
    amount = re.compile(r"(?P<money>" + pf.MONEY + r")|(?P<count>(?<![\w-])" + _NUM + r"\s+(?:[\w-]+\s+){0,4}?" + units
                        + r")|(?P<pct>\b\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b)(?:\s+of\s+(?:\w+\s+)?(?:GDP\b"
                        r"|gross domestic product))?)", re.I)
    hypothetical = re.compile(r"(?:" + cl.cues().hypothetical_near.pattern + r")\W+(?:\w+\W+)?$", re.I)
    return _Rules(trigger, scan, hypothetical, tuple(types), amount)


@cache
def pledges_for() -> dict[str, str]:
    """Organisation key -> the label of the body its pledges belong to ("european-commission" -> the EU)."""
    table = read_toml(TRIGGERS_FILE).get("pledges_for", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise _bad("[pledges_for] must map organisation keys to labels")
    return dict(table)


def classify(text: str) -> str | None:
    """The pledge type of what is given, by the first matching keyword list ("vague" for "aid", "support")."""
    for name, pat in rules().types:
        if pat.search(text):
            return name
    return None


def military_mix(text: str) -> bool:
    """A sum for several kinds of arms ("naval capabilities and air defence") is military aid."""
    return sum(1 for name, pat in rules().types if name in _MILITARY and pat.search(text)) >= 2


def find_amount(text: str) -> str | None:
    restated = re.search(r"\b(?:i\.e\.|that is,)\s*(?:an?\s+)?(?:\w+\s+)?(" + pf.MONEY + ")", text)
    if restated:  # "EUR 3 billion this year and EUR 8 billion until 2029, i.e. EUR 11 billion"
        return restated.group(1).strip()
    for m in rules().amount.finditer(text):
        if m.group("count") and re.search(r"\b(?:its|their|the|his|her|of|an?)\s+(?:[A-Z][\w-]*\s+){1,2}$",
                                          text[:m.start()]):
            continue  # "its Saab 340 aircraft": a model's number, not how many
        return m.group().strip()
    return None


_SEPARATE_SUMS = re.compile(r",?\s+and\s+(?=(?:(?:a further|another|an additional|a|an)\s+)?(?:" + pf.MONEY + r"))")


#: "€100 million and €50 million respectively" (one sum per giver), "… i.e. an additional €11 billion" (a total)
_ONE_SUM = re.compile(r"\brespectively\b|\bi\.\s?e\.|\bthat is\b|\b(?:a|in) total\b|\btotall?ing\b", re.I)


def parts(obj: str) -> list[str]:
    """What is given, split where it lists things of different types ("troops and security guarantees")."""
    inc = re.search(r",?\s+including\b", obj)
    if inc and classify(obj[inc.end():]) and (find_amount(obj[inc.end():])
                                              or re.match(r"\s+(?:by\s+)?\w+ing\b", obj[inc.end():])):
        obj = obj[inc.end():]  # "its part, including by deploying troops": the means is what is given
    if len(verbs := pf.gerund_parts(obj)) > 1:  # "investing in industry and contributing to the initiative"
        return verbs
    if pf.money(obj) and military_mix(obj):
        return [obj]
    sums = _SEPARATE_SUMS.split(obj)
    if len(sums) > 1 and all(pf.money(p) for p in sums) and not _ONE_SUM.search(obj):
        return sums  # "$50 million for Gaza and a further $20 million for Lebanon": two pledges
    pieces: list[str] = []
    for p in re.split(r",\s+(?:and\s+)?|\s+and\s+", obj):
        if pieces and re.match(r"\s*(?:including|incl\.|such as|notably|like)\b", p):
            pieces[-1] += ", " + p  # "a military aid package, including air defence" is one thing
        elif p.strip():
            pieces.append(p)
    # a later piece stands alone only with a thing of its own ("and other security guarantees"),
    # not a second purpose ("for humanitarian relief and early recovery"); vague "support" never does
    typed = [(p, t if t != "vague" and (i == 0 or t not in ("funding", "aid") or find_amount(p)) else None)
             for i, p in enumerate(pieces) for t in ["other" if _PCT.search(p) else classify(p)]]
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


def kind_of(part: str, trigger: str, subject_np: str, text: str, money_type: str | None) -> tuple[str | None, bool]:
    """The type of one thing given, and whether only a vague word ("support") gave it."""
    verb = re.match(r"\s*(\w+)", part)
    kind = classify(verb.group(1)) if verb and verb.group(1).lower().endswith("ing") else None
    if kind in (None, "vague"):  # "equipping the army": the verb says what is given
        core = re.split(r",?\s+(?:including|incl\.|such as)\b", part)[0]  # "a package, including air defence"
        kind = classify(core) or classify(part) or classify(trigger)
    if _PCT.search(part):
        kind = "other"  # "3.5% of GDP": a spending target
    if pf.money(part) and military_mix(part):
        kind = "weapons"
    if kind in ("troops", "peacekeepers") and pf.money(part):
        kind = "funding"  # "$60 million for the soldiers' salaries": money given, not soldiers
    if classify(subject_np) == "troops" and kind in (None, "peacekeepers", "vague"):
        kind = "troops"  # "Kenyan police will join the peacekeeping force"
    kind = kind or classify(subject_np)
    vague = kind == "vague" and not re.search(r"\b(?:aid|assistance)\b", part + " " + trigger, re.I)
    if kind is None and pf.money(part):
        kind = money_type or pf.domain_type(text, True)
    elif kind == "vague":
        kind = pf.domain_type(text, bool(pf.money(part)), part + " " + trigger)
    return kind, vague


def hostile(obj: str) -> bool:
    """"new missile strikes", "sanctions on arms exports": what follows is done to someone, not given."""
    return bool(_HOSTILE.search(" ".join(obj.split()[:6])))


def typed_head(trigger: str, obj: str) -> bool:
    """A present-tense plan names what is given within its first words ("supports military training").

    Not an attack being prepared ("is preparing missile strikes"), nor troops sent to no one
    ("is sending troops to the front"): no recipient, no pledge.
    """
    first = " ".join(obj.split()[:6])
    if hostile(obj):
        return False
    kind = classify(trigger) or classify(first)
    return (kind not in (None, "vague")) or bool(pf.money(first))
