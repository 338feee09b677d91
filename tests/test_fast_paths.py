"""The worker's fast paths give exactly what the plain forms they replace give.

The ingest worker writes N-Triples without rdflib terms, scans with regexes behind a lookahead of
their first characters, finds surnames without a regex per name: each is checked here against the
form it replaces, on hand-made cases and on generated ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.plugins.serializers.nt import _nt_row

from kg.datafiles import read_toml
from kg.extract import clauses, dates, extract
from kg.extract.coref import _occurrences
from kg.extract.meeting_rules import TRIGGERS_FILE
from kg.extract.names import patterns
from kg.extract.text import _ABBREVIATIONS, _is_abbreviation
from kg.ingest import entity_descriptions, process
from kg.lookahead import alternation, first_class, with_lookahead
from kg.map import Lit, Plain, rdflib_triples, to_graph, to_plain
from kg.map_nt import entity_rows, nt_rows
from kg.read import read_article
from kg.read.decode import _CONTROL

SAMPLES = sorted((Path(__file__).parents[1] / "samples").iterdir())
TEXTS = [read_article(p).text for p in SAMPLES]
XSD = "http://www.w3.org/2001/XMLSchema#"
S, P = "https://example.org/s", "https://example.org/p"


# ---- the lookahead of first characters -----------------------------------------------------------

@pytest.mark.parametrize(("pattern", "flags", "expected"), [
    ("abc|d", 0, "[ad]"),
    ("(?:x)?y", 0, "[xy]"),
    (r"(?<![\w'])(?:met|talks)\b", re.I, "[mt]"),
    (r"\s*(?P<wd>Monday|Friday)", 0, r"[FM\s]"),
    (r"(?:from\s+)?\d{1,2}", 0, r"[\df]"),
    ("(?i:ab)c|Xy", 0, "(?:[X]|(?i:[a]))"),
])
def test_the_class_holds_each_first_character(pattern: str, flags: int, expected: str) -> None:
    assert first_class(pattern, flags) == expected


@pytest.mark.parametrize("pattern", ["a*", "x?", "(?:)", ".b", "[^a]b", "(?x:a)b", r"\Wb", r"(a)?\1"])
def test_no_lookahead_when_the_first_characters_are_not_certain(pattern: str) -> None:
    assert first_class(pattern) is None
    assert with_lookahead(pattern) == pattern


def _same_matches(pattern: re.Pattern[str], texts: list[str]) -> None:
    fast = re.compile(with_lookahead(pattern.pattern, pattern.flags), pattern.flags)
    for text in texts:
        assert [(m.span(), m.groupdict()) for m in fast.finditer(text)] == \
            [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


@pytest.mark.parametrize(("kind", "pattern"), dates._PATTERNS, ids=[k for k, _ in dates._PATTERNS])
def test_each_date_pattern_finds_the_same_dates_behind_its_lookahead(kind: str, pattern: re.Pattern[str]) -> None:
    written = ["on Friday (July 4)", "from March 3 to 5, 2025", "3-5 March", "late on Monday", "in 2024",
               "later this week", "two days ago", "on the 24th", "Jan. 13", "13 January 2025", "In October"]
    _same_matches(pattern, TEXTS + written)


def test_the_meeting_words_find_the_same_triggers_behind_their_lookahead() -> None:
    data = read_toml(TRIGGERS_FILE)
    words = [p for group in data["trigger"] for p in group["patterns"]]
    ordered = sorted(words, key=len, reverse=True)
    plain = re.compile(r"(?<![\w'])(?:" + "|".join(f"(?:{p})" for p in ordered) + r")(?![\w])", re.I)
    assert clauses.words(words).pattern != plain.pattern  # the lookahead is there
    _same_matches(plain, [*TEXTS, "He SPOKE BY PHONE with her.", "a video-conference", "Talks' end"])


# ---- N-Triples without rdflib terms ---------------------------------------------------------------

ODD = ["plain", "", 'a "quoted" word', "back\\slash", "two\nlines", "carriage\rreturn", "tab\there",
       "Zelenskyy – Élysée ✓ 🇺🇦", "\u2028separator"]


def test_each_line_is_the_line_rdflib_writes() -> None:
    triples: list[Plain] = [(S, P, Lit(text)) for text in ODD] + [
        (S, P, "https://example.org/o"), (S, P, Lit(True)), (S, P, Lit(0, XSD + "integer")),
        (S, P, Lit(1234, XSD + "integer")), (S, P, Lit("2025-03-05", XSD + "date")),
        (S, P, Lit("2025-03", XSD + "gYearMonth")), (S, P, Lit("2025", XSD + "gYear")),
        (S, P, Lit("2025-03-05T10:30:00+02:00", XSD + "dateTime")), (S, P, Lit("0999-01-01", XSD + "date")),
        (S, P, Lit("https://example.org/a b", XSD + "anyURI")), (S, P, Lit("prime minister", None, "en")),
    ]
    assert nt_rows(triples) == [_nt_row(t) for t in rdflib_triples(triples)]


def test_an_iri_rdflib_cannot_write_is_refused_the_same_way() -> None:
    with pytest.raises(Exception, match="does not look like a valid URI"):
        nt_rows([("https://example.org/a b", P, "https://example.org/o")])


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_an_article_gives_the_graph_and_descriptions_of_the_rdflib_path(path: Path) -> None:
    article = read_article(path)
    facts = extract(article)
    graph = to_graph(facts)
    triples = to_plain(facts)
    rows = nt_rows(triples)
    assert sorted(rows) == sorted(graph.serialize(format="nt").splitlines(keepends=True))
    assert entity_rows(triples, rows) == entity_descriptions(graph)
    outcome = process(article, "https://w3id.org/diplomacy-kg/id/")
    assert outcome.ntriples == "".join(rows) and outcome.triples == len(graph)


# ---- plain searches instead of a regex each ------------------------------------------------------

_ALPHABET = st.sampled_from([*list("Kim KimX-_ \tJkimé٣Ä."), "Kim", " Kim ", "Kim Jong"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join), st.sampled_from(["Kim", "im", "Kim Jong", "é٣"]),
       st.booleans())
def test_a_surname_is_found_where_its_regex_finds_it(text: str, form: str, alone: bool) -> None:
    tail = r"(?![ \t]+[A-Z])" if alone else ""
    expected = [m.span() for m in re.finditer(rf"(?<![\w\-]){re.escape(form)}(?![\w\-]){tail}", text)]
    assert _occurrences(text, form, alone) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*list("aZ. ,1é\t-"), "U.S", "Jan", "Mr"]), max_size=20).map("".join))
def test_an_abbreviation_is_told_as_by_its_regex(head: str) -> None:
    text = head + ". Next"
    dot = len(head)
    word = re.search(r"([A-Za-z.]+)$", text[:dot])
    token = word.group(1).lower().rstrip(".") if word else None
    initials = bool(word) and re.fullmatch(r"(?:[A-Z]\.)+[A-Z]", word.group(1)) is not None  # "K.P. Sharma Oli"
    expected = bool(word) and (token in _ABBREVIATIONS or (len(token or "") == 1 and text[dot - 1].isupper())
                               or initials)
    assert _is_abbreviation(text, dot) is expected


def test_capital_initials_never_end_a_sentence() -> None:
    assert _is_abbreviation("Z.Z. Next", 3) and _is_abbreviation("K.P. Sharma", 3)
    assert not _is_abbreviation("Seoul. Next", 5)


def test_the_control_characters_counted_are_those_of_the_rule() -> None:
    rule = {c for c in map(chr, range(0x110000)) if (ord(c) < 32 and c not in "\t\n\r\f\v") or c == "\ufffd"}
    found = {m.group() for m in _CONTROL.finditer("".join(map(chr, range(0x110000))))}
    assert found == rule


@pytest.mark.parametrize("name", ["country", "org", "place", "leader", "title", "anaphor"])
def test_each_gazetteer_pattern_finds_the_same_names_behind_its_lookahead(name: str) -> None:
    fast = patterns()[name]
    plain = re.compile(fast.pattern[fast.pattern.index("(?<!["):], fast.flags)  # each opens on its lookbehind
    assert fast.pattern == with_lookahead(plain.pattern) != plain.pattern
    texts = [*TEXTS, "the EU and the european union", "The Prime Minister of India", "NATO's Secretary General"]
    for text in texts:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_a_graph_the_gate_refuses_is_rejected_with_the_full_report() -> None:
    from rdflib import Graph

    from kg.ingest import _outcome, gate
    from kg.vocab import DIP

    article = read_article(SAMPLES[0])
    triples = [t for t in to_plain(extract(article)) if t[1] != str(DIP.participant)]  # meetings without parties
    outcome = _outcome(triples, article.key, article.source)
    graph = Graph()
    for triple in rdflib_triples(triples):
        graph.add(triple)
    expected = gate(graph, article.source, article.key)
    assert expected is not None and outcome.reject is not None and not outcome.ntriples
    assert (outcome.reject.reason, outcome.reject.key) == ("shacl", article.key)

    def key(v: dict[str, str | None]) -> str:
        return repr(sorted(v.items()))

    # (the report lists its results in no fixed order)
    assert sorted(outcome.reject.violations, key=key) == sorted(expected.violations, key=key)


_WORDS = st.lists(st.text(alphabet="abAB -'", min_size=1, max_size=6), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(_WORDS, st.text(alphabet="abAB -'xK\u212a", max_size=40), st.booleans())
def test_an_alternation_grouped_by_first_letter_matches_as_the_plain_one(words: list[str], text: str,
                                                                          fold: bool) -> None:
    flags = re.I if fold else 0
    alternatives = [re.escape(w) + "(?: b)?" for w in words]  # with a tail, so backtracking is exercised
    plain = re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{a})" for a in alternatives) + r")(?!\w)", flags)
    grouped = re.compile(r"(?<!\w)" + alternation(alternatives, flags) + r"(?!\w)", flags)
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_an_alternation_is_grouped_only_when_no_character_passes_two_groups() -> None:
    assert alternation(["met", "talks"], re.I).startswith("(?:(?=m)")
    assert alternation(["Summit", "summit"], re.I) == "(?:(?:Summit)|(?:summit))"  # 'S' and 's' are one letter
    assert alternation(["Summit", "summit"]).startswith("(?:(?=S)")
