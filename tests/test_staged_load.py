"""A store's first big load (``kg.store.staged``): staged on disk and bulk-loaded in parts, it gives
the store that one article at a time gives, new versions and repeats included, and a process
killed mid-load loses only the part being loaded."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import StoreError
from kg.ingest import Ingest
from kg.store import Store, bulk, core, counters, open_store, staged
from kg.store.batch import ArticleBatch
from kg.store.journal import LOAD_JOURNAL, LOAD_SLICES, STAGED
from kg.store.staged import StagedBatch
from tests.processes import die_in_bulk_load
from tests.test_store_batch import _articles, _content, _renamed
from tests.test_store_default_graph import assert_default_is_the_merge

ROOT = Path(__file__).resolve().parents[1]
Article = tuple[str, str, dict[str, str]]


def assert_same_store(st_: Store, expected: Store) -> None:
    assert _content(st_) == _content(expected)
    assert_default_is_the_merge(st_)
    assert asdict(counters.current(st_)) == asdict(counters.recount(st_)) == asdict(counters.recount(expected))
    assert not (st_.path / LOAD_JOURNAL).exists() and not (st_.path / STAGED).exists()


def _one_at_a_time(path: Path, articles: list[Article]) -> Store:
    expected = open_store(path)
    for a in articles:
        expected.replace_article(*a)
    return expected


def staged_as_one_at_a_time(st_: Store, folder: Path, sequence: list[Article], part: int) -> StagedBatch:
    """Stage ``sequence`` in parts of ``part`` and check the store against one article at a time."""
    batch = StagedBatch(st_, part=part)
    for a in sequence:
        batch.add(*a)
    batch.commit()
    batch.close()
    with _one_at_a_time(folder, sequence) as expected:
        assert_same_store(st_, expected)
    return batch


def test_a_large_first_load_is_staged_and_a_store_with_articles_is_not(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staged, "STAGE_MIN", 4)
    with open_store(tmp_path / "s") as st_:
        assert isinstance(st_.batch(expected=4), StagedBatch)
        assert not isinstance(st_.batch(expected=3), StagedBatch)  # too few to pay
        key, nt, ents = _articles(st_)[0]
        st_.replace_article(key, nt, ents)
        assert isinstance(st_.batch(expected=1000), ArticleBatch)  # articles to compare with


def test_parts_new_versions_and_repeats_give_the_store_one_article_at_a_time_gives(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st_:
        arts = _articles(st_)
        (k1, _, e1), (k2, nt2, e2) = arts[:2]
        sequence = [*arts[:5], arts[0],  # the same article again: nothing changes
                    (k1, arts[6][1], e1),  # a new version of a loaded article (its descriptions unchanged)
                    (k2, nt2, e2), *arts[5:]]
        batch = StagedBatch(st_, part=3)
        for a in sequence:
            batch.add(*a)
        assert batch.staging and batch.commits >= 2 and batch.stored <= batch.added == len(sequence)
        batch.commit()
        batch.close()
        assert batch.stored == len(sequence)
        with _one_at_a_time(tmp_path / "t", sequence) as expected:
            assert_same_store(st_, expected)


def test_new_versions_within_a_part_are_staged_and_the_old_ones_leave_nothing(tmp_path: Path) -> None:
    """The old version's graph is left out of the load; its default-graph lines stay only where a graph states them."""
    with open_store(tmp_path / "s") as st_:
        arts = _articles(st_)
        (k1, _, e1), (k2, _, e2) = arts[:2]
        sequence = [*arts[:4],
                    (k1, arts[5][1], e1),  # a new version: most of its lines differ from the old one's
                    (k2, arts[0][1], e2),  # one that states what the first version of k1 stated
                    (k1, arts[6][1], e1),  # and a third version of k1
                    *arts[7:]]
        batch = StagedBatch(st_, part=100)
        for a in sequence:
            batch.add(*a)
        assert batch.staging and len(batch) == len(sequence)  # each version staged, none held for later
        batch.commit()
        batch.close()
        assert batch.commits == 1 and batch.stored == len(sequence)
        with _one_at_a_time(tmp_path / "t", sequence) as expected:
            assert_same_store(st_, expected)


@pytest.mark.parametrize("first", ["in the same part", "in a part loaded before"])
def test_what_an_old_version_alone_stated_is_written_again_by_a_later_part(tmp_path: Path, first: str) -> None:
    """The old version's default-graph lines leave with it: an article of a later part stating them writes them."""
    with open_store(tmp_path / "s") as st_:
        arts = _articles(st_)
        if first == "in the same part":
            sequence = [("a", arts[0][1], arts[0][2]), ("a", arts[2][1], arts[2][2]), ("a", arts[5][1], arts[5][2]),
                        ("b", arts[0][1], arts[0][2])]
        else:
            sequence = [("a", arts[0][1], arts[0][2]), *arts[1:3], ("a", arts[1][1], arts[1][2]), *arts[3:5], arts[6],
                        ("b", arts[0][1], arts[0][2])]
        staged_as_one_at_a_time(st_, tmp_path / "t", sequence, part=3)


def test_a_changed_description_ends_the_staging_and_the_rest_is_batched(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st_:
        arts = _articles(st_)
        _, nt, ents = arts[2]
        sequence = [*arts[:4], ("renamed", nt, _renamed(ents)), *arts[4:]]
        batch = StagedBatch(st_, part=2)
        for a in sequence[:4]:
            batch.add(*a)
        assert batch.staging
        for a in sequence[4:]:
            batch.add(*a)
        assert not batch.staging  # the description differs from the one loaded: compared as any ingest does
        batch.commit()
        batch.close()
        with _one_at_a_time(tmp_path / "t", sequence) as expected:
            assert_same_store(st_, expected)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 8), st.sampled_from(["a", "b", "c", None]), st.booleans()),
                      min_size=1, max_size=12),
       part=st.integers(1, 5))
def test_any_sequence_loads_as_one_article_at_a_time(steps: list[tuple[int, str | None, bool]], part: int) -> None:
    """Articles under their own or shared keys (new versions, repeats), some with a renamed entity."""
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s") as st_:
        arts = _articles(st_)
        sequence = [(key or arts[i][0], arts[i][1], _renamed(arts[i][2]) if renamed else arts[i][2])
                    for i, key, renamed in steps]
        staged_as_one_at_a_time(st_, Path(tmp) / "t", sequence, part)


def test_an_ingest_staged_in_parts_equals_the_batched_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.generate import generate

    corpus = tmp_path / "corpus"
    generate(corpus, 40)
    monkeypatch.setattr(staged, "PART", 15)
    monkeypatch.setattr(bulk, "SLICE", 64 << 10)  # a part in several bulk-load calls
    runs = {}
    for name, least in (("batched", 10**9), ("staged", 10)):
        monkeypatch.setattr(staged, "STAGE_MIN", least)
        with open_store(tmp_path / name) as st_:
            run = Ingest(st_, [corpus / "articles"], workers=2)
            sources = [o.source for o in run]
            runs[name] = (sources, run.report.stored, run.report.keys)
            assert not (st_.path / LOAD_JOURNAL).exists() and not (st_.path / STAGED).exists()
    assert runs["staged"] == runs["batched"]  # in input order, each reported once stored
    with open_store(tmp_path / "staged") as got, open_store(tmp_path / "batched") as want:
        assert_same_store(got, want)  # every named graph: the summary the merge pass wrote too
        assert any(g.endswith("graph/summary") for g in got.graphs())



def test_readers_get_the_store_compacted_after_a_first_ingest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first load leaves its files overlapping (reads by predicate merge them all): the last snapshot
    comes after a compaction, and holds every article."""
    from bench.generate import generate
    from kg.api import open_store as open_api
    from kg.store import snapshot

    generate(tmp_path / "corpus", 12)
    monkeypatch.setattr(staged, "STAGE_MIN", 10)
    events: list[str] = []
    compact, publish = core.Store.compact, snapshot.publish
    monkeypatch.setattr(core.Store, "compact", lambda self: (events.append("compact"), compact(self))[1])
    monkeypatch.setattr(snapshot, "publish", lambda *a, **k: (events.append("publish"), publish(*a, **k))[1])
    with open_api(tmp_path / "s") as api:
        stored = api.ingest([tmp_path / "corpus" / "articles"], workers=1).stored
    assert "compact" in events and events[-1] == "publish" and events.index("compact") < len(events) - 1
    with open_store(tmp_path / "s", read_only=True) as reader:
        assert len(reader.article_keys()) == stored > 0


CRASH = textwrap.dedent("""
    import os, sys
    from kg.store import open_store
    from kg.store.staged import StagedBatch
    from tests.processes import die_in_bulk_load
    from tests.test_store_batch import _articles

    with open_store(sys.argv[1]) as st:
        articles = _articles(st)
        batch = StagedBatch(st, part=3)
        for a in articles[:3]:
            batch.add(*a)
        batch.commit()  # the first part is loaded
        if sys.argv[2] == "staging":
            batch.add(*articles[3])
            os._exit(9)  # killed while a part is staged
        if sys.argv[2] == "slices":  # the second part in many slices, two loaded at a time: killed in the third
            from kg.store import bulk
            bulk.SLICE = 512
        die_in_bulk_load(lambda: os._exit(9), at=3 if sys.argv[2] == "slices" else 1)  # in the second part's load
        for a in articles[3:6]:
            batch.add(*a)
        batch.commit()
""")


@pytest.mark.slow
@pytest.mark.parametrize("when", ["load", "slices", "staging"])
def test_a_process_killed_mid_load_keeps_the_parts_loaded_before(tmp_path: Path, when: str) -> None:
    store = tmp_path / "s"
    proc = subprocess.run([sys.executable, "-c", CRASH, str(store), when], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    assert (store / (STAGED if when == "staging" else LOAD_JOURNAL)).exists()
    assert bool(list(store.glob(LOAD_SLICES))) is (when == "slices")  # (the copy the dying call was loading)
    with open_store(store) as st_:  # the next writable open undoes the half-loaded part
        assert not list(store.glob(LOAD_SLICES))
        articles = _articles(st_)
        assert sorted(st_.article_keys()) == sorted(key for key, _, _ in articles[:3])
        with _one_at_a_time(tmp_path / "expected", articles[:3]) as expected:
            assert_same_store(st_, expected)


def test_a_slice_that_fails_undoes_its_part_whole_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bulk-load call fails (a full disk) while another runs beside it: the calls under way end, the part
    is undone whole, its copies are gone, and the parts loaded before stay."""
    monkeypatch.setattr(core.Store, "_writable", core.Store._writable)  # (put back after the test)

    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    with open_store(tmp_path / "s") as st_:
        articles = _articles(st_)
        batch = StagedBatch(st_, part=3)
        for a in articles[:3]:
            batch.add(*a)
        batch.commit()
        monkeypatch.setattr(bulk, "SLICE", 512)  # the second part in many slices
        die_in_bulk_load(disk_full, at=3)
        for a in articles[3:6]:
            batch.add(*a)
        with pytest.raises(StoreError, match=r"bulk load failed: .*No space left"):
            batch.commit()
        batch.close()
        assert not list(st_.path.glob(LOAD_SLICES))
        assert sorted(st_.article_keys()) == sorted(key for key, _, _ in articles[:3])
        with _one_at_a_time(tmp_path / "expected", articles[:3]) as expected:
            assert_same_store(st_, expected)


def test_an_article_without_triples_is_staged_as_nothing(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as st_:
        arts = _articles(st_)
        sequence = [arts[0], ("empty", "", {}), arts[1]]
        staged_as_one_at_a_time(st_, tmp_path / "t", sequence, part=1)  # the second part's file is empty


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.integers(min_value=1, max_value=40), max_size=60),
       most=st.integers(min_value=0, max_value=300))
def test_a_part_is_cut_into_whole_lines_of_about_equal_size(lines: list[int], most: int) -> None:
    """Each slice is one bulk-load call, read by Oxigraph from a file of its own: whole lines, in order, all of them."""
    data = b"".join(b"x" * (n - 1) + b"\n" for n in lines)
    with tempfile.TemporaryDirectory() as folder:
        path, piece = Path(folder) / "part.nq", Path(folder) / "slice.nq"
        path.write_bytes(data)
        cuts = bulk.slices(path, most)
        copied = []
        for start, end in cuts:
            bulk.copy_ranges(path, piece, [(start, end)])
            copied.append(piece.read_bytes())
    assert b"".join(copied) == data
    assert all(c.endswith(b"\n") for c in copied)
    longest = max(lines, default=0)
    if most and data:
        assert len(cuts) <= -(-len(data) // most)  # (fewer when a line is longer than a slice)
        assert all(len(c) <= -(-len(data) // -(-len(data) // most)) + longest for c in copied)
    else:
        assert len(cuts) == (1 if data else 0)


def test_a_slice_is_copied_where_the_kernel_cannot_copy_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr("os.copy_file_range", raising=False)  # (not Linux)
    source = tmp_path / "part.nq"
    source.write_bytes(b"".join(b"%d\n" % i for i in range(300_000)))
    bulk.copy_ranges(source, tmp_path / "slice.nq", [(7, 1_500_007), (1_600_000, 1_600_010)])
    data = source.read_bytes()
    assert (tmp_path / "slice.nq").read_bytes() == data[7:1_500_007] + data[1_600_000:1_600_010]


@settings(max_examples=300, deadline=None)
@given(size=st.integers(0, 60), cuts=st.lists(st.integers(0, 60), max_size=10), start=st.integers(0, 60),
       length=st.integers(0, 60))
def test_a_slice_without_the_old_versions_keeps_every_other_byte_in_order(size: int, cuts: list[int], start: int,
                                                                         length: int) -> None:
    bounds = sorted(set(cuts))
    skip = list(zip(bounds[::2], bounds[1::2], strict=False))  # sorted, disjoint
    end = min(start + length, size)
    kept = bulk.without(start, end, skip)
    expected = [i for i in range(start, end) if not any(a <= i < b for a, b in skip)]
    assert [i for a, b in kept for i in range(a, b)] == expected
    assert all(a < b for a, b in kept)
