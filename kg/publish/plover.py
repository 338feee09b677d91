"""``kg export --format plover``: meetings and pledges as PLOVER event records (JSON Lines).

PLOVER (the event ontology behind POLECAT) is what event-data peers read, so the graph can be
compared with their data. The mapping follows ``PLOVER_MANUAL.tex`` (2.0 draft, 5e0c24f):

- a meeting that took place is ``CONSULT`` (mode ``phone`` for calls and video conferences,
  ``visit`` when one side hosts: guests are ``actor``, hosts ``recipient``, ``multilateral`` with an
  organisation or at a summit, ``third-party`` in a country none of the parties is from);
- a planned meeting and every pledge is ``AGREE`` (a promise; AID is for aid delivered, which the
  graph never claims), with no mode.

``date`` must be a full day. A month or year (``xsd:gYearMonth``/``gYear``) becomes its first day
with ``enddate`` its last and ``date_precision`` saying which; a meeting announced for later is
dated by the article that announced it (the promise) with the meeting's own date in
``planned_date``; an event without a date takes its article's publication date
(``date_precision: "published"``, as POLECAT dates events by their story); with neither, the
record is skipped and counted. Records are sorted by IRI and the ``id`` is the IRI: same graph,
same bytes.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterator
from typing import IO, Any

import pycountry
import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, URIRef

import kg
from kg.publish.source import term_key
from kg.vocab import DIP, SCHEMA, VOCAB_BASE

WIKIDATA = "http://www.wikidata.org/entity/"
CODEBOOK = "PLOVER 2.0 draft (PLOVER_MANUAL.tex 5e0c24f)"
#: organisations by key or kind -> the PLOVER country slot (UNO: UN system, EUR: EU institutions)
ORG_CODES = {"united-nations": "UNO", "un-security-council": "UNO", "un-general-assembly": "UNO", "unrwa": "UNO",
             "european-union": "EUR", "european-commission": "EUR", "european-council": "EUR",
             "council-of-the-eu": "EUR", "european-parliament": "EUR", "european-central-bank": "EUR",
             "eib": "EUR"}
KIND_CODES = {"armed-group": "IMG"}  # every other kind (alliance, body, bank, group, ...) is IGO
#: pledge type -> PLOVER contexts (there is no "security" or "humanitarian" context)
PLEDGE_CONTEXTS = {"troops": ["military"], "peacekeepers": ["peacekeeping", "military"],
                   "security_guarantees": ["military"], "weapons": ["military"], "air_defense": ["military"],
                   "funding": ["economic"], "aid": ["economic"], "other": ["diplomatic"]}
#: CONSULT mode -> event_scale (AGREE and plain CONSULT: 2.5)
SCALES = {"visit": 4.0, "third-party": 1.0, "multilateral": 4.0, "phone": 1.5}
REMOTE_MODES = ("phone", "virtual")


def _n(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


TYPE, LABEL, SAME_AS = _n(RDF.type), _n(RDFS.label), _n(OWL.sameAs)
FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")


class GraphView:
    """Sorted, deduplicated look-ups in one graph, the merged default graph, or every graph."""

    def __init__(self, store: ox.Store, graph: str | None, merged: bool) -> None:
        self.store = store
        self.graph: ox.NamedNode | ox.DefaultGraph | None = (
            ox.NamedNode(graph) if graph else ox.DefaultGraph() if merged else None)

    def objects(self, s: Any, p: ox.NamedNode) -> list[Any]:
        return sorted({q.object for q in self.store.quads_for_pattern(s, p, None, self.graph)}, key=term_key)

    def subjects(self, p: ox.NamedNode, o: Any) -> list[Any]:
        return sorted({q.subject for q in self.store.quads_for_pattern(None, p, o, self.graph)}, key=term_key)

    def value(self, s: Any, p: ox.NamedNode) -> str | None:
        found = self.objects(s, p)
        return found[0].value if found else None

    def types(self, s: Any) -> set[str]:
        return {t.value for t in self.objects(s, TYPE)}


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def alpha3(iso2: str) -> str | None:
    """ISO 3166 alpha-3 from alpha-2 (Kosovo, user-assigned XK, is PLOVER's KOS)."""
    if iso2.upper() == "XK":
        return "KOS"
    found = pycountry.countries.get(alpha_2=iso2.upper())
    return found.alpha_3 if found else None


def org_code(key: str) -> str:
    from kg.link import gazetteer

    if key in ORG_CODES:
        return ORG_CODES[key]
    entry = gazetteer().orgs.get(key)
    return KIND_CODES.get(entry.kind, "IGO") if entry else "IGO"


class Plover:
    """Builds PLOVER records from a graph view; entity objects are cached (a few hundred per corpus)."""

    def __init__(self, view: GraphView) -> None:
        self.v = view
        self._entities: dict[str, dict[str, Any]] = {}

    def country_iso(self, node: Any) -> str | None:
        iso = self.v.value(node, _n(DIP.isoCode))
        return iso or (_local(node.value) if "/country/" in node.value else None)

    def home(self, node: Any) -> str | None:
        """The ISO alpha-2 code a party belongs to (a country's own, a leader's country)."""
        types = self.v.types(node)
        if str(DIP.Country) in types or "/country/" in node.value:
            return self.country_iso(node)
        for country in self.v.objects(node, _n(DIP.leaderOf)):
            return self.country_iso(country)
        return None

    def is_org(self, node: Any) -> bool:
        if str(DIP.Organization) in self.v.types(node):
            return True
        return bool(self.v.objects(node, _n(DIP.heads))) and not self.v.objects(node, _n(DIP.leaderOf))

    def entity(self, node: Any) -> dict[str, Any]:
        key = node.value
        if key not in self._entities:
            self._entities[key] = self._entity(node)
        return self._entities[key]

    def _entity(self, node: Any) -> dict[str, Any]:
        v, types = self.v, self.v.types(node)
        label = v.value(node, LABEL) or _local(node.value)
        out: dict[str, Any] = {}
        if str(DIP.Organization) in types or "/org/" in node.value:
            out["code"] = org_code(_local(node.value))
        else:
            iso = self.home(node)
            code = alpha3(iso) if iso else None
            if code is None:
                for org in v.objects(node, _n(DIP.heads)):
                    code = org_code(_local(org.value))
            if code:
                out["code"] = code
            if v.objects(node, _n(DIP.leaderOf)) or str(DIP.Country) in types:
                out["sector"] = "GOV"
        out["entity_text"] = label
        for same in v.objects(node, SAME_AS):
            if isinstance(same, ox.NamedNode) and same.value.startswith(WIKIDATA):
                out["identifier_id"] = same.value[len(WIKIDATA):]
                out["identifier_text"] = label
                break
        role = v.value(node, _n(DIP.role))
        if role:
            out["office"] = _local(role).replace("_", " ")
        return out

    def location(self, node: Any) -> dict[str, Any]:
        label = self.v.value(node, LABEL) or _local(node.value)
        if str(DIP.Place) in self.v.types(node) or "/place/" in node.value:
            loc: dict[str, Any] = {"extracted_place": label, "resolved_place": label, "city": label,
                                   "resolution": 4}
            countries = self.v.objects(node, _n(DIP.inCountry))
            if countries:
                iso = self.country_iso(countries[0])
                loc["country"] = self.v.value(countries[0], LABEL) or iso
                if iso and alpha3(iso):
                    loc["country_code"] = alpha3(iso)
            return loc
        iso = self.country_iso(node)
        loc = {"extracted_place": label, "resolved_place": label, "country": label, "resolution": 1}
        if iso and alpha3(iso):
            loc["country_code"] = alpha3(iso)
        return loc

    def source(self, node: Any) -> tuple[Any, dict[str, Any] | None, dict[str, Any] | None]:
        """The article cited (earliest published, then by IRI), its cite_info and the evidence span in it."""
        articles = self.v.objects(node, FROM)
        if not articles:
            return None, None, None
        art = min(articles, key=lambda a: (self.v.value(a, _n(SCHEMA.datePublished)) or "~", a.value))
        cite: dict[str, Any] = {"corpus": "diplomacy-kg", "citation": art.value}
        url, title = self.v.value(art, _n(SCHEMA.url)), self.v.value(art, _n(SCHEMA.headline))
        if url:
            cite["url"] = url
        if title:
            cite["title"] = title
        cite.update(codebook=CODEBOOK, version=kg.__version__)
        spans = []
        for ev in self.v.objects(node, _n(DIP.hasEvidence)):
            if art not in self.v.objects(ev, _n(DIP.sourceArticle)):
                continue
            start, end = self.v.value(ev, _n(DIP.charStart)), self.v.value(ev, _n(DIP.charEnd))
            if start is not None and end is not None:
                spans.append((int(start), int(end)))
        first = min(spans) if spans else None
        text = {"text_story": art.value, "start": first[0], "end": first[1]} if first else None
        return art, cite, text

    def link(self, node: Any) -> str | None:
        """The smallest IRI among the reports ``owl:sameAs`` links to this one (other articles' reports)."""
        seen, todo = {node.value}, [node]
        while todo and len(seen) < 1000:
            here = todo.pop()
            for other in [*self.v.objects(here, SAME_AS), *self.v.subjects(SAME_AS, here)]:
                fresh = isinstance(other, ox.NamedNode) and other.value not in seen
                if fresh and not other.value.startswith(WIKIDATA):
                    seen.add(other.value)
                    todo.append(other)
        return min(seen) if len(seen) > 1 else None

    def dated(self, rec: dict[str, Any], node: Any, article: Any, *, announced: bool = False) -> bool:
        """Fill ``date`` (and ``enddate``, ``date_precision``); False when there is no date at all."""
        own = self.v.objects(node, _n(DIP.date))
        published = self.v.value(article, _n(SCHEMA.datePublished)) if article is not None else None
        lit = own[0] if own else None
        if announced and published:
            rec["date"], rec["date_precision"] = published[:10], "published"
            if lit is not None:
                rec["planned_date"] = lit.value
            return True
        if lit is None:
            if not published:
                return False
            rec["date"], rec["date_precision"] = published[:10], "published"
            return True
        value, dtype = lit.value, lit.datatype.value
        if dtype.endswith("#gYearMonth") and len(value) >= 7:
            year, month = int(value[:4]), int(value[5:7])
            last = calendar.monthrange(year, month)[1]
            rec["date"], rec["enddate"], rec["date_precision"] = f"{value[:7]}-01", f"{value[:7]}-{last:02d}", "month"
        elif dtype.endswith("#gYear"):
            rec["date"], rec["enddate"], rec["date_precision"] = f"{value[:4]}-01-01", f"{value[:4]}-12-31", "year"
        else:
            rec["date"], rec["date_precision"] = value[:10], "day"
        return True

    def meeting(self, node: Any) -> dict[str, Any] | None:
        v = self.v
        held = (v.value(node, _n(DIP.status)) or "").endswith("/held")
        parties = v.objects(node, _n(DIP.participant))
        mode_note = _local(v.value(node, _n(DIP.mode)) or "unknown")
        locs = v.objects(node, _n(DIP.location))
        rec: dict[str, Any] = {"id": node.value}
        article, cite, text = self.source(node)
        if not self.dated(rec, node, article, announced=not held):
            return None
        actors, hosts, mode = parties, [], None
        if held:
            where = None
            if locs:
                ins = v.objects(locs[0], _n(DIP.inCountry))
                where = self.country_iso(ins[0]) if ins else self.home(locs[0])
            homes = [self.home(p) for p in parties]
            guests = [p for p, h in zip(parties, homes, strict=True) if h is None or h != where]
            if mode_note in REMOTE_MODES:
                mode = "phone"
            elif where and guests and len(guests) < len(parties):
                mode, actors, hosts = "visit", guests, [p for p in parties if p not in guests]
            elif any(self.is_org(p) for p in parties) or str(DIP.Summit) in v.types(node):
                mode = "multilateral"
            elif where and any(homes) and where not in homes:
                mode = "third-party"
        rec["actor"] = [self.entity(p) for p in actors]
        if hosts:
            rec["recipient"] = [self.entity(p) for p in hosts]
        rec["event"] = ["CONSULT" if held else "AGREE"]
        rec["mode"] = [mode] if mode else None
        rec["context"] = ["diplomatic"]
        rec["quad_code"] = 1
        rec["event_scale"] = SCALES.get(mode or "", 2.5)
        return self._finish(rec, node, locs, cite, text)

    def pledge(self, node: Any) -> dict[str, Any] | None:
        v = self.v
        rec: dict[str, Any] = {"id": node.value}
        article, cite, text = self.source(node)
        if not self.dated(rec, node, article):
            return None
        rec["actor"] = [self.entity(p) for p in v.objects(node, _n(DIP.pledgedBy))]
        recipients = v.objects(node, _n(DIP.recipient))
        if recipients:
            rec["recipient"] = [self.entity(p) for p in recipients]
        kind = _local(v.value(node, _n(DIP.pledgeType)) or f"{VOCAB_BASE}pledge-type/other")
        rec.update(event=["AGREE"], mode=None, context=PLEDGE_CONTEXTS.get(kind, ["diplomatic"]), quad_code=1,
                   event_scale=2.5, pledge_type=kind)
        amount = v.value(node, _n(DIP.amount))
        if amount:
            rec["amount"] = amount
        if v.value(node, _n(DIP.conditional)) == "true":
            rec["conditional"] = True
        return self._finish(rec, node, [], cite, text)

    def _finish(self, rec: dict[str, Any], node: Any, locs: list[Any], cite: dict[str, Any] | None,
                text: dict[str, Any] | None) -> dict[str, Any]:
        if locs:
            rec["event_loc"] = self.location(locs[0])
        if cite:
            rec["cite_info"] = cite
        if text:
            rec["text_info"] = text
        link = self.link(node)
        if link:
            rec["link"] = link
        rec["coder"] = "diplomacy-kg"
        return rec


def records(store: ox.Store, graph: str | None = None, merged: bool = False) -> Iterator[dict[str, Any] | None]:
    """Every meeting, then every pledge, by IRI; ``None`` for an event that has no date at all (skipped)."""
    p = Plover(GraphView(store, graph, merged))
    for node in p.v.subjects(TYPE, _n(DIP.Meeting)):
        yield p.meeting(node)
    for node in p.v.subjects(TYPE, _n(DIP.Pledge)):
        yield p.pledge(node)


def write_plover(store: ox.Store, out: IO[bytes], *, graph: str | None = None,
                 merged: bool = False) -> tuple[int, int]:
    """One JSON line per record; returns (records written, events skipped for want of any date)."""
    written = skipped = 0
    for rec in records(store, graph, merged):
        if rec is None:
            skipped += 1
            continue
        out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        written += 1
    return written, skipped
