"""The dataset's self-description: VoID for linked-data crawlers, DCAT for data catalogues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef

from kg.vocab import PREFIXES

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
MEDIA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Dump:
    path: str  # site-relative, e.g. dumps/diplomacy-kg.ttl.gz
    media_type: str  # of the RDF inside
    size: int
    gzipped: bool


def class_partitions(store: ox.Store) -> dict[str, int]:
    """Class IRI -> number of distinct instances, over all graphs."""
    rows = store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
                       use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    return {row[0].value: int(row[1].value) for row in rows if isinstance(row[0], ox.NamedNode)}


def void_graph(*, site_url: str, base_iri: str, title: str, triples: int, entities: int,
               classes: dict[str, int], dumps: list[Dump], sparql_endpoint: str | None = None,
               issued: date | None = None) -> Graph:
    g = Graph()
    for prefix, ns in {**PREFIXES, "void": str(VOID), "dcat": str(DCAT)}.items():
        g.bind(prefix, ns, override=True)
    ds = URIRef(site_url + "void.ttl#dataset")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(title, lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Meetings, pledges and leaders extracted from news articles about diplomacy, with provenance.",
        lang="en")))
    if issued is not None:
        g.add((ds, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))
    g.add((ds, VOID.triples, Literal(triples, datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(entities, datatype=XSD.integer)))
    g.add((ds, VOID.uriSpace, Literal(base_iri)))
    g.add((ds, VOID.vocabulary, URIRef(PREFIXES["dip"])))
    g.add((ds, VOID.rootResource, URIRef(site_url + "index.html")))
    if sparql_endpoint:
        g.add((ds, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
    for cls, count in sorted(classes.items()):
        part = URIRef(f"{site_url}void.ttl#class-{quote(cls, safe='')}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
    for dump in dumps:
        url = URIRef(site_url + dump.path)
        dist = URIRef(f"{site_url}void.ttl#{dump.path.rsplit('/', 1)[-1]}")
        g.add((ds, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, URIRef(MEDIA + dump.media_type)))
        g.add((dist, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
        if dump.gzipped:
            g.add((dist, DCAT.compressFormat, URIRef(MEDIA + "application/gzip")))
    return g
