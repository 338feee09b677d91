"""The merged graph kept up to date signature by signature is the one a full recompute gives.

Random histories of adding, replacing and removing articles (one at a time, and many in one
bulk-loaded batch) over a few parties, dates and shared meeting/pledge IRIs, so reports
cluster, split and move between signatures; after every step ``kg.merge.update`` must leave
exactly ``same_as_links`` (the from-scratch answer), the summary graph the global queries
read exactly what counting from scratch gives (``full_summary``), the merge's signature index
(``kg.merge_index``) file every report as filing them anew does, and the counters ``kg stats``
reads must equal a scan of the store.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import merge, merge_index, summary_apply
from kg.merge import MEETING_PROPS, OWL_SAME_AS, PLEDGE_PROPS, full_summary, recompute, relink, same_as_links, update
from kg.store import Store, open_store
from kg.store.counters import current, load, recount, scan_counts
from kg.store.pending import facts_in_ntriples
from kg.summary import graph_iri

DIP = "https://w3id.org/diplomacy-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
B = "https://w3id.org/diplomacy-kg/id/"
PARTIES = [f"{B}country/{c}" for c in ("FR", "GB", "DE")]
DATES = ['"2025-03-01"^^<' + XSD + 'date>', '"2025-03-02"^^<' + XSD + 'date>', '"2025-03-03"^^<' + XSD + 'date>',
         '"2025-03"^^<' + XSD + 'gYearMonth>', '"2025-04-01"^^<' + XSD + 'date>']
MEETING_CLASSES = ("PhoneCall", "Summit")
PLEDGE_TYPES = [f"https://w3id.org/diplomacy-kg/vocab/pledge-type/{t}" for t in ("troops", "funding")]

fact = st.tuples(st.integers(0, 7), st.sampled_from(["meeting", "pledge"]),
                 st.sets(st.integers(0, len(PARTIES) - 1), min_size=1, max_size=2),
                 st.integers(0, 1), st.one_of(st.none(), st.integers(0, len(DATES) - 1)))
article = st.lists(fact, min_size=1, max_size=3)
key = st.integers(0, 5)
step: st.SearchStrategy[tuple[str, int, Any]] = st.one_of(
    st.tuples(st.just("put"), key, article),
    st.tuples(st.just("remove"), key, st.just([])),
    st.tuples(st.just("batch"), key, st.lists(st.tuples(key, article), min_size=1, max_size=4)))


def ntriples(k: int, facts: Sequence[tuple[int, str, set[int], int, int | None]]) -> str:
    """An article graph: each fact typed, with its parties, date, source and maybe a label (IRIs shared
    across articles)."""
    art = f"<{B}article/a{k}>"
    lines = [f"{art} <{RDF_TYPE}> <{DIP}Article> ."]
    for iri, kind, parties, variant, day in facts:
        s = f"<{B}{kind}/x{iri}>"
        lines.append(f"{s} <{PROV}> {art} .")
        if kind == "meeting":
            lines += [f"{s} <{RDF_TYPE}> <{DIP}Meeting> .", f"{s} <{RDF_TYPE}> <{DIP}{MEETING_CLASSES[variant]}> ."]
            lines += [f"{s} <{DIP}participant> <{PARTIES[p]}> ." for p in sorted(parties)]
        else:
            lines += [f"{s} <{RDF_TYPE}> <{DIP}Pledge> .", f"{s} <{DIP}pledgeType> <{PLEDGE_TYPES[variant]}> ."]
            lines += [f"{s} <{DIP}pledgedBy> <{PARTIES[p]}> ." for p in sorted(parties)]
        if day is not None:
            lines.append(f"{s} <{DIP}date> {DATES[day]} .")
        if (k + iri) % 3:  # labelled by some articles only: the facts a date counts (kg.summary_dates)
            lines.append(f'{s} <{LABEL}> "x{iri}" .')
    return "\n".join(lines) + "\n"


def merged_links(store: Store) -> list[tuple[str, str]]:
    quads = store.oxigraph.quads_for_pattern(None, ox.NamedNode(OWL_SAME_AS), None, ox.NamedNode(store.merged_graph))
    return sorted((q.subject.value, q.object.value) for q in quads)  # type: ignore[union-attr]


def summary_lines(store: Store) -> list[str]:
    return sorted(f"{q.triple} ." for q in store.quads(graph_iri(store)))


def filed(store: Store) -> list[tuple[bytes, str, str]]:
    """What the index files: each report's signature hash, and the merge it is in ("": none)."""
    index = merge_index.SignatureIndex(store.path)
    try:
        return sorted(index.db.execute("SELECT signature, iri, coalesce(canonical, '') FROM report"))
    finally:
        index.close()


def collected_by_query(store: Store, cls: str, props: tuple[str, ...]) -> dict[str, merge.Report]:
    """The reports of ``cls`` as SPARQL finds them (``?x a cls . ?x p ?v``, one query per property):
    what ``merge.collect``'s reads by predicate must give."""
    reports: dict[str, merge.Report] = {}
    for prefixed in props:
        rows = store.oxigraph.query(f"PREFIX dip: <{DIP}> PREFIX rdf: <{RDF_TYPE[:-4]}> PREFIX prov: <{PROV[:-14]}> "
                                    f"SELECT DISTINCT ?x ?v WHERE {{ ?x a {cls} . ?x {prefixed} ?v }}",
                                    use_default_graph_as_union=not store.merged_default)
        assert isinstance(rows, ox.QuerySolutions)
        for x, v in rows:
            merge.add_value(reports.setdefault(x.value, merge.Report(x.value)), prefixed, v)  # type: ignore[arg-type]
    return reports


def filed_anew(store: Store) -> list[tuple[bytes, str, str]]:
    meetings, pledges = merge.collect(store)
    assert (meetings, pledges) == (collected_by_query(store, "dip:Meeting", MEETING_PROPS),
                                   collected_by_query(store, "dip:Pledge", PLEDGE_PROPS))
    reports = merge._filed(meetings, pledges)
    links = dict(merged_links(store))
    return sorted((merge_index.key(kind, rep.signature), rep.iri, links.get(rep.iri, "")) for kind, rep in reports)


def assert_merge_and_counters_exact(store: Store) -> None:
    update(store)
    assert merged_links(store) == same_as_links(store)
    assert summary_lines(store) == full_summary(store)
    assert filed(store) == filed_anew(store)
    assert load(store) == recount(store) == scan_counts(store)


def _no_whole_recount(*args: object) -> None:
    raise AssertionError("a party was recounted whole: its stored numbers did not fit the change")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=8))
def test_incremental_merge_equals_a_full_recompute(steps: list[tuple[str, int, object]]) -> None:
    """The summary moves by the change alone: recounting a party whole (the fallback) is never needed."""
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s") as store, pytest.MonkeyPatch.context() as mp:
        mp.setattr(summary_apply, "recount_parties", _no_whole_recount)
        current(store)
        full_passes: list[Store] = []
        mp.setattr(merge, "recompute", lambda s: full_passes.append(s) or recompute(s))
        for op, k, arg in steps:
            if op == "put":
                store.replace_article(f"a{k}", ntriples(k, arg), {})  # type: ignore[arg-type]
            elif op == "remove":
                store.drop_article(f"a{k}")
            else:
                batch = store.batch(size=2)  # bulk loads, and replacements after them
                for bk, facts in arg:  # type: ignore[attr-defined]
                    batch.add(f"a{bk}", ntriples(bk, facts), {})
                batch.commit()
            assert_merge_and_counters_exact(store)
        assert len(full_passes) <= 1  # the first, which makes the summary: then relinks only


def test_a_lone_report_leaving_its_signature_is_relinked_without_a_full_pass(tmp_path: Path) -> None:
    """Two reports of one call a day apart link; replacing one with a summit unlinks them, incrementally."""
    call = [(0, "meeting", {0, 1}, 0, 0)]
    with open_store(tmp_path / "s") as store:
        store.replace_article("a1", ntriples(1, call), {})
        store.replace_article("a2", ntriples(2, [(1, "meeting", {0, 1}, 0, 1)]), {})
        assert relink(store, store.pending_facts) == (0, 1)
        assert merged_links(store) == [(f"{B}meeting/x1", f"{B}meeting/x0")]
        store.pending_facts.clear()
        store.replace_article("a2", ntriples(2, [(1, "meeting", {0, 1}, 1, 1)]), {})  # now a summit
        assert store.pending_facts == {f"{B}meeting/x1"}
        assert relink(store, store.pending_facts) == (1, 0)
        assert merged_links(store) == []


@pytest.mark.parametrize("kind", ["pledge", "meeting"])
def test_a_big_merge_is_updated_without_reading_its_unchanged_members(kind: str, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Undated troop pledges of one country merge however many articles report them (hundreds, in the
    benchmark). A report joining, leaving or changing costs the changed reports: the unchanged members
    are read only to see whether one of them still names a party, and the summary stays exact (a
    meeting's merge, with its corroboration, is recounted from its members)."""
    monkeypatch.setattr(summary_apply, "recount_parties", _no_whole_recount)
    read: list[str] = []
    real_read = summary_apply._Reader.read
    monkeypatch.setattr(summary_apply._Reader, "read", lambda self, iri: read.append(iri) or real_read(self, iri))
    day = None if kind == "pledge" else 0
    reports = [(k, kind, {0, 1}, 0, day) for k in range(8)]  # x0 .. x7: one report an article each
    with open_store(tmp_path / "s") as store:
        current(store)
        for k in range(1, 7):
            store.replace_article(f"a{k}", ntriples(k, [reports[k - 1]]), {})
            assert_merge_and_counters_exact(store)
        members = {f"{B}{kind}/x{k}" for k in range(6)}
        assert {b for _, b in merged_links(store)} == {f"{B}{kind}/x0"} and len(merged_links(store)) == 5
        for change in (lambda: store.replace_article("a7", ntriples(7, [reports[6]]), {}),  # joins
                       lambda: store.replace_article("a3", ntriples(3, [(2, kind, {1, 2}, 0, day)]), {}),  # others
                       lambda: store.replace_article("a4", ntriples(4, [(3, kind, {0, 1}, 1, day)]), {}),  # its type
                       lambda: store.drop_article("a6"),  # leaves
                       lambda: store.drop_article("a1")):  # the canonical report leaves: x1 is canonical now
            read.clear()
            change()
            assert_merge_and_counters_exact(store)
            if kind == "pledge":
                assert len(members & set(read)) <= 4, read  # the changed, the canonical, one unchanged: not all


def test_facts_are_read_from_the_lines_ingest_writes() -> None:
    nt = ntriples(3, [(2, "pledge", {1}, 0, None), (4, "meeting", {0, 2}, 1, 3)])
    assert facts_in_ntriples(nt) == {f"{B}pledge/x2", f"{B}meeting/x4"}


def test_the_scans_of_a_full_pass_read_what_reading_the_quads_reads() -> None:
    """A full merge pass scans whole predicates by SPARQL (only the subject and object looked up):
    the same (subject, object) pairs and subjects as the quads of the default graph, literals, blank
    nodes and language tags kept; over an older store's union of graphs, the same set of pairs."""
    from kg.batched_reads import pairs, subjects

    date, label, meeting = ox.NamedNode(f"{DIP}date"), ox.NamedNode(LABEL), ox.NamedNode(f"{DIP}Meeting")
    typed = ox.NamedNode(RDF_TYPE)
    x, y, blank = ox.NamedNode(f"{B}meeting/x"), ox.NamedNode(f"{B}meeting/y"), ox.BlankNode("b1")
    triples = [ox.Triple(x, date, ox.Literal("2025-03-01", datatype=ox.NamedNode(f"{XSD}date"))),
               ox.Triple(x, date, ox.Literal("2025-03")), ox.Triple(blank, date, ox.Literal("March", language="en")),
               ox.Triple(x, typed, meeting), ox.Triple(y, typed, meeting), ox.Triple(y, label, ox.Literal("a call")),
               ox.Triple(blank, typed, ox.NamedNode(f"{DIP}Pledge"))]
    graphs = [ox.NamedNode(f"{B}graph/article/a{i}") for i in (1, 2)]
    for default in (True, False):  # the merged default graph; an older store's union of its graphs
        store = ox.Store()
        for i, t in enumerate(triples):
            store.add(ox.Quad(t.subject, t.predicate, t.object, graphs[i % 2]))
            store.add(ox.Quad(t.subject, t.predicate, t.object, graphs[(i + 1) % 2]))
            if default:
                store.add(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
        view = ox.DefaultGraph() if default else None
        for p in (date, typed, label):
            quads = list(store.quads_for_pattern(None, p, None, view))
            scanned = list(pairs(store, p, union=not default))
            assert set(scanned) == {(q.subject, q.object) for q in quads}
            assert len(scanned) == len(quads) or not default
        members = list(subjects(store, typed, meeting, union=not default))
        assert set(members) == {x, y} and (len(members) == 2 or not default)
        assert set(subjects(store, date, None, union=not default)) == {x, blank}


def test_the_batched_reads_of_a_relink_see_each_report_as_a_single_read_does(tmp_path: Path) -> None:
    """``relink`` reads reports a thousand at a time in SPARQL; each must be what ``report_of`` reads
    alone: classes, parties (a literal one too), date, sources, and no report for an IRI of no kind."""
    from kg.merge import KINDS, report_of
    from kg.merge_reads import Lookups

    odd = f"{B}meeting/x9"
    lines = ntriples(1, [(0, "meeting", {0, 1}, 0, 0), (1, "pledge", {2}, 1, None), (2, "meeting", {1}, 1, 4)])
    lines += f'<{odd}> <{RDF_TYPE}> <{DIP}Meeting> .\n<{odd}> <{DIP}participant> "someone" .\n'
    lines += f"<{odd}> <{PROV}> <{B}article/a1> .\n<{B}pledge/x1> <{DIP}recipient> <{PARTIES[0]}> .\n"
    with open_store(tmp_path / "s") as store:
        store.replace_article("a1", lines, {})
        store.replace_article("a2", ntriples(2, [(0, "meeting", {0, 1}, 0, 1), (1, "pledge", {2}, 1, 3)]), {})
        iris = [f"{B}meeting/x0", f"{B}pledge/x1", f"{B}meeting/x2", odd, f"{B}article/a1", f"{B}meeting/none"]
        look = Lookups(store)
        look.read(iris)
        for iri in iris:
            for kind, (cls, props, _) in enumerate(KINDS):
                alone, batched = report_of(store, iri, cls, props), look.report(kind, iri)
                assert (alone is None) == (batched is None), (iri, cls)
                if alone is not None and batched is not None:
                    assert (batched.date, batched.articles, batched.signature) == (
                        alone.date, alone.articles, alone.signature)
        assert look.report(0, odd) is not None and look.report(0, f"{B}article/a1") is None


def _articles(store: Store, keys: range, seed: int = 0) -> None:
    batch = store.batch(size=2)
    for k in keys:
        parties = {(k + seed) % 3, (k + 1) % 3}
        facts = [(k % 5, "meeting", parties, k % 2, k % 4), (k % 3, "pledge", {k % 3}, 0, None)]
        batch.add(f"a{k}", ntriples(k, facts), {})
    batch.commit()


def test_a_full_pass_written_in_parts_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full pass writes the merged graph and the summary in parts (~1M summary triples at 100k articles):
    added and removed in slices, the result, the default graph and the counters are as in one write."""
    from kg.store import writes
    from tests.test_store_default_graph import assert_default_is_the_merge

    monkeypatch.setattr(writes, "PART", 4)
    with open_store(tmp_path / "s") as store:
        current(store)
        _articles(store, range(12))
        recompute(store)  # a new summary: added in parts
        assert_merge_and_counters_exact(store)
        assert_default_is_the_merge(store)
        for k in range(0, 12, 2):
            store.drop_article(f"a{k}")
        _articles(store, range(20, 26), seed=1)
        recompute(store)  # much of it goes, some comes: both in parts
        assert_merge_and_counters_exact(store)
        assert_default_is_the_merge(store)
        # a summary written anew, one of its triples stated by the user's graph too: counted once
        stated = next(t for t in store.graph(graph_iri(store)) if "meetingsOn" not in str(t[1]))
        store.replace_graph(store.user_graph, " ".join(term.n3() for term in stated) + " .")
        store.replace_graph(graph_iri(store), "")
        recompute(store)
        assert_merge_and_counters_exact(store)
        assert_default_is_the_merge(store)


CUT_SHORT = """
import os, sys
from kg import merge
from kg.store import open_store, writes
from tests.processes import die_in_bulk_load
writes.PART = 3
die_in_bulk_load(lambda: os._exit(9), at=3)  # the third part: journalled, half loaded, then the process dies
store = open_store(sys.argv[1])
store.replace_graph(merge.summary.graph_iri(store), "")  # a summary to write anew, no change of facts noted
merge.recompute(store)
"""


def test_a_full_pass_cut_short_in_its_parts_is_undone_and_done_again(tmp_path: Path) -> None:
    """Death in the middle of a part's bulk load: the next open undoes that part (its journal), and the next
    merge pass sees the marker the dead process left (though it noted no change) and is a full one, exact."""
    import subprocess
    import sys

    from tests.test_store_default_graph import assert_default_is_the_merge

    with open_store(tmp_path / "s") as store:
        current(store)
        _articles(store, range(10))
        recompute(store)
        for k in range(5):
            store.drop_article(f"a{k}")
        _articles(store, range(30, 36), seed=2)
        update(store)  # all done: no marker left
    run = subprocess.run([sys.executable, "-c", CUT_SHORT, str(tmp_path / "s")], cwd=Path(__file__).parents[1],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 9, run.stderr
    with open_store(tmp_path / "s") as store:
        assert_default_is_the_merge(store)  # the journal undid the half-loaded part
        current(store)  # the counters were left invalid: recounted when read
        assert_merge_and_counters_exact(store)  # update() sees the dead process's marker: a full pass
