"""What the pages and views show, read from the graph in a few bulk SPARQL queries.

The published site and ``kg serve`` build the same ``Model`` (leaders, countries,
organisations, places, meetings, pledges, articles and their evidence spans) through a
``Select`` function: the site runs the queries on its store, ``kg serve`` in its query
workers. Reading in bulk (a dozen queries, not one per resource) keeps a 10,000-article
site fast to build. ``view_data`` turns the model into the JSON the browser views read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kg.publish.gazetteer import capitals, fold, known_names, locate_all
from kg.vocab import PREFIXES

#: runs a SELECT query and gives its rows as {variable: IRI or literal lexical form}
Select = Callable[[str], list[dict[str, str]]]
DIP = PREFIXES["dip"]
KINDS = {DIP + "Leader": "leader", DIP + "Country": "country", DIP + "Organization": "organisation",
         DIP + "Place": "place"}
MEETING_TYPES = {"Summit": "Summit", "PhoneCall": "Phone call", "VideoConference": "Video conference",
                 "Visit": "Visit", "Talks": "Talks"}
PLEDGE_TYPES = {"troops": "troops", "peacekeepers": "peacekeepers", "security_guarantees": "security guarantees",
                "weapons": "weapons", "air_defense": "air defence", "funding": "funding", "aid": "aid",
                "other": "other support"}
WIKIDATA = "http://www.wikidata.org/entity/"
_PRE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


@dataclass
class Evidence:
    article: str
    start: int
    end: int
    text: str

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.article, self.start, self.end)

    @property
    def anchor(self) -> str:
        return f"span-{self.start}-{self.end}"


@dataclass
class Entity:
    iri: str
    kind: str
    label: str
    aliases: set[str] = field(default_factory=set)
    iso: str = ""
    country: str = ""  # a leader's country (dip:leaderOf) or a place's (dip:inCountry)
    role: str = ""
    heads: str = ""
    same_as: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)


@dataclass
class Event:
    iri: str
    kind: str  # "meeting" or "pledge"
    label: str = ""
    type: str = ""  # meeting subclass name or pledge-type notation
    date: str = ""
    date_text: str = ""
    parties: list[str] = field(default_factory=list)  # participants, or who pledged
    recipient: str = ""
    place: str = ""
    amount: str = ""
    mode: str = ""
    status: str = ""
    conditional: bool = False
    articles: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)
    same_as: set[str] = field(default_factory=set)

    @property
    def type_label(self) -> str:
        if self.kind == "meeting":
            return MEETING_TYPES.get(self.type, "Meeting")
        return "Pledge of " + PLEDGE_TYPES.get(self.type, self.type or "support")


@dataclass
class Article:
    iri: str
    title: str = ""
    date: str = ""
    url: str = ""
    source: str = ""
    author: str = ""


@dataclass
class Model:
    entities: dict[str, Entity] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        if iri in self.entities:
            return self.entities[iri].label
        if iri in self.events:
            return self.events[iri].label or self.events[iri].type_label
        if iri in self.articles:
            return self.articles[iri].title or self.articles[iri].source or iri
        return iri.rstrip("/").rsplit("/", 1)[-1]


def _lit(row: dict[str, str], key: str) -> str:
    return row.get(key, "")


def build_model(select: Select) -> Model:
    """Read everything the pages and views need, in bulk."""
    m = Model()
    q = lambda text: select(_PRE + text)  # noqa: E731
    for row in q("SELECT DISTINCT ?s ?t WHERE { ?s a ?t FILTER(?t IN (dip:Leader, dip:Country, dip:Organization, "
                 "dip:Place)) }"):
        m.entities.setdefault(row["s"], Entity(row["s"], KINDS[row["t"]], ""))
    for row in q("SELECT DISTINCT ?s ?l WHERE { ?s a ?t ; rdfs:label ?l FILTER(?t IN (dip:Leader, dip:Country, "
                 "dip:Organization, dip:Place)) }"):
        ent = m.entities[row["s"]]
        if not ent.label or row["l"] < ent.label:
            ent.label = row["l"]
    for ent in m.entities.values():
        ent.label = ent.label or ent.iri.rsplit("/", 1)[-1]
    for pred, attr in (("skos:altLabel", "aliases"), ("owl:sameAs", "same_as"), ("prov:wasDerivedFrom", "articles")):
        for row in q(f"SELECT DISTINCT ?s ?o WHERE {{ ?s {pred} ?o }}"):
            target = m.entities.get(row["s"])
            if target is not None:
                getattr(target, attr).add(row["o"])
    for pred, attr in (("dip:isoCode", "iso"), ("dip:leaderOf", "country"), ("dip:inCountry", "country"),
                       ("dip:heads", "heads")):
        for row in q(f"SELECT DISTINCT ?s ?o WHERE {{ ?s {pred} ?o }}"):
            if row["s"] in m.entities:
                setattr(m.entities[row["s"]], attr, row["o"])
    for row in q("SELECT DISTINCT ?s ?l WHERE { ?s dip:role ?r . ?r skos:prefLabel ?l }"):
        if row["s"] in m.entities:
            m.entities[row["s"]].role = row["l"]
    _events(q, m)
    _articles(q, m)
    return m


#: what a meeting's and a pledge's page shows: ``Event`` attribute -> property path (all optional)
MEETING_FIELDS = {"label": "rdfs:label", "date": "dip:date", "date_text": "dip:dateText", "place": "dip:location",
                  "mode": "dip:mode/skos:notation", "status": "dip:status/skos:notation"}
PLEDGE_FIELDS = {"label": "rdfs:label", "date": "dip:date", "date_text": "dip:dateText",
                 "type": "dip:pledgeType/skos:notation", "amount": "dip:amount", "recipient": "dip:recipient",
                 "conditional": "dip:conditional"}


def _event_fields(q: Select, m: Model, kind: str, cls: str, fields: dict[str, str]) -> None:
    """Events of class ``cls`` with ``fields``, one query; a field keeps the first value met."""
    optional = " ".join(f"OPTIONAL {{ ?e {path} ?{attr} }}" for attr, path in fields.items())
    for row in q(f"SELECT DISTINCT ?e {' '.join('?' + a for a in fields)} WHERE {{ ?e a {cls} . {optional} }}"):
        ev = m.events.setdefault(row["e"], Event(row["e"], kind))
        for attr in fields:
            if attr == "conditional":
                ev.conditional = ev.conditional or _lit(row, attr) in ("true", "1")
            elif not getattr(ev, attr):
                setattr(ev, attr, _lit(row, attr))


def _events(q: Select, m: Model) -> None:
    _event_fields(q, m, "meeting", "dip:Meeting", MEETING_FIELDS)
    for row in q("SELECT DISTINCT ?e ?t WHERE { ?e a dip:Meeting , ?t FILTER(?t != dip:Meeting) }"):
        if row["t"].startswith(DIP) and row["e"] in m.events:
            m.events[row["e"]].type = row["t"][len(DIP):]
    _event_fields(q, m, "pledge", "dip:Pledge", PLEDGE_FIELDS)
    for pred in ("dip:participant", "dip:pledgedBy"):
        for row in q(f"SELECT DISTINCT ?e ?p WHERE {{ ?e {pred} ?p }}"):
            found = m.events.get(row["e"])
            if found is not None and row["p"] not in found.parties:
                found.parties.append(row["p"])
    for row in q("SELECT DISTINCT ?e ?o WHERE { ?e owl:sameAs ?o FILTER(?o != ?e) }"):
        if row["e"] in m.events and row["o"] in m.events:
            m.events[row["e"]].same_as.add(row["o"])
            m.events[row["o"]].same_as.add(row["e"])
    for ev in m.events.values():
        ev.parties.sort(key=lambda p: (m.label(p).lower(), p))


def _articles(q: Select, m: Model) -> None:
    for row in q("SELECT DISTINCT ?a ?t ?d ?u ?s ?au WHERE { ?a a dip:Article . OPTIONAL { ?a schema:headline ?t } "
                 "OPTIONAL { ?a schema:datePublished ?d } OPTIONAL { ?a schema:url ?u } "
                 "OPTIONAL { ?a dip:sourceName ?s } OPTIONAL { ?a schema:author ?au } }"):
        art = m.articles.setdefault(row["a"], Article(row["a"]))
        art.title, art.date = art.title or _lit(row, "t"), art.date or _lit(row, "d")[:10]
        art.url, art.source = art.url or _lit(row, "u"), art.source or _lit(row, "s")
        art.author = art.author or _lit(row, "au")
    for row in q("SELECT DISTINCT ?e ?a WHERE { ?e prov:wasDerivedFrom ?a }"):
        if row["e"] in m.events:
            m.events[row["e"]].articles.add(row["a"])
    for row in q("SELECT DISTINCT ?x ?ev ?a ?s ?e ?t WHERE { ?x dip:hasEvidence ?ev . ?ev dip:sourceArticle ?a ; "
                 "dip:charStart ?s ; dip:charEnd ?e . OPTIONAL { ?ev dip:evidence ?t } }"):
        try:
            ev = m.evidence.get(row["ev"]) or Evidence(row["a"], int(row["s"]), int(row["e"]), _lit(row, "t"))
        except ValueError:
            continue
        m.evidence[row["ev"]] = ev
        if row["x"] in m.events and ev not in m.events[row["x"]].evidence:
            m.events[row["x"]].evidence.append(ev)
    for event in m.events.values():
        event.evidence.sort(key=lambda e: (e.article, e.start))


def sort_key(ev: Event) -> tuple[str, str, str]:
    """Dated events first, by date; the undated after them, by label."""
    return (ev.date or "9999", ev.label.lower(), ev.iri)


def _located(m: Model) -> dict[str, tuple[float, float]]:
    """Place or country IRI -> coordinates, for every location some meeting has."""
    locations = {ev.place for ev in m.events.values() if ev.place in m.entities}
    isos = {iri: m.entities[iri].iso for iri in locations if m.entities[iri].kind == "country"}
    places = {iri: (m.entities[iri].label, m.entities.get(m.entities[iri].country, Entity("", "", "")).iso)
              for iri in locations if m.entities[iri].kind == "place"}
    found = locate_all(set(places.values()))
    caps = capitals({iso for iso in isos.values() if iso})
    out = {iri: found[key] for iri, key in places.items() if key in found}
    out.update({iri: caps[iso] for iri, iso in isos.items() if iso in caps})
    return out


def view_data(m: Model, href: Callable[[str], str | None], base_iri: str) -> dict[str, Any]:
    """The JSON of the views: entities (with search keys), events, places; ``href`` gives each page's path.

    Search keys are folded names (no case, no accents): the label, the spellings the articles used
    (``skos:altLabel``) and the names the gazetteers know (``Zelenskiy``, ``U.K.``, ``Nato``).
    """
    ordered = sorted(m.entities.items(), key=lambda kv: (kv[1].label.lower(), kv[0]))
    index = {iri: i for i, (iri, _) in enumerate(ordered)}
    entities: list[dict[str, Any]] = []
    for iri, ent in ordered:
        names = {ent.label, *ent.aliases}
        if iri.startswith(base_iri):
            names |= known_names(iri[len(base_iri):])
        keys = sorted({fold(n) for n in names if n})
        item: dict[str, Any] = {"label": ent.label, "kind": ent.kind, "href": href(iri) or "", "keys": keys}
        if ent.aliases:
            item["aliases"] = sorted(ent.aliases - {ent.label})
        if ent.role:
            item["role"] = ent.role
        if ent.country in m.entities:
            item["country"] = m.entities[ent.country].label
            item["in"] = index[ent.country]
        entities.append(item)
    events: list[dict[str, Any]] = []
    for ev in sorted(m.events.values(), key=sort_key):
        item = {"kind": ev.kind, "type": ev.type_label, "label": ev.label or ev.type_label, "date": ev.date,
                "href": href(ev.iri) or "", "parties": [index[p] for p in ev.parties if p in index]}
        if ev.place in index:
            item["place"] = index[ev.place]
        if ev.recipient in index:
            item["to"] = index[ev.recipient]
        if ev.amount:
            item["amount"] = ev.amount
        if ev.status == "planned":
            item["planned"] = True
        events.append(item)
    places = [{"entity": index[iri], "lat": round(lat, 4), "lon": round(lon, 4)}
              for iri, (lat, lon) in sorted(_located(m).items()) if iri in index]
    return {"entities": entities, "events": events, "places": places}


def store_select(store: Any, union: bool) -> Select:
    """A ``Select`` over a pyoxigraph store (``union``: read all graphs as the default graph)."""

    def select(text: str) -> list[dict[str, str]]:
        answer = store.query(text, use_default_graph_as_union=union)
        names = [v.value for v in answer.variables]
        return [{n: sol[n].value for n in names if sol[n] is not None} for sol in answer]

    return select
