"""Names in query parameters -> the entities they mean (``leader=merz`` is Friedrich Merz).

Stored queries compare a name parameter with labels exactly (any case). People type
surnames, drop accents and spell transliterations their own way, so before a query
runs, ``resolve_params`` looks each name parameter up among the entities of the kinds
it stands for, with a SPARQL query through the same executor (embedded store or a
remote endpoint), and binds the entity's IRI when the name is not an exact label.

Matching tiers, first hit wins (the rules the site's search mirrors; see ``key``):

1. exact: the value equals a label, alternative label or ISO code, any case. The value
   is passed on unchanged when several entities carry it (the query's own semantics).
2. folded: same ``key`` (case, accents, punctuation, particles and y/i endings ignored).
3. loose: the gazetteers (``kg/data``) know the value as an alias of the entity
   ("Turkey" -> TR, "King Charles"), or every word of the value's key, leading titles
   left out ("President"), is a word of the entity's key (a surname: "Zelensky" in
   "Volodymyr Zelenskyy").

The value itself never enters a SPARQL text: the candidates are fetched by kind and
compared in Python, so the lookup is as injection-proof as the parameter binding.

Several entities at tier 2 or 3 make the name ambiguous, none makes it unknown: both
are a ``QueryError`` naming the candidates or the closest names.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from kg.datafiles import read_tsv
from kg.errors import QueryError
from kg.vocab import DIP

if TYPE_CHECKING:
    from kg.query import StoredQuery
    from kg.query.result import Result

#: the entity classes (local names in ``dip:``) a parameter of this name stands for;
#: a query can override it with a header ``#+ entities:`` list (``- a: Leader Country``)
PARAM_KINDS: dict[str, tuple[str, ...]] = {
    "leader": ("Leader",), "person": ("Leader",),
    "country": ("Country",), "pledger": ("Country",),
    "org": ("Organization",), "organisation": ("Organization",), "organization": ("Organization",),
    "place": ("Place",), "location": ("Place",), "city": ("Place",),
    "a": ("Leader", "Country", "Organization"), "b": ("Leader", "Country", "Organization"),
    "party": ("Leader", "Country", "Organization"),
}
_NOUN = {"Leader": "leader", "Country": "country", "Organization": "organisation", "Place": "place"}
_ROMAN = re.compile(r"[ivx]+")


@cache
def _rules() -> tuple[dict[str, str], tuple[tuple[str, str], ...], frozenset[str]]:
    """letters, endings (longest first) and particles from ``kg/data/name_variants.tsv``."""
    rows = read_tsv("name_variants.tsv")
    letters = {r["from"]: r["to"] for r in rows if r["kind"] == "letter"}
    endings = tuple(sorted(((r["from"], r["to"]) for r in rows if r["kind"] == "ending"), key=lambda e: -len(e[0])))
    particles = frozenset(r["from"] for r in rows if r["kind"] == "particle")
    return letters, endings, particles


def fold(text: str) -> str:
    """Lower case, no accents, letters like ß and ø spelled out, punctuation as spaces."""
    letters = _rules()[0]
    text = "".join(letters.get(c, c) for c in text.lower())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(letters.get(c, c) for c in text)
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _word(word: str) -> str:
    """One folded word with doubled letters collapsed and its ending normalised (roman numerals kept)."""
    if _ROMAN.fullmatch(word):
        return word
    word = re.sub(r"(.)\1+", r"\1", word)
    for end, to in _rules()[1]:
        if word.endswith(end) and len(word) > len(end) + 1:
            return word[: -len(end)] + to
    return word


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """The comparison words of a name: folded, normalised, particles left out (unless nothing else)."""
    all_words = tuple(_word(w) for w in fold(text).split())
    kept = tuple(w for w in all_words if w not in _rules()[2])
    return kept or all_words


def key(text: str) -> str:
    """The comparison key: two spellings of one name have the same key (``Zelenskyy`` = ``zelensky``)."""
    return " ".join(words(text))


@dataclass
class Entity:
    """An entity that may be meant, with every name the graph gives it."""

    iri: str
    kind: str  # local name of its class: Leader, Country, Organization, Place
    labels: list[str] = field(default_factory=list)
    alt_labels: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return min(self.labels) if self.labels else (min(self.alt_labels) if self.alt_labels else self.iri)

    @property
    def names(self) -> list[str]:
        return self.labels + self.alt_labels


@dataclass
class Resolution:
    """What a value means: ``how`` is exact | folded | loose | ambiguous | unknown."""

    value: str
    how: str
    entities: list[Entity] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    @property
    def term(self) -> str:
        """The value to bind: the entity's IRI, or the value itself when the query should compare it."""
        return self.entities[0].iri if len(self.entities) == 1 else self.value


def _gazetteer_names(value: str, kinds: Iterable[str]) -> tuple[set[str], set[str]]:
    """Canonical labels and ISO codes the shipped gazetteers give ``value`` (aliases, demonyms, titles)."""
    from kg import link

    labels: set[str] = set()
    codes: set[str] = set()
    lookups = {"Organization": link.org_ref, "Place": link.place_ref}
    for kind in kinds:
        if kind == "Country" and (country := link.country_ref(value)):
            codes.add(country.key)
        elif kind in lookups and (ref := lookups[kind](value)):
            labels.add(ref.label)
        elif kind == "Leader" and (known := link.known_leader(value)):
            labels.add(known.label)
    return labels, codes


def _without_titles(text: str) -> str:
    """``President Erdogan`` -> ``Erdogan``: honorifics and leading titles (``kg/data/titles.tsv``) dropped."""
    from kg import link

    titles = link.gazetteer().titles
    parts = link.strip_honorifics(text).split()
    while len(parts) > 1:
        cut = next((i for i in range(len(parts) - 1, 0, -1) if " ".join(parts[:i]).lower() in titles), 0)
        if not cut:
            break
        parts = parts[cut:]
    return " ".join(parts)


def match(value: str, entities: list[Entity]) -> Resolution:
    """The entities ``value`` names, by the tiers in the module docstring (no I/O)."""
    text = " ".join(value.split())
    low = text.lower()
    exact = [e for e in entities
             if any(n.lower() == low for n in e.names) or any(c.upper() == text.upper() for c in e.codes)]
    if exact:
        return Resolution(value, "exact", exact)
    k = key(text)
    folded = [e for e in entities if k and any(key(n) == k for n in e.names)]
    if folded:
        return Resolution(value, "folded" if len(folded) == 1 else "ambiguous", folded)
    kinds = {e.kind for e in entities}
    labels, codes = _gazetteer_names(text, kinds)
    wanted = set(words(_without_titles(text) if "Leader" in kinds else text))
    gaz_keys = {key(label) for label in labels}
    loose = [e for e in entities
             if any(c in codes for c in e.codes) or any(key(n) in gaz_keys for n in e.names)
             or (wanted and any(wanted <= set(words(n)) for n in e.names))]
    if loose:
        return Resolution(value, "loose" if len(loose) == 1 else "ambiguous", loose)
    return Resolution(value, "unknown", suggestions=suggest(text, entities) if len(text) <= 200 else [])


def suggest(value: str, entities: list[Entity], n: int = 5) -> list[str]:
    """Labels of the entities whose names (or one of their words) are closest to ``value``."""
    by_key: dict[str, set[str]] = {}
    for e in entities:
        for name in e.names:
            for k in {key(name), *words(name)}:
                if len(k) > 2:
                    by_key.setdefault(k, set()).add(e.label)
    out: list[str] = []
    for k in difflib.get_close_matches(key(value), list(by_key), n=n * 2, cutoff=0.7):
        out.extend(sorted(by_key[k] - set(out)))
    return out[:n]


def kinds_for(query: StoredQuery, name: str) -> tuple[str, ...]:
    """The entity classes parameter ``name`` of ``query`` stands for (header ``entities`` first)."""
    from kg.query import _header

    declared = dict(_header(query.text).get("entities") or [])
    if name in declared:
        return tuple(k for k in declared[name].split() if k in _NOUN)
    return PARAM_KINDS.get(name, ())


_CANDIDATES = """SELECT ?e ?class ?p ?n WHERE {{
  VALUES ?class {{ {classes} }}
  ?e a ?class .
  {{ ?e rdfs:label ?n BIND("l" AS ?p) }} UNION {{ ?e skos:altLabel ?n BIND("a" AS ?p) }}
  UNION {{ ?e dip:isoCode ?n BIND("c" AS ?p) }}
}}"""

_CONTEXT = """SELECT ?e ?what WHERE {{
  VALUES ?e {{ {iris} }}
  {{ ?e dip:role ?r BIND(REPLACE(STR(?r), "^.*/", "") AS ?what) }}
  UNION {{ ?e dip:leaderOf/dip:isoCode ?what }} UNION {{ ?e dip:inCountry/dip:isoCode ?what }}
  UNION {{ ?e dip:heads/rdfs:label ?what }}
}}"""


def candidates(run: Callable[[str], Result], kinds: Iterable[str]) -> list[Entity]:
    """Every entity of ``kinds`` with its labels, alternative labels and codes, by one SPARQL query."""
    classes = " ".join(f"<{DIP[k]}>" for k in sorted(set(kinds)))
    found: dict[str, Entity] = {}
    for row in run(_CANDIDATES.format(classes=classes)).rows:
        iri, name = row.get("e", ""), row.get("n", "")
        if not iri or not name:
            continue
        e = found.setdefault(iri, Entity(iri, row.get("class", "").rsplit("#", 1)[-1]))
        bucket = {"l": e.labels, "a": e.alt_labels, "c": e.codes}[row.get("p", "l")]
        if name not in bucket:
            bucket.append(name)
    return sorted(found.values(), key=lambda e: (e.label, e.iri))


def describe(run: Callable[[str], Result], entities: list[Entity]) -> list[str]:
    """``Label (role, country) <IRI>`` for each entity, to tell same-named ones apart."""
    iris = " ".join(f"<{e.iri}>" for e in entities if re.fullmatch(r"[^<>\"{}|^`\\\s]+", e.iri))
    context: dict[str, set[str]] = {}
    for row in run(_CONTEXT.format(iris=iris)).rows if iris else []:
        context.setdefault(row["e"], set()).add(row["what"])
    out = []
    for e in entities:
        about = ", ".join(sorted(context.get(e.iri, set())))
        out.append(f"{e.label}{f' ({about})' if about else ''} <{e.iri}>")
    return out


def resolve_params(query: StoredQuery, params: dict[str, str], run: Callable[[str], Result]) -> dict[str, str]:
    """``params`` with each name parameter bound to the IRI of the one entity it names.

    Values that are IRIs, or parameters that stand for no entity, are left alone.
    Raises ``QueryError`` when a name is ambiguous or names nothing in the graph.
    """
    out = dict(params)
    declared = set(query.param_names)  # an undeclared one is reported by ``bound_text``
    read: dict[tuple[str, ...], list[Entity]] = {}  # two parties of one kind: one read (~40 ms at 100k)
    for name, value in params.items():
        kinds = kinds_for(query, name) if name in declared else ()
        if not kinds or not value.strip() or re.match(r"https?://", value):
            continue
        if kinds not in read:
            read[kinds] = candidates(run, kinds)
        found = match(value, read[kinds])
        nouns = [_NOUN[k] for k in kinds]
        what = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " or " + nouns[-1]
        if found.how == "ambiguous":
            shown = describe(run, found.entities[:10])
            more = f"; and {len(found.entities) - 10} more" if len(found.entities) > 10 else ""
            raise QueryError(f"parameter {name}: {value!r} is ambiguous, it names {len(found.entities)} entities: "
                             + "; ".join(shown) + more,
                             fix=f"give the full name or the IRI, e.g. --param {name}=\"{found.entities[0].label}\"")
        if found.how == "unknown":
            hint = ("did you mean " + ", ".join(found.suggestions) + "? ") if found.suggestions else ""
            raise QueryError(f"parameter {name}: no {what} named {value!r} in the graph",
                             fix=f"{hint}`kg query --exact` compares the value as given")
        out[name] = found.term
    return out
