"""The ontology, the concept schemes and the code's vocabulary agree, and the ontology is consistent."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from typer.testing import CliRunner

from kg.cli import app
from kg.reason import reason
from kg.resources import ontology_file, resource_dir
from kg.validate import load_graph
from kg.vocab import DIP, ONTOLOGY_IRI, SCHEMES, concept, scheme_iri

VANN = "http://purl.org/vocab/vann/"
REASON_DATA = Path(__file__).parent / "data" / "reason"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_file(), format="turtle")


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return Graph().parse(resource_dir("ontology") / "vocab.ttl", format="turtle")


def _declared(ontology: Graph) -> set[str]:
    ns = str(DIP._NS)
    return {str(s)[len(ns):] for s in ontology.subjects(RDF.type, None) if str(s).startswith(ns)}


def test_every_term_in_code_is_declared_in_the_ontology(ontology: Graph) -> None:
    assert set(DIP.__annotations__) - _declared(ontology) == set()


def test_every_term_in_the_ontology_is_known_to_the_code(ontology: Graph) -> None:
    assert _declared(ontology) - set(DIP.__annotations__) == set()


def test_unknown_terms_fail_at_import_time() -> None:
    with pytest.raises(AttributeError):
        _ = DIP.Leaderr


def test_every_term_has_a_label_and_a_comment(ontology: Graph) -> None:
    for name in DIP.__annotations__:
        term = DIP[name]
        assert ontology.value(term, RDFS.label), name
        assert ontology.value(term, RDFS.comment), name


def test_properties_have_domains_or_ranges(ontology: Graph) -> None:
    for prop in set(ontology.subjects(RDF.type, OWL.ObjectProperty)) | set(
            ontology.subjects(RDF.type, OWL.DatatypeProperty)):
        if str(prop).startswith(str(DIP._NS)):
            assert ontology.value(prop, RDFS.domain) or ontology.value(prop, RDFS.range), prop


def test_ontology_metadata(ontology: Graph) -> None:
    for p in (OWL.versionIRI, OWL.versionInfo, DCTERMS.title, DCTERMS.license, DCTERMS.description,
              URIRef(VANN + "preferredNamespacePrefix"), URIRef(VANN + "preferredNamespaceUri")):
        assert ontology.value(ONTOLOGY_IRI, p) is not None, p


def test_concept_schemes_hold_exactly_the_contract_notations(vocab: Graph) -> None:
    for scheme, notations in SCHEMES.items():
        members = set(vocab.subjects(SKOS.inScheme, scheme_iri(scheme)))
        assert {str(vocab.value(c, SKOS.notation)) for c in members} == set(notations)
        for n in notations:
            c = concept(scheme, n)
            assert str(c).endswith("/" + n)
            assert vocab.value(c, SKOS.prefLabel) and vocab.value(c, SKOS.definition)


@pytest.mark.slow
def test_the_ontology_is_consistent() -> None:
    report = reason()
    assert report.ok, report.text()


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(REASON_DATA.glob("*.ttl")), ids=lambda p: p.stem)
def test_contradictory_data_is_reported_inconsistent(path: Path) -> None:
    assert not reason(load_graph(path)).consistent


@pytest.mark.slow
def test_kg_reason_exit_codes() -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["reason"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["reason", str(REASON_DATA / "leader-is-a-country.ttl")])
    assert bad.exit_code == 1
    assert "inconsistent" in bad.stderr


def test_kg_validate_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    data = Path(__file__).parent / "data" / "shapes"
    assert runner.invoke(app, ["validate", str(data / "valid" / "organisation-summit.ttl")]).exit_code == 0
    bad = runner.invoke(app, ["validate", str(data / "invalid" / "pledge-bad-type.ttl")])
    assert bad.exit_code == 1
    assert "pledge-type scheme" in bad.stdout
    report = runner.invoke(app, ["validate", "--format", "turtle", str(data / "invalid" / "pledge-bad-type.ttl")])
    assert "sh:ValidationReport" in report.stdout
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n")
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 2
    assert "broken.ttl" in result.stderr
