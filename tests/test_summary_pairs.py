"""The summary graph's index of who met whom (kg.summary_pairs): what meetings-between reads.

One node per unordered pair of parties named together as participants of a meeting report, with
those reports. The merge pass writes it whole, each write moves it by its change alone, ``kg build``
computes it on the client (tests/test_build.py: build = ingest + export, byte for byte), and random
histories check delta = scratch (tests/test_merge_incremental.py). Here: what the index holds, how a
write moves it, that meetings-between answers from it exactly what joining every report of both
sides answered, and that a store of the summary's previous form gets it once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import merge, summary, summary_pairs
from kg.api import open_store as open_kg
from kg.errors import QueryError
from kg.merge import full_summary, recompute, update
from kg.query import load_query, run_query
from kg.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT / "tests" / "data" / "queries" / "world.trig"
#: meetings-between as it counted before the index (kept for the benchmark's baseline)
JOINED = ROOT / "bench" / "baseline_queries" / "meetings-between.rq"
B = "https://w3id.org/diplomacy-kg/id/"
DIP = "https://w3id.org/diplomacy-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FR, GB, DE = (f"{B}country/{c}" for c in ("FR", "GB", "DE"))


def _article(key: str, meetings: dict[str, tuple[str, ...]]) -> str:
    """An article graph (N-Triples, as ingest writes it) reporting each meeting with its participants."""
    article = f"<{B}article/{key}>"
    lines = [f"{article} <{RDF_TYPE}> <{DIP}Article> ."]
    for name, parties in meetings.items():
        meeting = f"<{B}meeting/{name}>"
        lines += [f"{meeting} <{RDF_TYPE}> <{DIP}Meeting> .", f"{meeting} <{RDF_TYPE}> <{DIP}Summit> .",
                  f'{meeting} <http://www.w3.org/2000/01/rdf-schema#label> "{name}" .',
                  f"{meeting} <http://www.w3.org/ns/prov#wasDerivedFrom> {article} ."]
        lines += [f"{meeting} <{DIP}participant> <{p}> ." for p in parties]
    return "\n".join(lines) + "\n"


def index(store: Store) -> dict[frozenset[str], set[str]]:
    """The index as stored: {the pair's two parties: its reports}, read through each node."""
    parties: dict[str, set[str]] = defaultdict(set)
    reports: dict[str, set[str]] = defaultdict(set)
    for q in store.quads(summary.graph_iri(store)):
        held = {summary_pairs.PAIR_PARTY: parties, summary_pairs.PAIR_REPORT: reports}.get(q.predicate.value)
        if held is not None:
            held[q.subject.value].add(q.object.value)  # type: ignore[union-attr]
    assert parties.keys() == reports.keys(), "a node without its parties, or without a report"
    out = {}
    for node, two in parties.items():
        assert len(two) == 2 and node == summary_pairs.node(summary.graph_iri(store), *sorted(two))
        out[frozenset(two)] = reports[node]
    return out


def meeting(name: str) -> str:
    return f"{B}meeting/{name}"


def test_a_node_per_pair_of_participants_holds_the_reports_of_both(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as store:
        store.replace_article("a1", _article("a1", {"summit": (FR, GB, DE)}), {})
        store.replace_article("a2", _article("a2", {"call": (FR, GB)}), {})
        update(store)
        assert index(store) == {frozenset((FR, GB)): {meeting("summit"), meeting("call")},
                                frozenset((FR, DE)): {meeting("summit")}, frozenset((GB, DE)): {meeting("summit")}}
    index_iri = f"{B}graph/summary"
    assert summary_pairs.node(index_iri, FR, GB) == summary_pairs.node(index_iri, GB, FR)  # either order
    assert summary_pairs.node(index_iri, FR, GB) != summary_pairs.node(index_iri, FR, DE)


def test_each_write_moves_the_index_by_its_change_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(tmp_path / "s") as store:
        store.replace_article("a1", _article("a1", {"summit": (FR, GB, DE)}), {})
        store.replace_article("a2", _article("a2", {"call": (FR, GB)}), {})
        update(store)

        def no_full_pass(_store: Store) -> int:
            raise AssertionError("the merge update fell back to a full pass")

        monkeypatch.setattr(merge, "recompute", no_full_pass)
        store.replace_article("a2", _article("a2", {"call": (FR, DE)}), {})  # the call was with Germany
        update(store)
        assert index(store) == {frozenset((FR, GB)): {meeting("summit")},
                                frozenset((FR, DE)): {meeting("summit"), meeting("call")},
                                frozenset((GB, DE)): {meeting("summit")}}
        assert sorted(f"{q.triple} ." for q in store.quads(summary.graph_iri(store))) == full_summary(store)
        store.drop_article("a1")  # the last report of two pairs: their nodes go
        update(store)
        assert index(store) == {frozenset((FR, DE)): {meeting("call")}}
        assert sorted(f"{q.triple} ." for q in store.quads(summary.graph_iri(store))) == full_summary(store)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(tmp_path_factory.mktemp("world") / "s")
    store.load(WORLD)
    recompute(store)
    yield store
    store.close()


PAIRS = [("France", "Volodymyr Zelensky"), ("Volodymyr Zelensky", "France"), ("UA", "fr"),
         ("volodymyr zelenskyy", "Emmanuel Macron"), ("Coalition of the Willing", "CA"),
         ("Coalition of the Willing", "GB"), ("United Kingdom", "Australia"), ("Donald Trump", "Russia"),
         ("France", "France"), ("Keir Starmer", "GB"), (f"{B}country/FR", f"{B}person/volodymyr-zelensky"),
         ("US", "FR"), ("Atlantis", "FR")]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_meetings_between_answers_what_joining_both_sides_answered(world: Store, a: str, b: str) -> None:
    """Merged reports once with their sources counted across the merge, a country matching its
    leaders, names in any case, alternative labels, ISO codes and IRIs: the same rows, in order."""
    joined = run_query(world, load_query(JOINED), {"a": a, "b": b}).rows
    assert run_query(world, "meetings-between", {"a": a, "b": b}).rows == joined


def test_the_comparison_covers_rows_and_merges(world: Store) -> None:
    answered = [run_query(world, load_query(JOINED), {"a": a, "b": b}).rows for a, b in PAIRS]
    assert sum(bool(rows) for rows in answered) >= 8
    assert any(row["sources"] == "2" for rows in answered for row in rows)  # a meeting two articles report


def test_a_store_of_the_previous_summary_form_gets_the_index_once(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with open_store(path) as store:
        store.load(WORLD)
        recompute(store)
        before = run_query(store, "meetings-between", {"a": "France", "b": "Volodymyr Zelensky"}).rows
        graph = summary.graph_iri(store)
        store.patch_graph(graph, [q.triple for q in store.quads(graph)
                                  if q.predicate.value in (summary_pairs.PAIR_PARTY, summary_pairs.PAIR_REPORT)], [])
    meta = json.loads((path / "meta.json").read_text())
    (path / "meta.json").write_text(json.dumps({**meta, summary.META_KEY: "3"}))  # the form before the index
    with open_store(path, read_only=True) as store, pytest.raises(QueryError, match="open it once for writing"):
        run_query(store, "meetings-between", {"a": "France", "b": "Volodymyr Zelensky"})  # never no rows
    with open_kg(path) as kg:  # the writer: one full merge pass
        assert summary.kept(kg.store) and index(kg.store)
    with open_kg(path, read_only=True) as kg:
        assert kg.query("meetings-between", a="France", b="Volodymyr Zelensky").rows == before
