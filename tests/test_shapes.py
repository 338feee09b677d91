"""Every shape has conforming and violating examples; each violation says its own message.

Both SHACL engines run every example and must agree: pyshacl is the reference,
pyshacl-turbo the fast engine the ingest gate uses.
"""

from __future__ import annotations

from pathlib import Path

import pycountry
import pyshacl
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kg.validate import ENGINES, load_graph, shapes_graph, validate
from kg.vocab import DIP

DATA = Path(__file__).parent / "data" / "shapes"
VALID = sorted((DATA / "valid").glob("*.ttl"))
INVALID = sorted((DATA / "invalid").glob("*.ttl"))


def _expected(path: Path, tag: str) -> list[str]:
    prefix = f"# {tag}: "
    return [line[len(prefix):].strip() for line in path.read_text().splitlines() if line.startswith(prefix)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_examples_conform(path: Path, engine: str) -> None:
    report = validate(load_graph(path), engine=engine)
    assert report.conforms, report.text()
    assert sorted({w.message for w in report.warnings}) == sorted(_expected(path, "expect-warning"))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_examples_fail_with_their_own_message(path: Path, engine: str) -> None:
    report = validate(load_graph(path), engine=engine)
    assert not report.conforms
    assert {v.message for v in report.violations} == set(_expected(path, "expect"))


def test_every_node_shape_has_a_failing_example() -> None:
    shapes = shapes_graph()
    failing = {m for p in INVALID for m in _expected(p, "expect")}
    for shape in set(shapes.subjects(SH.targetClass, None)):
        messages = {str(m) for m in shapes.objects(shape, SH.message)}
        for prop in shapes.objects(shape, SH.property):
            messages |= {str(m) for m in shapes.objects(prop, SH.message)}
        if shapes.value(shape, SH.severity) == SH.Warning:
            continue
        assert messages & failing, f"no violating example for {shape}"


def test_every_class_has_a_shape() -> None:
    targets = set(shapes_graph().objects(None, SH.targetClass))
    for cls in (DIP.Article, DIP.Leader, DIP.Country, DIP.Organization, DIP.Place, DIP.Meeting, DIP.Pledge,
                DIP.Evidence):
        assert cls in targets


def test_shapes_pass_the_meta_shacl_check() -> None:
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes_graph(), meta_shacl=True)
    assert conforms, text


def test_iso_pattern_lists_exactly_pycountry_plus_kosovo() -> None:
    pattern = next(str(p) for p in shapes_graph().objects(None, SH.pattern) if str(p).startswith("^(?:"))
    codes = set(pattern[4:-2].split("|"))
    assert codes == {c.alpha_2 for c in pycountry.countries} | {"XK"}


def test_every_corpus_sample_graph_conforms(samples_dir: Path) -> None:
    from kg.pipeline import article_graph, read_source

    for path in sorted(samples_dir.iterdir()):
        report = validate(article_graph(read_source(path)))
        assert report.conforms, f"{path.name}: {report.text()}"
