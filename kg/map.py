"""Facts -> rdflib Graph, following the mapping in docs/ARCHITECTURE.md.

IRIs are minted from content, never from counters, so the same article always
gives the same graph and the same leader, country or dated meeting gets the same
IRI in every article: graphs from different articles merge by plain union.
"""

from __future__ import annotations

import hashlib
from functools import cache
from urllib.parse import quote

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.model import Article, EntityRef, Evidence, Facts, Leader, Meeting, Pledge
from kg.resources import resource_dir
from kg.vocab import DEFAULT_BASE_IRI, DIP, PREFIXES, PROV, SCHEMA, concept

Triple = tuple[URIRef, URIRef, Node]

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


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def date_literal(value: str) -> Literal:
    """``YYYY-MM-DD`` -> xsd:date, ``YYYY-MM`` -> xsd:gYearMonth, ``YYYY`` -> xsd:gYear."""
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(value))
    if datatype is None:
        raise ValueError(f"not a date of day, month or year precision: {value!r}")
    return Literal(value, datatype=datatype)


class Minter:
    """Mints the IRIs of one base."""

    def __init__(self, base_iri: str = DEFAULT_BASE_IRI) -> None:
        self.base = base_iri if base_iri.endswith(("/", "#")) else base_iri + "/"

    def iri(self, path: str, key: str) -> URIRef:
        return URIRef(f"{self.base}{path}/{quote(key, safe='-._~')}")

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


@cache
def _concept_description(iri: URIRef) -> tuple[Triple, ...]:
    """The triples ``to_graph`` copies from ``ontology/vocab.ttl`` for a concept it uses."""
    vocab = _vocab_graph()
    return tuple((iri, p, o) for p in (RDF.type, SKOS.notation, SKOS.prefLabel, SKOS.inScheme)
                 for o in vocab.objects(iri, p))


def _canonical_label(leader: Leader) -> str:
    from kg.link import canonical_leader_label

    return canonical_leader_label(leader.key) or leader.name


def _wikidata(leader: Leader) -> URIRef | None:
    from kg.link import leader_qid

    qid = leader_qid(leader.key)
    return URIRef(WIKIDATA + qid) if qid else None


class _Mapper:
    def __init__(self, facts: Facts, minter: Minter) -> None:
        self.facts = facts
        self.mint = minter
        self.triples: dict[Triple, None] = {}  # an ordered set: the graph, in the order it was written
        self.article_iri = minter.article(facts.article)
        self.labels: dict[tuple[str, str], str] = {}
        self.meeting_places: dict[str, str] = {}  # meeting key -> location key, within this article

    def add(self, s: URIRef, p: URIRef, o: Node) -> None:
        self.triples[(s, p, o)] = None

    def concept(self, scheme: str, notation: str) -> URIRef:
        iri = concept(scheme, notation)
        self.triples.update(dict.fromkeys(_concept_description(iri)))
        return iri

    def article(self) -> None:
        a, s = self.facts.article, self.article_iri
        self.add(s, RDF.type, DIP.Article)
        self.add(s, SCHEMA.headline, Literal(a.title))
        if a.published:
            self.add(s, SCHEMA.datePublished, Literal(a.published.isoformat(), datatype=XSD.dateTime))
        if a.author:
            self.add(s, SCHEMA.author, Literal(a.author))
        if a.url:
            self.add(s, SCHEMA.url, Literal(a.url, datatype=XSD.anyURI))
        self.add(s, DIP.sourceName, Literal(a.source))
        self.add(s, DIP.contentHash, Literal(a.content_hash))

    def entities(self) -> None:
        f = self.facts
        for c in f.countries:
            s = self.mint.iri("country", c.iso)
            self.add(s, RDF.type, DIP.Country)
            self.add(s, RDFS.label, Literal(c.name))
            self.add(s, DIP.isoCode, Literal(c.iso))
            self.labels[("country", c.iso)] = c.name
        for o in f.organizations:
            s = self.mint.iri("org", o.key)
            self.add(s, RDF.type, DIP.Organization)
            self.add(s, RDFS.label, Literal(o.name))
            self.labels[("org", o.key)] = o.name
        for p in f.places:
            s = self.mint.iri("place", p.key)
            self.add(s, RDF.type, DIP.Place)
            self.add(s, RDFS.label, Literal(p.name))
            if p.country:
                self.add(s, DIP.inCountry, self.mint.iri("country", p.country))
            self.labels[("place", p.key)] = p.name
        for lead in f.leaders:
            s = self.mint.iri("person", lead.key)
            label = _canonical_label(lead)
            self.labels[("leader", lead.key)] = label
            self.add(s, RDF.type, DIP.Leader)
            self.add(s, RDFS.label, Literal(label))
            if lead.name != label:
                self.add(s, SKOS.altLabel, Literal(lead.name))
            same = _wikidata(lead)
            if same is not None:
                self.add(s, OWL.sameAs, same)
            if lead.role:
                self.add(s, DIP.role, self.concept("leader-role", lead.role))
            if lead.country:
                self.add(s, DIP.leaderOf, self.mint.iri("country", lead.country))
            if lead.organization:
                self.add(s, DIP.heads, self.mint.iri("org", lead.organization))
            self.add(s, PROV.wasDerivedFrom, self.article_iri)

    def name(self, ref: EntityRef) -> str:
        return self.labels.get((ref.kind, ref.key), ref.label)

    def provenance(self, s: URIRef, evidence: Evidence) -> None:
        self.add(s, PROV.wasDerivedFrom, self.article_iri)
        self.add(s, DIP.evidence, Literal(evidence.sentence))
        ev = self.mint.iri("evidence", _digest(str(s), self.facts.article.key,
                                                str(evidence.span.start), str(evidence.span.end)))
        self.add(s, DIP.hasEvidence, ev)
        self.add(ev, RDF.type, DIP.Evidence)
        self.add(ev, DIP.sourceArticle, self.article_iri)
        self.add(ev, DIP.evidence, Literal(evidence.sentence))
        self.add(ev, DIP.charStart, Literal(evidence.span.start, datatype=XSD.integer))
        self.add(ev, DIP.charEnd, Literal(evidence.span.end, datatype=XSD.integer))

    def dated(self, s: URIRef, date: str | None, date_text: str | None) -> None:
        if date:
            self.add(s, DIP.date, date_literal(date))
        if date_text:
            self.add(s, DIP.dateText, Literal(date_text))

    def meeting(self, m: Meeting) -> None:
        key = meeting_key(m, self.facts.article)
        place = m.location.key if m.location else None
        if place and self.meeting_places.setdefault(key, place) != place:
            key = _digest(key, place)  # the same parties met again that day, somewhere else: another meeting
        s = self.mint.iri("meeting", key)
        cls = meeting_class(m)
        self.add(s, RDF.type, DIP.Meeting)
        if cls != DIP.Meeting:
            self.add(s, RDF.type, cls)
        names = sorted(self.name(p) for p in m.participants)
        when = f" ({m.date})" if m.date else ""
        self.add(s, RDFS.label, Literal(f"{_MEETING_WORD[cls]}: {', '.join(names)}{when}"))
        for p in m.participants:
            self.add(s, DIP.participant, self.mint.entity(p))
        self.dated(s, m.date, m.date_text)
        if m.location:
            self.add(s, DIP.location, self.mint.entity(m.location))
        self.add(s, DIP.mode, self.concept("meeting-mode", m.mode))
        self.add(s, DIP.status, self.concept("meeting-status", m.status))
        self.provenance(s, m.evidence)

    def pledge(self, p: Pledge) -> None:
        s = self.mint.iri("pledge", pledge_key(p, self.facts.article))
        self.add(s, RDF.type, DIP.Pledge)
        by = " and ".join(sorted(self.name(x) for x in p.pledgers))
        to = f" to {self.name(p.recipient)}" if p.recipient else ""
        what = p.amount or ("support" if p.pledge_type == "other" else p.pledge_type.replace("_", " "))
        verb = "pledge" if len(p.pledgers) > 1 else "pledges"
        self.add(s, RDFS.label, Literal(f"{by} {verb} {what}{to}"))
        for x in p.pledgers:
            self.add(s, DIP.pledgedBy, self.mint.entity(x))
        self.add(s, DIP.pledgeType, self.concept("pledge-type", p.pledge_type))
        if p.amount:
            self.add(s, DIP.amount, Literal(p.amount))
        if p.recipient:
            self.add(s, DIP.recipient, self.mint.entity(p.recipient))
        self.dated(s, p.date, p.date_text)
        if p.conditional:
            self.add(s, DIP.conditional, Literal(True))
        self.provenance(s, p.evidence)


def to_triples(facts: Facts, base_iri: str = DEFAULT_BASE_IRI) -> list[Triple]:
    """The triples of ``to_graph``, without duplicates, without building an rdflib Graph (for the ingest)."""
    mapper = _Mapper(facts, Minter(base_iri))
    mapper.article()
    mapper.entities()
    for m in facts.meetings:
        mapper.meeting(m)
    for p in facts.pledges:
        mapper.pledge(p)
    return list(mapper.triples)


def to_graph(facts: Facts, base_iri: str = DEFAULT_BASE_IRI) -> Graph:
    """The article's graph: its metadata, the entities it names, its meetings and pledges."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for triple in to_triples(facts, base_iri):
        g.add(triple)
    return g
