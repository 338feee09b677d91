"""The ontology's HTML documentation page: classes, properties, concept schemes.

Read from the store's ontology and vocabulary graphs, falling back to the shipped
``ontology/*.ttl`` when the store has none (a plain graph was exported).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pyoxigraph as ox

from kg.publish.html import Renderer, page, term_anchor
from kg.vocab import ONTOLOGY_IRI, VOCAB_BASE

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SECTIONS = (
    ("Classes", (OWL + "Class", RDFS + "Class")),
    ("Object properties", (OWL + "ObjectProperty",)),
    ("Datatype properties", (OWL + "DatatypeProperty",)),
    ("Annotation properties", (OWL + "AnnotationProperty",)),
    ("Other properties", (RDF + "Property",)),
)
DETAILS = (("subclass of", RDFS + "subClassOf"), ("subproperty of", RDFS + "subPropertyOf"),
           ("domain", RDFS + "domain"), ("range", RDFS + "range"),
           ("equivalent to", OWL + "equivalentClass"), ("equivalent to", OWL + "equivalentProperty"))
PAGE = "ontology/index.html"
#: file written in the site's ontology/ folder -> graph it holds
GRAPHS = {"diplomacy.ttl": str(ONTOLOGY_IRI), "vocab.ttl": VOCAB_BASE}


def ontology_store(store: ox.Store) -> ox.Store:
    """A store holding the ontology and concept schemes (from ``store`` or the shipped files)."""
    onto = ox.Store()
    for name in GRAPHS.values():
        onto.bulk_extend(q for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name)))
    if len(onto) == 0:
        for filename, name in GRAPHS.items():
            path = shipped_file(filename)
            if path is not None:
                onto.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(name))
    return onto


def shipped_file(name: str) -> Path | None:
    try:
        from kg.resources import resource_dir

        path = resource_dir("ontology") / name
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def _objects(store: ox.Store, s: ox.NamedNode, p: str) -> list[ox.NamedNode | ox.Literal]:
    objs = {q.object for q in store.quads_for_pattern(s, ox.NamedNode(p), None, None)}
    return sorted(objs, key=str)  # type: ignore[arg-type]


def _text(store: ox.Store, s: ox.NamedNode, *preds: str) -> str:
    for p in preds:
        for o in _objects(store, s, p):
            if isinstance(o, ox.Literal) and (o.language or "") in ("", "en"):
                return o.value
    return ""


def _subjects(store: ox.Store, types: tuple[str, ...]) -> list[ox.NamedNode]:
    found = {q.subject for t in types
             for q in store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(t), None)}
    return sorted((s for s in found if isinstance(s, ox.NamedNode)), key=lambda s: s.value)


def _entry(store: ox.Store, term: ox.NamedNode, r: Renderer) -> str:
    anchor = term_anchor(term.value) or ""
    label = _text(store, term, RDFS + "label", SKOS + "prefLabel") or term.value
    rows = [f"<tr><th>IRI</th><td class=\"iri\">{escape(term.value)}</td></tr>"]
    comment = _text(store, term, RDFS + "comment", SKOS + "definition")
    if comment:
        rows.append(f"<tr><th>description</th><td>{escape(comment)}</td></tr>")
    for name, pred in DETAILS:
        objs = [r.term(PAGE, o) for o in _objects(store, term, pred)]
        if objs:
            rows.append(f"<tr><th>{name}</th><td>{', '.join(objs)}</td></tr>")
    return f'<h3 id="{escape(anchor)}">{escape(label)}</h3>\n<table>{"".join(rows)}</table>'


def _schemes(store: ox.Store, r: Renderer) -> str:
    parts = []
    for scheme in _subjects(store, (SKOS + "ConceptScheme",)):
        concepts = sorted({q.subject for q in store.quads_for_pattern(None, ox.NamedNode(SKOS + "inScheme"),
                                                                      scheme, None)}, key=str)
        rows = []
        for c in concepts:
            if not isinstance(c, ox.NamedNode):
                continue
            notation = _text(store, c, SKOS + "notation")
            label = _text(store, c, SKOS + "prefLabel", RDFS + "label")
            rows.append(f'<tr id="{escape(term_anchor(c.value) or "")}"><td><code>{escape(notation)}</code>'
                        f'</td><td>{escape(label)}</td><td class="iri">{escape(c.value)}</td></tr>')
        title = _text(store, scheme, SKOS + "prefLabel", RDFS + "label") or scheme.value
        parts.append(f'<h3 id="{escape(term_anchor(scheme.value) or "")}">{escape(title)}</h3>\n'
                     f'<table><tr><th>notation</th><th>label</th><th>IRI</th></tr>{"".join(rows)}</table>')
    return "\n".join(parts)


def documented_anchors(onto: ox.Store) -> set[str]:
    """Fragment ids the ontology page will have: its terms, schemes and concepts."""
    types = [t for _, ts in SECTIONS for t in ts] + [SKOS + "ConceptScheme", SKOS + "Concept"]
    return {a for s in _subjects(onto, tuple(types)) if (a := term_anchor(s.value)) is not None}


def ontology_page(onto: ox.Store) -> str:
    """The HTML documentation of the terms in ``onto``."""
    def labels(iri: str) -> str | None:
        return _text(onto, ox.NamedNode(iri), RDFS + "label", SKOS + "prefLabel") or None

    r = Renderer({}, labels, documented_anchors(onto))
    title = _text(onto, ox.NamedNode(str(ONTOLOGY_IRI)), RDFS + "label", "http://purl.org/dc/terms/title") \
        or "diplomacy-kg ontology"
    body = [f"<h1>{escape(title)}</h1>",
            f'<p>Namespace <code>{escape(str(ONTOLOGY_IRI))}#</code> · '
            '<a href="diplomacy.ttl">Turtle</a> · <a href="vocab.ttl">concept schemes (Turtle)</a></p>']
    if len(onto) == 0:
        body.append("<p>The ontology was not available when this site was built.</p>")
    for heading, types in SECTIONS:
        terms = _subjects(onto, types)
        if terms:
            body.append(f"<h2>{heading}</h2>")
            body.extend(_entry(onto, t, r) for t in terms)
    schemes = _schemes(onto, r)
    if schemes:
        body.append("<h2>Concept schemes</h2>\n" + schemes)
    return page(PAGE, title, "\n".join(body))


def ontology_turtle(onto: ox.Store, graph: str) -> bytes:
    """One graph of ``onto`` (the ontology or the concept schemes) as Turtle."""
    from kg.publish.source import graph_triples
    from kg.vocab import PREFIXES

    triples = graph_triples(onto, ox.NamedNode(graph))
    return ox.serialize(triples, None, ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
