"""Sentences and mention look-ups stay cheap however a page is punctuated (extraction is linear in the text)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kg.extract.text import MAX_SENTENCE, split
from kg.model import EntityIndex, EntityRef, Mention, Span


def test_a_run_on_sentence_is_cut_into_bounded_pieces_at_commas() -> None:
    text = "Leaders met in Paris, " * 2000 + "and agreed."
    spans = split(text)
    assert len(spans) > 1 and all(e - s <= MAX_SENTENCE for s, e in spans)
    assert all(text[s:e].endswith(",") for s, e in spans[:-1])  # cut after a comma, not mid-word
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")  # nothing lost


def test_ordinary_sentences_are_not_cut() -> None:
    text = "Macron met Scholz in Paris on Monday. They spoke about Ukraine, trade and energy."
    assert [text[s:e] for s, e in split(text)] == ["Macron met Scholz in Paris on Monday.",
                                                  "They spoke about Ukraine, trade and energy."]


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(1, 30)), max_size=60), st.integers(0, 520),
       st.integers(0, 560))
def test_within_is_the_mentions_inside_the_range(spans: list[tuple[int, int]], start: int, end: int) -> None:
    ref = EntityRef("country", "FR", "France")
    mentions = sorted((Mention(Span(s, s + n), ref, "x") for s, n in spans), key=lambda m: m.span.start)
    index = EntityIndex(mentions=mentions)
    assert index.within(start, end) == [m for m in mentions if m.span.start >= start and m.span.end <= end]


@given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 25), st.integers(0, 3)), max_size=80))
def test_entity_selection_keeps_the_longest_non_overlapping_candidates(spec: list[tuple[int, int, int]]) -> None:
    from kg.extract.entities import _select
    from kg.extract.titles import Cand

    cands = [Cand(s, s + n, "country", "FR", "name", prio=prio) for s, n, prio in spec]
    taken: list[tuple[int, int]] = []
    naive = []
    for c in sorted(cands, key=lambda c: (c.start - c.end, c.prio, c.start)):
        if all(c.end <= s or c.start >= e for s, e in taken):
            taken.append((c.start, c.end))
            naive.append(c)
    assert _select(cands) == sorted(naive, key=lambda c: c.start)
