"""`kg extract FILE [--format ...] [-o OUT]`, as the contract states it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from typer.testing import CliRunner

from kg.cli import app
from kg.vocab import DIP, SCHEMA

runner = CliRunner()


def _extract(*args: str) -> bytes:
    result = runner.invoke(app, ["extract", *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.mark.parametrize("name", ["s003.txt", "d19.html", "d23.json"])
def test_each_input_format_gives_a_graph_with_facts(samples_dir: Path, name: str) -> None:
    g = Graph().parse(data=_extract(str(samples_dir / name)), format="turtle")
    assert set(g.subjects(None, DIP.Article))
    assert set(g.subjects(None, DIP.Meeting))


def test_output_is_byte_identical_across_runs(samples_dir: Path) -> None:
    path = str(samples_dir / "s000.txt")
    assert _extract(path) == _extract(path)


@pytest.mark.parametrize(("fmt", "parser"), [
    ("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("trig", "trig"), ("nquads", "nquads"),
])
def test_every_format_parses_back_to_the_same_triples(samples_dir: Path, fmt: str, parser: str) -> None:
    path = str(samples_dir / "s003.txt")
    reference = Graph().parse(data=_extract(path), format="turtle")
    ds = Dataset()
    ds.parse(data=_extract(path, "--format", fmt), format=parser)
    triples = {(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))}
    assert triples == set(reference)


def test_trig_names_the_article_graph(samples_dir: Path) -> None:
    ds = Dataset()
    ds.parse(data=_extract(str(samples_dir / "s003.txt"), "--format", "trig"), format="trig")
    names = {str(c.identifier) for c in ds.graphs() if len(c)}
    assert any("/graph/article/" in n for n in names)


def test_output_file_is_written(samples_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "s003.ttl"
    result = runner.invoke(app, ["extract", str(samples_dir / "s003.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(Graph().parse(out)) > 20


def test_empty_file_is_a_clear_error_with_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(app, ["extract", str(empty)])
    assert result.exit_code == 2
    assert "empty.txt" in result.stderr


def test_missing_file_is_a_clear_error_with_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "nope.txt" in result.stderr


def test_unknown_format_is_refused(samples_dir: Path) -> None:
    result = runner.invoke(app, ["extract", str(samples_dir / "s003.txt"), "--format", "rdfxml"])
    assert result.exit_code == 2
    assert "rdfxml" in result.stderr


def test_failed_extract_leaves_no_output_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    out = tmp_path / "out.ttl"
    result = runner.invoke(app, ["extract", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


# --- --published: a date for input that carries none -------------------------------------------------

_UNDATED = ("Leaders meet in Berlin\n\nFrench President Emmanuel Macron met German Chancellor Olaf Scholz "
            "in Berlin on Monday to discuss support for Ukraine.\n")
_DATED = ("Leaders meet in Berlin\n\nBERLIN, March 12, 2025 (Test Wire) - French President Emmanuel Macron met "
          "German Chancellor Olaf Scholz in Berlin on Monday to discuss support for Ukraine.\n")


def _dates(data: bytes) -> tuple[set[str], set[str]]:
    g = Graph().parse(data=data, format="turtle")
    published = {str(o)[:10] for o in g.objects(None, SCHEMA.datePublished)}
    return published, {str(o) for o in g.objects(None, DIP.date)}


def test_published_dates_an_undated_article_and_resolves_its_weekdays(tmp_path: Path) -> None:
    path = tmp_path / "undated.txt"
    path.write_text(_UNDATED, encoding="utf-8")
    assert _dates(_extract(str(path))) == (set(), set())  # no date: "on Monday" stays unresolved
    published, meetings = _dates(_extract(str(path), "--published", "2025-03-05"))
    assert published == {"2025-03-05"} and meetings == {"2025-03-03"}  # the Monday before that Wednesday


def test_published_only_fills_in_an_article_with_its_own_date_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "dated.txt"
    path.write_text(_DATED, encoding="utf-8")
    published, meetings = _dates(_extract(str(path), "--published", "2024-01-01"))
    assert published == {"2025-03-12"} and meetings == {"2025-03-10"}


@pytest.mark.parametrize("value", ["soon", "2025-02-30", "-2025-03-05", "March"])
def test_published_that_is_not_a_date_is_refused_naming_the_option(tmp_path: Path, value: str) -> None:
    path = tmp_path / "undated.txt"
    path.write_text(_UNDATED, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(path), f"--published={value}"])
    assert result.exit_code == 2
    assert "--published" in result.output and "not a date" in result.output
