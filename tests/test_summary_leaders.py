"""The summary graph's index of each participant's meetings by date, and the page of meetings-of-leader
that reads it: the page is exactly the first rows of the whole answer, whatever the dates.

The stores here are written article by article (``Store.replace_article``) and merged by the merge
pass, as ingest does. That the index kept by delta equals one counted from scratch after any history
is tests/test_merge_incremental.py's (the summary graph whole, this index included).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import summary_leaders
from kg.merge import recompute, update
from kg.query import run_query
from kg.store import Store, open_store
from kg.summary import graph_iri

B = "https://w3id.org/diplomacy-kg/id/"
DIP = "https://w3id.org/diplomacy-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"
XSD = "http://www.w3.org/2001/XMLSchema#"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
LEADERS = {"anna": ("Anna Berg", "Berg"), "carl": ("Carl Berg", "Berg"), "dora": ("Dora Lind", "")}
DAYS = [f'"2025-03-{d:02d}"^^<{XSD}date>' for d in (1, 2, 4, 9, 10, 11, 20)]
OTHER = [f'"2025-03"^^<{XSD}gYearMonth>', f'"2025"^^<{XSD}gYear>', f'"2024-12-31"^^<{XSD}date>']


def leader_lines(art: str) -> list[str]:
    lines = []
    for slug, (name, alt) in LEADERS.items():
        s = f"<{B}person/{slug}>"
        lines += [f"{s} <{RDF_TYPE}> <{DIP}Leader> .", f'{s} <{LABEL}> "{name}" .', f"{s} <{PROV}> {art} ."]
        lines += [f'{s} <{ALT}> "{alt}" .'] if alt else []
    return lines


def meeting(art: str, iri: str, parties: list[str], date: str | None, labelled: bool = True) -> list[str]:
    """A meeting of leaders (by slug) and of its own country (c + its IRI's digits): meetings merge only
    when they share that country too."""
    s = f"<{B}meeting/{iri}>"
    lines = [f"{s} <{RDF_TYPE}> <{DIP}Meeting> .", f"{s} <{PROV}> {art} .",
             f"{s} <{DIP}participant> <{B}country/c{iri[1:]}> ."]
    lines += [f"{s} <{DIP}participant> <{B}person/{p}> ." for p in parties]
    lines += [f"{s} <{DIP}date> {date} ."] if date else []
    lines += [f'{s} <{LABEL}> "Meeting {iri}" .'] if labelled else []
    return lines


def write(store: Store, key: str, facts: list[tuple[str, list[str], str | None, bool]]) -> None:
    art = f"<{B}article/{key}>"
    lines = [f"{art} <{RDF_TYPE}> <{DIP}Article> .", *leader_lines(art)]
    for iri, parties, date, labelled in facts:
        lines += meeting(art, iri, parties, date, labelled)
    store.replace_article(key, "\n".join(lines) + "\n", {})


def spread(store: Store) -> None:
    """Thirty-odd meetings of Anna, Carl and Dora: several a day, undated ones, dates known to the
    month or year, a meeting without a label, and reports a day apart that the merge pass links."""
    dates = [*DAYS, *OTHER, None]
    for a in range(6):
        facts = []
        for i in range(6):
            n = a * 6 + i
            parties = [["anna", "dora"], ["carl", "dora"], ["anna", "carl"], ["anna", "carl", "dora"]][n % 4]
            facts.append((f"m{n:02d}", parties, dates[(n * 7) % len(dates)], n % 11 != 5))
        write(store, f"a{a}", facts)
    # the same call told by two articles a day apart: one meeting (owl:sameAs), its sources from both
    write(store, "b1", [("x1", ["anna", "dora"], DAYS[4], True)])
    write(store, "b2", [("y1", ["anna", "dora"], DAYS[5], True)])
    update(store)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with open_store(tmp_path_factory.mktemp("leaders") / "s") as st:
        spread(st)
        yield st


def test_the_spread_has_what_the_page_must_get_right(store: Store) -> None:
    whole = run_query(store, "meetings-of-leader", {"leader": "Anna Berg"}).rows
    dates = [r.get("date") for r in whole]
    assert dates[0] is None and "2025" in dates and "2025-03" in dates  # undated first; year, month
    assert len(dates) - len(set(dates)) >= 3  # several meetings a day
    merged = store.oxigraph.quads_for_pattern(None, ox.NamedNode(SAME_AS), None, ox.DefaultGraph())
    assert [str(q.triple) for q in merged] == [f"<{B}meeting/y1> <{SAME_AS}> <{B}meeting/x1>"]
    assert {"meeting": f"{B}meeting/x1", "sources": "2"}.items() <= next(
        r for r in whole if r["meeting"].endswith("x1")).items()


@pytest.mark.parametrize("leader", ["Anna Berg", "carl berg", "Dora Lind", f"{B}person/dora", "berg", "Nobody"])
def test_a_page_is_the_start_of_the_whole_answer_at_every_limit(store: Store, leader: str) -> None:
    """By name, by IRI, and by a name two leaders share (their meetings together, each once)."""
    whole = run_query(store, "meetings-of-leader", {"leader": leader}).rows
    assert (len(whole) > 10) == (leader != "Nobody")
    for limit in range(len(whole) + 2):
        page = run_query(store, "meetings-of-leader", {"leader": leader, "limit": str(limit)}).rows
        assert page == whole[:limit], (leader, limit)


def listed(store: Store, party: str) -> set[tuple[str, str | None]]:
    """(meeting, lexical form of its date or None) for each meeting the index lists for ``party``."""
    graph = ox.NamedNode(graph_iri(store))
    anchor = summary_leaders.anchor(graph_iri(store), party)

    def objects(subject: str, prop: str) -> list[ox.NamedNode | ox.Literal]:
        return [q.object for q in store.oxigraph.quads_for_pattern(  # type: ignore[misc]
            ox.NamedNode(subject), ox.NamedNode(prop), None, graph)]

    dates: list[str | None] = [str(d) for d in objects(anchor, summary_leaders.MEETINGS_ON)]
    dates += [None] * len(objects(anchor, summary_leaders.HAS_UNDATED))
    return {(m.value, summary_leaders.lexical(d) if d else None)
            for d in dates for m in objects(summary_leaders.node(anchor, d), summary_leaders.LISTS_MEETING)}


def test_the_index_lists_exactly_the_meetings_the_whole_answer_lists(store: Store) -> None:
    for slug in LEADERS:
        party = f"{B}person/{slug}"
        whole = run_query(store, "meetings-of-leader", {"leader": party}).rows
        assert listed(store, party) == {(r["meeting"], r.get("date")) for r in whole}, slug


def test_a_date_node_is_the_iri_the_query_builds(tmp_path: Path) -> None:
    """``node`` writes what SPARQL's ENCODE_FOR_URI gives, for any lexical form."""
    anchor = f"{B}graph/summary/meetings/0123456789abcdef"
    oxs = ox.Store()
    for date in ['"2025-03-02"^^<http://www.w3.org/2001/XMLSchema#date>', '"früh / später?"@de', '"a b%c~_.-"']:
        q = (f'SELECT ?n WHERE {{ BIND({date} AS ?x) BIND(IRI(CONCAT("{anchor}", "/d/", ENCODE_FOR_URI(STR(?x)))) '
             f'AS ?n) }}')
        assert [r[0].value for r in oxs.query(q)] == [summary_leaders.node(anchor, date)]  # type: ignore[union-attr]


def test_two_dates_with_one_lexical_form_share_a_node_and_the_page_tells_them_apart(tmp_path: Path) -> None:
    """A date literal typed otherwise than xsd (a user's graph) is listed under its lexical form with the
    xsd one; the page checks each meeting's own date, so it stays the start of the whole answer."""
    with open_store(tmp_path / "s") as st:
        write(st, "a1", [("m1", ["anna", "dora"], DAYS[0], True), ("m2", ["anna", "carl"], DAYS[1], True)])
        write(st, "a2", [("m3", ["anna", "dora"], '"2025-03-01"', True), ("m4", ["anna", "carl"], DAYS[2], True)])
        update(st)
        anchor = summary_leaders.anchor(graph_iri(st), f"{B}person/anna")
        shared = summary_leaders.node(anchor, DAYS[0])
        assert shared == summary_leaders.node(anchor, '"2025-03-01"')
        whole = run_query(st, "meetings-of-leader", {"leader": "Anna Berg"}).rows
        assert [(r["meeting"][-2:], r["date"]) for r in whole] == [
            ("m1", "2025-03-01"), ("m3", "2025-03-01"), ("m2", "2025-03-02"), ("m4", "2025-03-04")]
        for limit in range(len(whole) + 2):
            assert run_query(st, "meetings-of-leader", {"leader": "Anna Berg", "limit": str(limit)}).rows == \
                whole[:limit], limit


def test_the_merge_pass_writes_the_index_the_updates_keep(tmp_path: Path) -> None:
    """After removals and rewrites, the index kept by delta is the one a full pass writes."""
    with open_store(tmp_path / "s") as st:
        spread(st)
        write(st, "a2", [("m12", ["anna"], None, True), ("m40", ["dora", "carl"], OTHER[0], True)])
        st.drop_article("a3")
        write(st, "b2", [("y1", ["anna", "dora"], None, True)])  # the merged report loses its date
        update(st)
        kept = sorted(str(q.triple) for q in st.quads(graph_iri(st)))
        recompute(st)
        assert sorted(str(q.triple) for q in st.quads(graph_iri(st))) == kept
