"""``kg export --format schemaorg``: the articles and meetings as schema.org JSON-LD.

Search engines, CMSs and many linked-data tools read schema.org but not ``dip:``: this view says
the same facts in their terms. A ``NewsArticle`` per article (headline, datePublished, url, about
its meetings), an ``Event`` per meeting (name, startDate, location, attendee, subjectOf its
articles, eventStatus for a planned one, eventAttendanceMode), then the ``Person``, ``Country``,
``Organization`` and ``Place`` nodes they point to (name, sameAs Wikidata, jobTitle, nationality,
affiliation, containedInPlace). Pledges have no schema.org type and are left out.

Nodes keep the graph's IRIs as ``@id`` and are written one per line, sorted by IRI (same graph,
same bytes), with an inline ``@context`` (nothing is fetched to read it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

import pyoxigraph as ox

from kg.publish.plover import FROM, LABEL, SAME_AS, TYPE, WIKIDATA, GraphView, _local, _n
from kg.vocab import DIP, SCHEMA

S = str(SCHEMA)
CONTEXT = {"@vocab": S, "url": {"@type": "@id"}, "sameAs": {"@type": "@id"}}
ATTENDANCE = {"phone": "OnlineEventAttendanceMode", "virtual": "OnlineEventAttendanceMode",
              "in_person": "OfflineEventAttendanceMode", "hybrid": "MixedEventAttendanceMode"}


def _ref(node: Any) -> dict[str, str]:
    return {"@id": node.value}


class SchemaOrg:
    """Builds schema.org node objects; remembers the entities the events point to."""

    def __init__(self, view: GraphView) -> None:
        self.v = view
        self.pending: set[str] = set()

    def _point(self, node: Any) -> dict[str, str]:
        self.pending.add(node.value)
        return _ref(node)

    def article(self, node: Any) -> dict[str, Any]:
        v = self.v
        out: dict[str, Any] = {"@id": node.value, "@type": "NewsArticle"}
        for key, prop in (("headline", SCHEMA.headline), ("datePublished", SCHEMA.datePublished),
                          ("url", SCHEMA.url)):
            value = v.value(node, _n(prop))
            if value:
                out[key] = value
        about = [m for m in v.subjects(FROM, node) if str(DIP.Meeting) in v.types(m)]
        if about:
            out["about"] = [_ref(m) for m in about]
        return out

    def event(self, node: Any) -> dict[str, Any]:
        v = self.v
        out: dict[str, Any] = {"@id": node.value, "@type": "Event"}
        name = v.value(node, LABEL)
        if name:
            out["name"] = name
        date = v.value(node, _n(DIP.date))
        if date:
            out["startDate"] = date
        locs = v.objects(node, _n(DIP.location))
        if locs:
            out["location"] = self._point(locs[0])
        out["attendee"] = [self._point(p) for p in v.objects(node, _n(DIP.participant))]
        mode = _local(v.value(node, _n(DIP.mode)) or "unknown")
        if mode in ATTENDANCE:
            out["eventAttendanceMode"] = {"@id": S + ATTENDANCE[mode]}
        if (v.value(node, _n(DIP.status)) or "").endswith("/planned"):
            out["eventStatus"] = {"@id": S + "EventScheduled"}
        out["subjectOf"] = [_ref(a) for a in v.objects(node, FROM)]
        return out

    def entity(self, node: Any) -> dict[str, Any]:
        v, types = self.v, self.v.types(node)
        out: dict[str, Any] = {"@id": node.value}
        if str(DIP.Leader) in types:
            out["@type"] = "Person"
        elif str(DIP.Country) in types:
            out["@type"] = "Country"
        elif str(DIP.Organization) in types:
            out["@type"] = "Organization"
        else:
            out["@type"] = "Place"
        out["name"] = v.value(node, LABEL) or _local(node.value)
        iso = v.value(node, _n(DIP.isoCode))
        if iso:
            out["identifier"] = iso
        same = [s.value for s in v.objects(node, SAME_AS)
                if isinstance(s, ox.NamedNode) and s.value.startswith(WIKIDATA)]
        if same:
            out["sameAs"] = same
        role = v.value(node, _n(DIP.role))
        if role:
            out["jobTitle"] = _local(role).replace("_", " ")
        for key, prop in (("nationality", DIP.leaderOf), ("affiliation", DIP.heads),
                          ("containedInPlace", DIP.inCountry)):
            targets = v.objects(node, _n(prop))
            if targets:
                out[key] = [self._point(t) for t in targets]
        return out


def nodes(store: ox.Store, graph: str | None = None, merged: bool = False) -> Iterator[dict[str, Any]]:
    """Articles, then meetings, then every entity they point to (and those point to), each group by IRI."""
    s = SchemaOrg(GraphView(store, graph, merged))
    for node in s.v.subjects(TYPE, _n(DIP.Article)):
        yield s.article(node)
    for node in s.v.subjects(TYPE, _n(DIP.Meeting)):
        yield s.event(node)
    built: dict[str, dict[str, Any]] = {}
    while s.pending - built.keys():  # a leader's country, a place's country: a few hundred nodes at most
        for iri in sorted(s.pending - built.keys()):
            built[iri] = s.entity(ox.NamedNode(iri))
    for iri in sorted(built):
        yield built[iri]


def write_schemaorg(store: ox.Store, out: IO[bytes], *, graph: str | None = None, merged: bool = False) -> int:
    """One JSON-LD document, a node per line; returns the number of nodes."""
    out.write(b'{\n  "@context": ' + json.dumps(CONTEXT).encode() + b',\n  "@graph": [')
    sep, n = b"\n    ", 0
    for node in nodes(store, graph, merged):
        out.write(sep + json.dumps(node, ensure_ascii=False).encode())
        sep, n = b",\n    ", n + 1
    out.write(b"\n  ]\n}\n")
    return n
