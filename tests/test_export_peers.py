"""The formats peers read: ``kg export --format plover`` (PLOVER event records) and ``--format schemaorg``.

Every PLOVER line is checked against ``kg/publish/plover.schema.json`` (written from the PLOVER
manual) with ``jsonschema``; schema.org JSON-LD must parse back with rdflib to the statements the
graph holds.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Dataset, Graph, URIRef
from typer.testing import CliRunner

from kg.cli import app
from kg.map import Minter
from kg.model import Article
from kg.pipeline import article_graph
from kg.publish import export
from kg.read import read_text
from kg.vocab import DIP, SCHEMA

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "kg" / "publish" / "plover.schema.json"
URL = "https://news.example.org/2025/06/12/macron-starmer"
ARTICLE = json.dumps({
    "url": URL,
    "title": "Macron and Starmer talk by phone; Britain pledges troops",
    "published": "2025-06-12T09:00:00Z",
    "text": ("French President Emmanuel Macron spoke by phone with British Prime Minister Keir Starmer on Tuesday, "
             "the Elysee said.\n\n"
             "Britain has pledged to send 5,000 troops to Ukraine, Starmer said.\n\n"
             "Macron will visit London next month to meet Starmer, his office said.\n\n"
             "Polish President Andrzej Duda hosted Ukrainian President Volodymyr Zelensky in Warsaw on Wednesday."),
})


@pytest.fixture(scope="module")
def article() -> Article:
    return read_text(ARTICLE, source="phone.json", fmt="json")


@pytest.fixture(scope="module")
def dataset(article: Article) -> Dataset:
    ds = Dataset()
    named = ds.graph(Minter().article_graph(article))
    for triple in article_graph(article):
        named.add(triple)
    return ds


@pytest.fixture(scope="module")
def merged(dataset: Dataset) -> Graph:
    """The article graph's triples, for look-ups (a Dataset's own look-ups see its default graph only)."""
    g = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def export_bytes(source: object, fmt: str) -> bytes:
    buf = io.BytesIO()
    export(source, buf, fmt)
    return buf.getvalue()


def records(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def check_lines(data: bytes, validator: Any) -> list[dict[str, Any]]:
    recs = records(data)
    for rec in recs:
        errors = [e.message for e in validator.iter_errors(rec)]
        assert not errors, (rec["id"], errors)
    return recs


def by_event(recs: list[dict[str, Any]], event: str, **match: Any) -> dict[str, Any]:
    found = [r for r in recs if r["event"] == [event] and all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (event, match, [r["id"] for r in recs])
    return found[0]


# --- PLOVER ----------------------------------------------------------------------------------------------------------


def test_one_valid_line_per_meeting_and_pledge(dataset: Dataset, merged: Graph, validator: Any) -> None:
    recs = check_lines(export_bytes(dataset, "plover"), validator)
    meetings = set(merged.subjects(RDF.type, DIP.Meeting))
    pledges = set(merged.subjects(RDF.type, DIP.Pledge))
    assert {r["id"] for r in recs} == {str(n) for n in meetings | pledges}
    assert len(recs) == len(meetings) + len(pledges) == 4


def test_phone_call_is_consult_phone_with_iso3_codes_wikidata_date_source_and_span(
        dataset: Dataset, article: Article, validator: Any) -> None:
    call = by_event(check_lines(export_bytes(dataset, "plover"), validator), "CONSULT", mode=["phone"])
    assert sorted(a["code"] for a in call["actor"]) == ["FRA", "GBR"] and "recipient" not in call
    macron = next(a for a in call["actor"] if a["code"] == "FRA")
    assert macron["identifier_id"] == "Q3052772" and macron["identifier_text"] == "Emmanuel Macron"
    assert macron["sector"] == "GOV" and macron["office"] == "president"
    assert call["date"] == "2025-06-10" and call["date_precision"] == "day"  # "on Tuesday" of a Thursday article
    assert call["quad_code"] == 1 and call["event_scale"] == 1.5 and call["context"] == ["diplomatic"]
    assert call["cite_info"]["url"] == URL and call["cite_info"]["title"].startswith("Macron and Starmer")
    span = call["text_info"]
    assert span["text_story"] == call["cite_info"]["citation"]
    assert article.text[span["start"]:span["end"]].startswith("French President Emmanuel Macron spoke by phone")


def test_pledge_is_agree_with_actor_recipient_and_military_context(dataset: Dataset, validator: Any) -> None:
    pledge = by_event(check_lines(export_bytes(dataset, "plover"), validator), "AGREE", pledge_type="troops")
    assert [a["code"] for a in pledge["actor"]] == ["GBR"] and [r["code"] for r in pledge["recipient"]] == ["UKR"]
    assert pledge["mode"] is None and pledge["context"] == ["military"] and pledge["amount"] == "5,000 troops"
    assert pledge["date"] == "2025-06-12" and pledge["date_precision"] == "published"


def test_planned_visit_is_agree_dated_by_its_announcement(dataset: Dataset, validator: Any) -> None:
    plan = by_event(check_lines(export_bytes(dataset, "plover"), validator), "AGREE", planned_date="2025-07")
    assert plan["date"] == "2025-06-12" and plan["mode"] is None
    assert sorted(a["code"] for a in plan["actor"]) == ["FRA", "GBR"]


def test_hosted_visit_puts_guest_in_actor_and_host_in_recipient(dataset: Dataset, validator: Any) -> None:
    visit = by_event(check_lines(export_bytes(dataset, "plover"), validator), "CONSULT", mode=["visit"])
    assert [a["code"] for a in visit["actor"]] == ["UKR"] and [r["code"] for r in visit["recipient"]] == ["POL"]
    assert visit["actor"][0]["identifier_id"] == "Q3874799" and visit["event_scale"] == 4.0
    assert visit["event_loc"]["city"] == "Warsaw" and visit["event_loc"]["country_code"] == "POL"
    assert visit["event_loc"]["resolution"] == 4 and visit["date"] == "2025-06-11"


def test_month_only_date_is_first_day_with_enddate(validator: Any) -> None:
    text = json.dumps({"title": "Talks", "published": "2025-03-04T10:00:00Z",
                       "text": "French President Emmanuel Macron met German Chancellor Friedrich Merz in Rome "
                               "last month, officials said."})
    art = read_text(text, source="month.json", fmt="json")
    recs = check_lines(export_bytes(article_graph(art), "plover"), validator)
    dated = [r for r in recs if r.get("date_precision") == "month"]
    assert dated, recs
    assert dated[0]["date"] == "2025-02-01" and dated[0]["enddate"] == "2025-02-28"
    assert dated[0]["mode"] == ["third-party"]  # neither a French nor a German venue


def test_plover_export_is_deterministic(dataset: Dataset) -> None:
    first = export_bytes(dataset, "plover")
    shuffled = Dataset()
    for s, p, o, g in sorted(dataset.quads((None, None, None, None)), reverse=True):
        shuffled.graph(g).add((s, p, o))  # type: ignore[arg-type]
    assert export_bytes(dataset, "plover") == first == export_bytes(shuffled, "plover")


@pytest.mark.parametrize("bad", [
    {"id": "x", "actor": [{"code": "FRA"}], "event": ["CONSULT"]},  # no date
    {"id": "x", "date": "2025-04", "actor": [{"code": "FRA"}], "event": ["CONSULT"]},  # not a day
    {"id": "x", "date": "2025-04-01", "actor": [{"code": "FR"}], "event": ["CONSULT"]},  # alpha-2
    {"id": "x", "date": "2025-04-01", "actor": [{"code": "FRA"}], "event": ["MEET"]},  # not a category
    {"id": "x", "date": "2025-04-01", "actor": [{"code": "FRA"}], "event": ["AID"]},  # AID needs a recipient
    {"id": "x", "date": "2025-04-01", "actor": [{"code": "FRA"}], "event": ["CONSULT"], "context": ["security"]},
])
def test_schema_refuses_what_plover_does_not_allow(bad: dict[str, Any], validator: Any) -> None:
    assert list(validator.iter_errors(bad))


# --- schema.org ------------------------------------------------------------------------------------------------------


def test_schemaorg_parses_back_to_events_with_attendees(dataset: Dataset, merged: Graph) -> None:
    data = export_bytes(dataset, "schemaorg")
    g = Graph().parse(data=data, format="json-ld")
    meetings = set(merged.subjects(RDF.type, DIP.Meeting))
    assert set(g.subjects(RDF.type, SCHEMA.Event)) == meetings and meetings
    for m in meetings:
        assert set(g.objects(m, SCHEMA.attendee)) == set(merged.objects(m, DIP.participant))
        assert set(g.objects(m, SCHEMA.startDate)) and set(g.objects(m, SCHEMA.subjectOf))
        for art in g.objects(m, SCHEMA.subjectOf):
            assert (art, RDF.type, SCHEMA.NewsArticle) in g and (art, SCHEMA.about, m) in g
    (art,) = set(g.subjects(RDF.type, SCHEMA.NewsArticle))
    assert (art, SCHEMA.url, URIRef(URL)) in g
    assert str(g.value(art, SCHEMA.headline)).startswith("Macron and Starmer")
    assert str(g.value(art, SCHEMA.datePublished)).startswith("2025-06-12")
    macron = URIRef(Minter().base + "person/emmanuel-macron")
    assert (macron, RDF.type, SCHEMA.Person) in g
    assert (macron, SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/Q3052772")) in g
    gb = URIRef(Minter().base + "country/GB")
    assert (gb, RDF.type, SCHEMA.Country) in g and str(g.value(gb, SCHEMA.name)) == "United Kingdom"
    places = {o for m in meetings for o in g.objects(m, SCHEMA.location)}  # a set: compared whole, not by order
    assert places and all((p, RDF.type, SCHEMA.Place) in g for p in places)
    assert "Warsaw" in {str(g.value(p, SCHEMA.name)) for p in places}


def test_schemaorg_is_deterministic_and_round_trips(dataset: Dataset) -> None:
    data = export_bytes(dataset, "schemaorg")
    assert export_bytes(dataset, "schemaorg") == data
    first = Graph().parse(data=data, format="json-ld")
    again = Graph().parse(data=data, format="json-ld")
    assert first.isomorphic(again) and len(first) > 20


# --- CLI -------------------------------------------------------------------------------------------------------------


def kg(*args: str) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode()
    return done


@pytest.fixture(scope="module")
def samples_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    store = tmp_path_factory.mktemp("peers") / "store"
    kg("ingest", str(ROOT / "samples"), "--store", str(store), "--workers", "1")
    yield store


def test_cli_export_plover_on_the_samples(samples_store: Path, validator: Any, tmp_path: Path) -> None:
    data = kg("export", "--format", "plover", "--store", str(samples_store)).stdout
    recs = check_lines(data, validator)
    assert len(recs) > 20 and {r["event"][0] for r in recs} == {"CONSULT", "AGREE"}
    assert [r["id"] for r in recs] == sorted((r["id"] for r in recs), key=lambda i: ("/pledge/" in i, i))
    out = tmp_path / "events.jsonl"
    done = kg("export", "-f", "plover", "-o", str(out), "--store", str(samples_store))
    assert out.read_bytes() == data and b"PLOVER records" in done.stderr
    assert kg("export", "--format", "plover", "--store", str(samples_store)).stdout == data


def test_cli_export_schemaorg_on_the_samples(samples_store: Path) -> None:
    data = kg("export", "--format", "schemaorg", "--store", str(samples_store)).stdout
    g = Graph().parse(data=data, format="json-ld")
    assert len(set(g.subjects(RDF.type, SCHEMA.Event))) > 20
    assert len(set(g.subjects(RDF.type, SCHEMA.NewsArticle))) == 9


def test_cli_extract_plover(samples_dir: Path, validator: Any) -> None:
    result = CliRunner().invoke(app, ["extract", str(samples_dir / "s003.txt"), "--format", "plover"])
    assert result.exit_code == 0, result.output
    recs = check_lines(result.stdout_bytes, validator)
    assert recs and all(r["cite_info"]["title"].startswith("'Coalition of the Willing'") for r in recs)


def test_event_without_any_date_is_skipped_and_counted() -> None:
    text = json.dumps({"title": "Call", "text": "French President Emmanuel Macron spoke by phone with British "
                                                "Prime Minister Keir Starmer, the Elysee said."})
    graph = article_graph(read_text(text, source="undated.json", fmt="json"))
    assert set(graph.subjects(RDF.type, DIP.Meeting))
    buf = io.BytesIO()
    report = export(graph, buf, "plover")
    assert report.skipped == len(set(graph.subjects(RDF.type, DIP.Meeting))) and buf.getvalue() == b""
