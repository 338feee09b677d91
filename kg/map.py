"""Facts -> triples, following the mapping in docs/ARCHITECTURE.md.

IRIs are minted from content, never from counters, so the same article always
gives the same graph and the same leader, country or dated meeting gets the same
IRI in every article: graphs from different articles merge by plain union.

The mapping is written once, on plain values (an IRI is a ``str``, a literal a
``Lit``): the ingest renders them straight to N-Triples (``kg.map_nt``), and
``to_graph`` turns them into rdflib terms. Building rdflib terms for every triple
and serialising them again was half the per-article cost of the ingest worker.
"""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from typing import NamedTuple
from urllib.parse import quote

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.model import Article, EntityRef, Evidence, Facts, Leader, Meeting, Pledge
from kg.resources import resource_dir
from kg.vocab import DEFAULT_BASE_IRI, DIP, PREFIXES, PROV, SCHEMA, concept

Triple = tuple[URIRef, URIRef, Node]


class Lit(NamedTuple):
    """A literal, as the arguments of the ``rdflib.Literal`` it stands for."""

    value: str | int | bool
    datatype: str | None = None
    lang: str | None = None


#: a triple of plain values: subject and predicate IRIs, and an IRI or a literal
Plain = tuple[str, str, str | Lit]

_MEETING_CLASS = {
    "call": DIP.PhoneCall, "video": DIP.VideoConference, "summit": DIP.Summit,
    "visit": DIP.Visit, "talks": DIP.Talks,
}
_MODE_CLASS = {"phone": DIP.PhoneCall, "virtual": DIP.VideoConference}
_MEETING_WORD = {
    DIP.PhoneCall: "Phone call", DIP.VideoConference: "Video conference", DIP.Summit: "Summit",
    DIP.Visit: "Visit", DIP.Talks: "Talks", DIP.Meeting: "Meeting",
}
WIKIDATA = "http://www.wikidata.org/entity/"
_KIND_PATH = {"leader": "person", "country": "country", "org": "org", "place": "place"}
_DATE_TYPES = {10: str(XSD.date), 7: str(XSD.gYearMonth), 4: str(XSD.gYear)}


class _V:
    """The vocabulary as plain strings (a ``DIP.x`` lookup is a Python call, a URIRef hash another)."""

    type, label, alt_label, same_as = str(RDF.type), str(RDFS.label), str(SKOS.altLabel), str(OWL.sameAs)
    derived = str(PROV.wasDerivedFrom)
    headline, published, author, url = str(SCHEMA.headline), str(SCHEMA.datePublished), str(SCHEMA.author), \
        str(SCHEMA.url)
    date_time, any_uri, integer = str(XSD.dateTime), str(XSD.anyURI), str(XSD.integer)
    Article, Country, Organization, Place = str(DIP.Article), str(DIP.Country), str(DIP.Organization), \
        str(DIP.Place)
    Leader, Meeting, Pledge, Evidence = str(DIP.Leader), str(DIP.Meeting), str(DIP.Pledge), str(DIP.Evidence)
    source_name, content_hash, iso, in_country = str(DIP.sourceName), str(DIP.contentHash), str(DIP.isoCode), \
        str(DIP.inCountry)
    role, leader_of, heads = str(DIP.role), str(DIP.leaderOf), str(DIP.heads)
    evidence, has_evidence, source_article = str(DIP.evidence), str(DIP.hasEvidence), str(DIP.sourceArticle)
    char_start, char_end = str(DIP.charStart), str(DIP.charEnd)
    date, date_text = str(DIP.date), str(DIP.dateText)
    participant, location, mode, status = str(DIP.participant), str(DIP.location), str(DIP.mode), str(DIP.status)
    pledged_by, pledge_type, amount, recipient = str(DIP.pledgedBy), str(DIP.pledgeType), str(DIP.amount), \
        str(DIP.recipient)
    conditional = str(DIP.conditional)


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _date_lit(value: str) -> Lit:
    datatype = _DATE_TYPES.get(len(value))
    if datatype is None:
        raise ValueError(f"not a date of day, month or year precision: {value!r}")
    return Lit(value, datatype)


def date_literal(value: str) -> Literal:
    """``YYYY-MM-DD`` -> xsd:date, ``YYYY-MM`` -> xsd:gYearMonth, ``YYYY`` -> xsd:gYear."""
    return to_term(_date_lit(value))  # type: ignore[return-value]


class Minter:
    """Mints the IRIs of one base."""

    def __init__(self, base_iri: str = DEFAULT_BASE_IRI) -> None:
        self.base = base_iri if base_iri.endswith(("/", "#")) else base_iri + "/"

    def key_iri(self, path: str, key: str) -> str:
        return f"{self.base}{path}/{quote(key, safe='-._~')}"

    def iri(self, path: str, key: str) -> URIRef:
        return URIRef(self.key_iri(path, key))

    def entity(self, ref: EntityRef) -> URIRef:
        return self.iri(_KIND_PATH[ref.kind], ref.key)

    def article(self, article: Article) -> URIRef:
        return self.iri("article", article.key)

    def article_graph(self, article: Article) -> URIRef:
        return self.iri("graph/article", article.key)


def _party_keys(refs: list[EntityRef]) -> str:
    return ",".join(sorted(f"{r.kind}:{r.key}" for r in refs))


def meeting_class(meeting: Meeting) -> URIRef:
    return _MODE_CLASS.get(meeting.mode) or _MEETING_CLASS.get(meeting.kind, DIP.Meeting)


def meeting_key(meeting: Meeting, article: Article) -> str:
    """Dated meetings are identified by what they are, so two reports of one meeting merge."""
    parts = [_party_keys(meeting.participants), meeting_class(meeting), meeting.status]
    if meeting.date and len(meeting.date) == 10:
        return _digest(*parts, meeting.date)
    return _digest(*parts, meeting.date or "", article.key, str(meeting.evidence.span.start))


def pledge_key(pledge: Pledge, article: Article) -> str:
    recipient = pledge.recipient.key if pledge.recipient else ""
    amount = " ".join((pledge.amount or "").lower().split())
    parts = [_party_keys(pledge.pledgers), pledge.pledge_type, recipient, amount]
    if pledge.date and len(pledge.date) == 10:
        return _digest(*parts, pledge.date)
    return _digest(*parts, pledge.date or "", article.key, str(pledge.evidence.span.start))


@cache
def _vocab_graph() -> Graph:
    return Graph().parse(resource_dir("ontology") / "vocab.ttl", format="turtle")


def _plain(term: Node) -> str | Lit:
    if isinstance(term, Literal):
        return Lit(str(term), str(term.datatype) if term.datatype else None, term.language)
    return str(term)


@lru_cache(maxsize=256)
def _concept(scheme: str, notation: str) -> tuple[str, tuple[Plain, ...]]:
    """A concept's IRI and the triples ``to_graph`` copies from ``ontology/vocab.ttl`` for it."""
    iri = concept(scheme, notation)  # a KeyError for a notation outside the scheme
    vocab = _vocab_graph()
    return str(iri), tuple((str(iri), str(p), _plain(o)) for p in (RDF.type, SKOS.notation, SKOS.prefLabel,
                                                                    SKOS.inScheme) for o in vocab.objects(iri, p))


def _canonical_label(leader: Leader) -> str:
    from kg.link import canonical_leader_label

    return canonical_leader_label(leader.key) or leader.name


def _wikidata(leader: Leader) -> str | None:
    from kg.link import leader_qid

    qid = leader_qid(leader.key)
    return WIKIDATA + qid if qid else None


class _Mapper:
    def __init__(self, facts: Facts, minter: Minter) -> None:
        self.facts = facts
        self.mint = minter
        self.triples: dict[Plain, None] = {}  # an ordered set: the graph, in the order it was written
        self.article_iri = minter.key_iri("article", facts.article.key)
        self.labels: dict[tuple[str, str], str] = {}
        self.meeting_places: dict[str, str] = {}  # meeting key -> location key, within this article

    def add(self, s: str, p: str, o: str | Lit) -> None:
        self.triples[(s, p, o)] = None

    def entity(self, ref: EntityRef) -> str:
        return self.mint.key_iri(_KIND_PATH[ref.kind], ref.key)

    def concept(self, scheme: str, notation: str) -> str:
        iri, description = _concept(scheme, notation)
        self.triples.update(dict.fromkeys(description))
        return iri

    def article(self) -> None:
        a, s, v = self.facts.article, self.article_iri, _V
        self.add(s, v.type, v.Article)
        self.add(s, v.headline, Lit(a.title))
        if a.published:
            self.add(s, v.published, Lit(a.published.isoformat(), v.date_time))
        if a.author:
            self.add(s, v.author, Lit(a.author))
        if a.url:
            self.add(s, v.url, Lit(a.url, v.any_uri))
        self.add(s, v.source_name, Lit(a.source))
        self.add(s, v.content_hash, Lit(a.content_hash))

    def entities(self) -> None:
        f, iri, v = self.facts, self.mint.key_iri, _V
        for c in f.countries:
            s = iri("country", c.iso)
            self.add(s, v.type, v.Country)
            self.add(s, v.label, Lit(c.name))
            self.add(s, v.iso, Lit(c.iso))
            self.labels[("country", c.iso)] = c.name
        for o in f.organizations:
            s = iri("org", o.key)
            self.add(s, v.type, v.Organization)
            self.add(s, v.label, Lit(o.name))
            self.labels[("org", o.key)] = o.name
        for p in f.places:
            s = iri("place", p.key)
            self.add(s, v.type, v.Place)
            self.add(s, v.label, Lit(p.name))
            if p.country:
                self.add(s, v.in_country, iri("country", p.country))
            self.labels[("place", p.key)] = p.name
        for lead in f.leaders:
            s = iri("person", lead.key)
            label = _canonical_label(lead)
            self.labels[("leader", lead.key)] = label
            self.add(s, v.type, v.Leader)
            self.add(s, v.label, Lit(label))
            if lead.name != label:
                self.add(s, v.alt_label, Lit(lead.name))
            same = _wikidata(lead)
            if same is not None:
                self.add(s, v.same_as, same)
            if lead.role:
                self.add(s, v.role, self.concept("leader-role", lead.role))
            if lead.country:
                self.add(s, v.leader_of, iri("country", lead.country))
            if lead.organization:
                self.add(s, v.heads, iri("org", lead.organization))
            self.add(s, v.derived, self.article_iri)

    def name(self, ref: EntityRef) -> str:
        return self.labels.get((ref.kind, ref.key), ref.label)

    def provenance(self, s: str, evidence: Evidence) -> None:
        v, sentence = _V, Lit(evidence.sentence)
        self.add(s, v.derived, self.article_iri)
        self.add(s, v.evidence, sentence)
        ev = self.mint.key_iri("evidence", _digest(s, self.facts.article.key,
                                                    str(evidence.span.start), str(evidence.span.end)))
        self.add(s, v.has_evidence, ev)
        self.add(ev, v.type, v.Evidence)
        self.add(ev, v.source_article, self.article_iri)
        self.add(ev, v.evidence, sentence)
        self.add(ev, v.char_start, Lit(evidence.span.start, v.integer))
        self.add(ev, v.char_end, Lit(evidence.span.end, v.integer))

    def dated(self, s: str, date: str | None, date_text: str | None) -> None:
        if date:
            self.add(s, _V.date, _date_lit(date))
        if date_text:
            self.add(s, _V.date_text, Lit(date_text))

    def meeting(self, m: Meeting) -> None:
        v = _V
        key = meeting_key(m, self.facts.article)
        place = m.location.key if m.location else None
        if place and self.meeting_places.setdefault(key, place) != place:
            key = _digest(key, place)  # the same parties met again that day, somewhere else: another meeting
        s = self.mint.key_iri("meeting", key)
        cls = meeting_class(m)
        self.add(s, v.type, v.Meeting)
        if cls != v.Meeting:
            self.add(s, v.type, str(cls))
        names = sorted(self.name(p) for p in m.participants)
        when = f" ({m.date})" if m.date else ""
        self.add(s, v.label, Lit(f"{_MEETING_WORD[cls]}: {', '.join(names)}{when}"))
        for p in m.participants:
            self.add(s, v.participant, self.entity(p))
        self.dated(s, m.date, m.date_text)
        if m.location:
            self.add(s, v.location, self.entity(m.location))
        self.add(s, v.mode, self.concept("meeting-mode", m.mode))
        self.add(s, v.status, self.concept("meeting-status", m.status))
        self.provenance(s, m.evidence)

    def pledge(self, p: Pledge) -> None:
        v = _V
        s = self.mint.key_iri("pledge", pledge_key(p, self.facts.article))
        self.add(s, v.type, v.Pledge)
        by = " and ".join(sorted(self.name(x) for x in p.pledgers))
        to = f" to {self.name(p.recipient)}" if p.recipient else ""
        what = p.amount or ("support" if p.pledge_type == "other" else p.pledge_type.replace("_", " "))
        verb = "pledge" if len(p.pledgers) > 1 else "pledges"
        self.add(s, v.label, Lit(f"{by} {verb} {what}{to}"))
        for x in p.pledgers:
            self.add(s, v.pledged_by, self.entity(x))
        self.add(s, v.pledge_type, self.concept("pledge-type", p.pledge_type))
        if p.amount:
            self.add(s, v.amount, Lit(p.amount))
        if p.recipient:
            self.add(s, v.recipient, self.entity(p.recipient))
        self.dated(s, p.date, p.date_text)
        if p.conditional:
            self.add(s, v.conditional, Lit(True))
        self.provenance(s, p.evidence)


def to_plain(facts: Facts, base_iri: str = DEFAULT_BASE_IRI) -> list[Plain]:
    """The article's triples as plain values, without duplicates, in the order they were written."""
    mapper = _Mapper(facts, Minter(base_iri))
    mapper.article()
    mapper.entities()
    for m in facts.meetings:
        mapper.meeting(m)
    for p in facts.pledges:
        mapper.pledge(p)
    return list(mapper.triples)


def to_term(value: str | Lit) -> Node:
    """The rdflib term of a plain value."""
    if isinstance(value, str):
        return URIRef(value)
    return Literal(value.value, lang=value.lang, datatype=URIRef(value.datatype) if value.datatype else None)


def to_triples(facts: Facts, base_iri: str = DEFAULT_BASE_IRI) -> list[Triple]:
    """The triples of ``to_graph``, without duplicates, without building an rdflib Graph."""
    return rdflib_triples(to_plain(facts, base_iri))


def rdflib_triples(triples: list[Plain]) -> list[Triple]:
    terms = {x: to_term(x) for t in triples for x in t}
    return [(terms[s], terms[p], terms[o]) for s, p, o in triples]  # type: ignore[misc]


def to_graph(facts: Facts, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """The article's graph: its metadata, the entities it names, its meetings and pledges."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for triple in to_triples(facts, base_iri):
        g.add(triple)
    return g
