"""The project's vocabulary in one place.

Every ontology term the code uses is declared here; `_fail = True` makes a typo an
error at import time, and ``tests/test_vocab.py`` checks this list against
``ontology/diplomacy.ttl`` in both directions.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = URIRef("https://w3id.org/diplomacy-kg/ontology")
VOCAB_BASE = "https://w3id.org/diplomacy-kg/vocab/"
DEFAULT_BASE_IRI = "https://w3id.org/diplomacy-kg/id/"

SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
VOCAB = Namespace(VOCAB_BASE)


class DIP(DefinedNamespace):
    """Classes and properties of the diplomacy-kg ontology."""

    _fail = True
    _NS = Namespace("https://w3id.org/diplomacy-kg/ontology#")

    # classes
    Article: URIRef
    Leader: URIRef
    Country: URIRef
    Organization: URIRef
    Place: URIRef
    Meeting: URIRef
    PhoneCall: URIRef
    VideoConference: URIRef
    Summit: URIRef
    Visit: URIRef
    Talks: URIRef
    Pledge: URIRef
    Evidence: URIRef

    # entity properties
    leaderOf: URIRef
    heads: URIRef
    role: URIRef
    isoCode: URIRef
    inCountry: URIRef

    # event properties
    participant: URIRef
    date: URIRef
    dateText: URIRef
    location: URIRef
    mode: URIRef
    status: URIRef
    pledgedBy: URIRef
    pledgeType: URIRef
    recipient: URIRef
    amount: URIRef
    conditional: URIRef

    # provenance
    evidence: URIRef
    hasEvidence: URIRef
    sourceArticle: URIRef
    charStart: URIRef
    charEnd: URIRef

    # article metadata not covered by schema.org
    sourceName: URIRef
    contentHash: URIRef

    # summary numbers the store keeps at write time (kg.summary)
    meetingCount: URIRef
    meetingSourceCount: URIRef
    troopPledgeCount: URIRef
    troopPledgeSourceCount: URIRef
    corroboratingSourceCount: URIRef
    corroboratingReportCount: URIRef
    factDate: URIRef
    factCount: URIRef
    pairParty: URIRef
    pairReport: URIRef
    meetingsOf: URIRef
    meetingsOn: URIRef
    hasUndatedMeetings: URIRef
    listsMeeting: URIRef


MEETING_MODES = ("phone", "in_person", "virtual", "hybrid", "unknown")
MEETING_STATUSES = ("held", "planned")
PLEDGE_TYPES = (
    "troops", "peacekeepers", "security_guarantees", "weapons", "air_defense", "funding", "aid", "other",
)
LEADER_ROLES = (
    "president", "president_elect", "prime_minister", "chancellor", "monarch", "emir", "crown_prince",
    "foreign_minister", "defence_minister", "finance_minister", "minister", "secretary_general",
    "commission_president", "council_president", "head_of_organization",
)

#: concept scheme slug -> allowed notations; concept IRI = VOCAB_BASE + slug + "/" + notation
SCHEMES: dict[str, tuple[str, ...]] = {
    "meeting-mode": MEETING_MODES,
    "meeting-status": MEETING_STATUSES,
    "pledge-type": PLEDGE_TYPES,
    "leader-role": LEADER_ROLES,
}


def concept(scheme: str, notation: str) -> URIRef:
    """IRI of a SKOS concept; raises KeyError for a notation outside the scheme."""
    if notation not in SCHEMES[scheme]:
        raise KeyError(f"{notation!r} is not in the {scheme} scheme")
    return URIRef(f"{VOCAB_BASE}{scheme}/{notation}")


def scheme_iri(scheme: str) -> URIRef:
    return URIRef(f"{VOCAB_BASE}{scheme}")


#: prefixes used in every serialisation (Turtle, TriG, JSON-LD @context)
PREFIXES: dict[str, str] = {
    "dip": str(DIP._NS),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcterms": "http://purl.org/dc/terms/",
}
