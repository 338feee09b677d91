"""The read stage: article files of every supported shape to ``Article``.

Golden cases live in tests/data/read/<case>/ (input.<ext> + expected.json); the
corpus checks run over ../shared/corpus when it is present.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import html as lxml_html

from kg.errors import ReadError
from kg.model import Article
from kg.read import iter_articles, read_article, read_data, read_text
from kg.read.dates import find_date, parse_date
from kg.read.wire import infer_year

DATA = Path(__file__).parent / "data" / "read"
CASES = sorted(p for p in DATA.iterdir() if p.is_dir())
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
ARTICLES = CORPUS / "articles"
needs_corpus = pytest.mark.skipif(not ARTICLES.is_dir(), reason="corpus not present")


def _summary(article: Article) -> dict[str, object]:
    return {
        "title": article.title, "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "date_inferred": article.date_inferred, "url": article.url, "caption": article.caption,
        "fmt": article.fmt, "paragraph_count": len(article.paragraphs),
        "first_paragraph": article.paragraphs[0] if article.paragraphs else None,
        "last_paragraph": article.paragraphs[-1] if article.paragraphs else None,
    }


# --- golden cases --------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path) -> None:
    source = next(case.glob("input.*"))
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    absent = expected.pop("absent", [])  # junk that must not reach Article.text
    article = read_article(source)
    assert not [s for s in absent if s in article.text], f"{case.name}: junk in Article.text"
    got = _summary(article)
    diff = {k: (expected[k], got[k]) for k in expected if expected[k] != got[k]}
    shown = json.dumps(diff, indent=1, ensure_ascii=False)
    assert not diff, f"{case.name}: (expected, got) per field: {shown}"
    assert article.source == source.name
    for para in article.paragraphs:
        assert para and "\n" not in para and para == " ".join(para.split())


def test_source_is_file_name_not_path(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "story.txt"
    path.parent.mkdir()
    path.write_text("Title\n\nBody text here.\n", encoding="utf-8")
    assert read_article(path).source == "story.txt"
    assert read_article(str(path)).source == "story.txt"


def test_text_joins_title_caption_and_paragraphs() -> None:
    article = read_article(DATA / "page_dump_s000" / "input.txt")
    assert article.text.startswith(article.title + "\n\n" + (article.caption or ""))
    assert article.text.endswith(article.paragraphs[-1])


# --- the corpus ----------------------------------------------------------------------------------

def _corpus_files() -> list[Path]:
    return sorted(ARTICLES.iterdir()) if ARTICLES.is_dir() else []


@needs_corpus
def test_corpus_dates_match_gold() -> None:
    gold = json.loads((CORPUS / "gold.json").read_text(encoding="utf-8"))["articles"]
    wrong = []
    for item in gold:
        article = read_article(CORPUS / item["file"])
        day = article.published_date
        got = day.isoformat() if day else None
        if got != item["published"]:
            wrong.append((item["id"], item["published"], got))
    assert len(gold) == 26
    assert not wrong, f"(article, gold, read) with different dates: {wrong}"


@needs_corpus
def test_corpus_reads_every_file_with_title_and_body() -> None:
    articles = [a for a in iter_articles([ARTICLES]) if isinstance(a, Article)]
    assert len(articles) == 26
    for article in articles:
        assert article.title and len(article.paragraphs) >= 4, article.source


def _junk_after_feed(raw: str) -> list[str]:
    """Every line of a page dump from its related-headline block on."""
    lines = raw.splitlines()
    ends = ("News Feed", "Author: Volodymyr Ivanyshyn")
    start = next(i for i, ln in enumerate(lines) if ln.strip() in ends)
    return [ln.strip() for ln in lines[start:] if len(ln.strip()) > 3]


TRAPS = [
    "News Feed", "MORE NEWS", "Editors' Picks", "Subscribe", "indicates required", "Skip to content",
    "Edit post", "This audio is created", "Author:", "Read also", "Recommended", "Explainer",
    "UK PM Starmer plans Ukraine visit", "Europe scrambles for a role", "Kremlin readout says Putin",
    "will need US backing", "Netherlands sets aside", "What a 30-day ceasefire would mean",
    "UK's Starmer to visit Ukraine in coming weeks", "What counts toward NATO's new 5% target",
    "Security guarantees must be agreed before any meeting", "Trump signals shift on weapons",
    "Zelensky arrives in Canada for G7 talks", "Japan to send more power generators", "Erdogan",
    "Belgrade", "Armenia", "India and Pakistan", "China's exports", "Pezeshkian", "Fico", "Sweida",
    "Israel and Iran trade strikes", "Support independent journalism", "Become a member",
    "Share this page", "Is this page useful", "Associated links", "Palazzo Chigi - Press Office",
    "(Reporting by", "From:", "cookies", "Accept all", "Privacy policy", "Most read", "Related stories",
    "Trending", "Tags:", "Share on", "Advertisement", "Romania sets May date", "Oman backs OPEC+",
]


@needs_corpus
@pytest.mark.parametrize("name", [p.name for p in _corpus_files()])
def test_corpus_text_has_no_site_junk(name: str) -> None:
    path = ARTICLES / name
    article = read_article(path)
    text = article.text

    def leaked(t: str) -> bool:  # a short menu word ("Europe") may occur in prose; a whole block may not
        return t in article.blocks or (len(t) > 25 and t in text)

    found = [t for t in TRAPS if t.lower() in text.lower()]
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".txt" and name.startswith(("d0", "d10", "s0")):
        found += [ln for ln in _junk_after_feed(raw) if leaked(ln)]
    if path.suffix == ".html":
        doc = lxml_html.document_fromstring(raw)
        for el in doc.xpath("//nav | //aside | //footer | //*[contains(@class, 'cookie')]"):
            found += [t for t in (" ".join(s.split()) for s in el.itertext()) if t and leaked(t)]
    assert not found, f"{name}: junk in Article.text: {found}"


# --- dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("January 14, 2025 2:13 AM", datetime(2025, 1, 14, 2, 13, tzinfo=UTC)),
    ("April 1, 2025 11:34 PM 2 min read", datetime(2025, 4, 1, 23, 34, tzinfo=UTC)),
    ("Jan. 14, 2025", datetime(2025, 1, 14, tzinfo=UTC)),
    ("Sept. 5, 2025", datetime(2025, 9, 5, tzinfo=UTC)),
    ("1 March 2025", datetime(2025, 3, 1, tzinfo=UTC)),
    ("Published 1 March 2025", datetime(2025, 3, 1, tzinfo=UTC)),
    ("Tuesday, 20 May 2025", datetime(2025, 5, 20, tzinfo=UTC)),
    ("Sun 2 Mar 2025 19.40 GMT", datetime(2025, 3, 2, 19, 40, tzinfo=UTC)),
    ("2025-03-02T19:40:00+00:00", datetime(2025, 3, 2, 19, 40, tzinfo=UTC)),
    ("2025-08-19T21:40:00Z", datetime(2025, 8, 19, 21, 40, tzinfo=UTC)),
    ("2025-03-17T17:05:00+01:00", datetime.fromisoformat("2025-03-17T17:05:00+01:00")),
    ("2025-03-17", datetime(2025, 3, 17, tzinfo=UTC)),
    ("12:30 AM, March 3, 2025", None),  # time before the date is not a shape we promise
    ("February 30, 2025", None),
    ("no date here", None),
])
def test_parse_date(text: str, expected: datetime | None) -> None:
    got = parse_date(text)
    if expected is None and text.startswith("12:30"):
        assert got is None or got.date() == datetime(2025, 3, 3).date()
        return
    assert got == expected
    assert got is None or got.tzinfo is not None


def test_find_date_in_a_sentence_and_zone() -> None:
    assert find_date("Pieter Vandamme — 17 March 2025, 17:05 CET") == datetime.fromisoformat(
        "2025-03-17T17:05:00+01:00")
    assert parse_date("The summit was held in Brussels on March 17, 2025 with many leaders") is None


@pytest.mark.parametrize(("month", "day", "body", "year"), [
    (1, 15, "The truce takes effect on Sunday, Jan. 19, 2025.", 2025),
    (12, 30, "Leaders will meet on Jan. 3, 2026 in Rome.", 2025),  # a date across new year
    (4, 29, "The pact entered into force in September 2024. ASEAN chair will pass to Manila in 2026.", 2025),
    (3, 6, "The EU said it would provide 30.6 billion euros in 2025.", 2025),
    (4, 15, "The war, which broke out in April 2023, goes on. Donors would give more in 2025.", 2025),
    (9, 12, "Their second meeting since June 2025.", 2025),
    (2, 3, "The two leaders met on Monday.", None),
    # a year named by a determiner, a possessive or an event's name is a plain mention
    (7, 4, "Sworn in after Chile's 2024 general election. Ties worsened after a clash in 2020.", 2024),
    (12, 27, "They met as 2019 drew to a close. They last met in May 2018.", 2019),
    (6, 2, "Donors gathered as the Harbour Recovery Conference 2025 opened.", 2025),
])
def test_wire_year_inference(month: int, day: int, body: str, year: int | None) -> None:
    assert infer_year(month, day, body) == year


# --- publication dates of real pages (texts written for the tests) -------------------------------------

LEAD = "Finnish President Alexander Stubb met Polish Prime Minister Donald Tusk in Warsaw on Monday for talks."
BODY = "The two leaders discussed border security and support for Ukraine.\n\nThey agreed to meet again soon.\n"


def _published(text: str) -> str | None:
    day = read_text(text, fmt="txt").published_date
    return day.isoformat() if day else None


@pytest.mark.parametrize(("head", "expected"), [
    # a collector's header line, with the story on the same line
    (f" date 2025-10-30 WARSAW – {LEAD}", "2025-10-30"),
    # datelines with a full date
    (f"Stubb and Tusk meet\n\nROME, March 4, 2025 (Test Wire) – {LEAD}", "2025-03-04"),
    (f"Stubb and Tusk meet\n\nOTTAWA, ON, Oct. 8, 2025 /Test Newswire/ - {LEAD}", "2025-10-08"),
    (f"NAIROBI, 23rd November, 2025 (Test Agency) -- {LEAD}", "2025-11-23"),
    (f"Stubb and Tusk meet\nby Test Staff Writers\nParis (Test Agency) July 10, 2025\n\n{LEAD}", "2025-07-10"),
    (f"Stubb and Tusk meet\n\nLima, 19 June 2024 (Test Agency/XYZ) - {LEAD}", "2024-06-19"),
    (f"Stubb and Tusk meet\n\nTALLINN, Estonia, Oct 13, 2025: {LEAD}", "2025-10-13"),
    # a year-less wire dateline with the country after the city: the year from the body
    (f"Stubb and Tusk meet\n\nKRAKOW, Poland, Nov. 4 (Test Wire) -- {LEAD} It was their first meeting since "
     "the 2024 election.", "2024-11-04"),
    (f"Stubb and Tusk meet\n\nABU DHABI — On July 10, 2025, {LEAD}", "2025-07-10"),
    (f"Stubb and Tusk meet\n\nVienna / Bratislava — December 3, 2025 | Test Reporters\n{LEAD}", "2025-12-03"),
    # year-less datelines take the year from a full date in the story
    (f"KAZAN, October 22. /Test Agency/. {LEAD} The forum opened on Sunday, Oct. 20, 2024.", "2024-10-22"),
    # bylines and timestamps, in every order
    (f"Stubb and Tusk meet\nPublished: 24 Aug. 2025, 15:23 Updated: 24 Aug. 2025, 15:28\n\n{LEAD}", "2025-08-24"),
    (f"Section Name\n\nStubb and Tusk meet\n\n27.02.2025 15:45\n{LEAD}", "2025-02-27"),
    (f"11:15 11.04.2025\n\nStubb and Tusk meet\n\n{LEAD}", "2025-04-11"),
    (f"Stubb and Tusk meet\n\n17.02.25\n18:31\n\n{LEAD}", "2025-02-17"),
    (f"Stubb and Tusk meet\nDate\n1/28/2025 2:04:41 AM\n{LEAD}", "2025-01-28"),
    (f"Politics Economy World 2025-10-31T05:44:38+00:00\n\nStubb and Tusk meet\n\n{LEAD}", "2025-10-31"),
    (f"By Jane Roe\nUpdated at 0919 EAT on Sunday 24th Nov 2024\n\n{LEAD}", "2024-11-24"),
    (f"Stubb and Tusk meet\n\nUpdated On: Thu, 15 May 2025\n\n{LEAD}", "2025-05-15"),
    (f"/ 22 November 2025\n\nStubb and Tusk meet\n\n{LEAD}", "2025-11-22"),
    (f"Stubb and Tusk meet\n\nThu Oct 24 2024\nshare icons\n\n{LEAD}", "2024-10-24"),
    (f"Stubb and Tusk meet\n\nJane Roe, John DoeSunday, 9 March 2025, 13:03\n\n{LEAD}", "2025-03-09"),
    (f"Stubb and Tusk meet\n\nTest Team | Published: June 19, 2024 20:43:57\n\n{LEAD}", "2024-06-19"),
    (f"Stubb and Tusk meet\n\nFirst published on: 12-03-2025 at 14:05 IST\n\n{LEAD}", "2025-03-12"),
    (f"Stubb and Tusk meet\nAuthor: Jane Roe\nPublication Date: October 7, 2025 - 04:00\n\n{LEAD}", "2025-10-07"),
    (f"Stubb and Tusk meet\n\n11/20/20255 min read\n\n{LEAD}", "2025-11-20"),
    (f"Stubb and Tusk meet\n\n- Press release\n- Wednesday, 7 May 2025\n\n{LEAD}", "2025-05-07"),
    (f"Newsportal 6 December 2024\n{LEAD}", "2024-12-06"),
    (f"Stubb and Tusk meet\n\n16:05 GMT 14.06.2025 (Updated: 16:15 GMT 14.06.2025)\n\n{LEAD}", "2025-06-14"),
    # a site's date widget loses to the story's byline or dateline
    (f"Sun, Jun 1, 2025\nShare\n\nStubb and Tusk meet\n\nReported by: Test Desk Edited by: Jane Roe -- "
     f"May 16th 2025 12:31 PM\n\n{LEAD}", "2025-05-16"),
    (f"• Friday, 22 November 2024\n\nStubb and Tusk meet\n\nLima, 19 June 2024 (Test Agency) - {LEAD}",
     "2024-06-19"),
    # a header days away from the story's own dateline: a republished page, the story wins
    (f" date 2025-07-10 Stubb and Tusk meet\n\nROME, March 4, 2025 (Test Wire) – {LEAD}", "2025-03-04"),
    # ... but a caption's date in the lead does not contradict the header
    (f" date 2025-07-08 Stubb and Tusk met in Rome on Monday November 18, 2024. Test Photo\n\n{LEAD}",
     "2025-07-08"),
    # no signal: dates in prose, captions and embedded posts are not publication dates
    (f"The summit was held in Rome on July 24, 2025, with leaders of the region. {LEAD}", None),
    ("Stubb and Tusk meet\n\nPresident Alexander Stubb (L) and Prime Minister Donald Tusk at a press "
     f"conference in Warsaw, Poland, Oct. 24, 2024. (Credit: Test Photographer/Agency)\n\n{LEAD}", None),
    (f"Stubb and Tusk meet\n\n{LEAD}\n\n— Test Account (@test_account) November 24, 2024\n", None),
    (f" date 2025-07 WARSAW – {LEAD}", None),  # a month gives no day
    (f"July 22 (Test Agency) — {LEAD}", None),  # a year-less dateline and no year in the story
])
def test_publication_date_forms(head: str, expected: str | None) -> None:
    assert _published(head + "\n\n" + BODY) == expected


@pytest.mark.parametrize(("head", "junk"), [
    (f" date 2025-10-30 WARSAW – {LEAD}", "date 2025"),
    (" date 2025-10-26 403\nStubb and Tusk meet\n\n" + LEAD, "403"),
    (f" date 2025-07 WARSAW – {LEAD}", "2025-07"),
    (f"11:15 11.04.2025\n\nStubb and Tusk meet\n\n{LEAD}", "11.04.2025"),
    (f"Stubb and Tusk meet\nDate\n1/28/2025 2:04:41 AM\n{LEAD}", "2025"),
    (f"Stubb and Tusk meet\n\n17.02.25\n18:31\n\n{LEAD}", "18:31"),
    (f"/ 22 November 2025\n\nStubb and Tusk meet\n\n{LEAD}", "November"),
    (f"Politics Economy World 2025-10-31T05:44:38+00:00\n\nStubb and Tusk meet\n\n{LEAD}", "Politics"),
])
def test_date_lines_never_become_title_or_body(head: str, junk: str) -> None:
    article = read_text(head + "\n\n" + BODY, fmt="txt")
    assert junk not in article.text
    assert article.title in ("Stubb and Tusk meet", "WARSAW – " + LEAD.split(" for ")[0] + " for talks.")


def test_a_headless_story_with_an_undated_byline_is_not_titled_by_the_author() -> None:
    article = read_text(f"By Jane Roe\nUpdated at 0919 EAT on Sunday 24th Nov 2024\n\nWARSAW – {LEAD}\n\n{BODY}")
    assert article.title.startswith("WARSAW – Finnish President")


def test_html_and_json_without_date_metadata_are_dated_by_their_dateline() -> None:
    js = json.dumps({"title": "Stubb and Tusk meet", "text": f"ROME, March 4, 2025 (Test Wire) – {LEAD}"})
    assert _published_of(read_text(js)) == "2025-03-04"
    html = f"<html><body><article><h1>Stubb and Tusk meet</h1><p>Lima, 19 June 2024 (Test Agency) - {LEAD}</p>" \
           "<p>They agreed to meet again.</p></article></body></html>"
    assert _published_of(read_text(html)) == "2024-06-19"
    prose = json.dumps({"title": "T", "text": "Leaders met in Rome on March 4, 2025, for talks."})
    assert read_text(prose).published is None  # a date in prose is the event's, not the page's


def _published_of(article: Article) -> str | None:
    return article.published_date.isoformat() if article.published_date else None


@pytest.mark.parametrize(("text", "expected"), [
    ("27.02.2025 15:45", datetime(2025, 2, 27, 15, 45, tzinfo=UTC)),
    ("1/28/2025 2:04:41 AM", datetime(2025, 1, 28, 2, 4, 41, tzinfo=UTC)),
    ("24/11/2024", datetime(2024, 11, 24, tzinfo=UTC)),  # day first when the day cannot be a month
    ("05/06/2025", datetime(2025, 6, 5, tzinfo=UTC)),  # ambiguous without AM/PM: day first
    ("05/06/2025 9:30 AM", datetime(2025, 5, 6, 9, 30, tzinfo=UTC)),  # a US stamp: month first
    ("17.02.25", datetime(2025, 2, 17, tzinfo=UTC)),
    ("12-03-2025 at 14:05 IST", datetime(2025, 3, 12, 14, 5, tzinfo=timezone(timedelta(hours=5, minutes=30)))),
    ("2025/03/12 14:05", datetime(2025, 3, 12, 14, 5, tzinfo=UTC)),  # year first, as the ISO form
    ("2024-2025", None),  # a span of years is no date
    ("23rd of November, 2025", datetime(2025, 11, 23, tzinfo=UTC)),
    ("-2025-03-05", None),  # a negative year is refused, never read without its sign
    ("-0044-03-15", None),
    ("2025-13-40", None),
])
def test_parse_date_numeric_and_signed(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_json_with_a_negative_year_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"title": "T", "text": "Body.", "published": "-2025-03-05"}), encoding="utf-8")
    with pytest.raises(ReadError, match="not a date"):
        read_article(path)


# --- other inputs ----------------------------------------------------------------------------------

def test_read_text_sniffs_format_and_uses_stdin_source() -> None:
    html = (DATA / "html_article_fallback" / "input.html").read_text(encoding="utf-8")
    article = read_text(html)
    assert (article.fmt, article.source, article.title) == ("html", "<stdin>", "Leaders meet briefly")
    js = read_text('{"title": "T", "text": "Body."}', source="/tmp/x/a.json")
    assert (js.fmt, js.source) == ("json", "a.json")
    assert read_text("Title\n\nBody.", fmt="txt").paragraphs == ("Body.",)


def test_read_data_decodes_bytes_like_a_file() -> None:
    article = read_data("Málaga talks\n\nSánchez met Macron.\n".encode("cp1252"))
    assert (article.source, article.title) == ("<stdin>", "Málaga talks")
    assert read_data(b"\xef\xbb\xbf{\"title\": \"T\", \"text\": \"B.\"}").fmt == "json"
    with pytest.raises(ReadError, match="<stdin>: binary"):
        read_data(b"\x00\x01\x02")


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    src = (DATA / "json_minimal" / "input.json").read_text(encoding="utf-8")
    (tmp_path / "story.dat").write_text(src, encoding="utf-8")
    assert read_article(tmp_path / "story.dat").fmt == "json"
    (tmp_path / "page.xyz").write_text("<html><body><article><p>Leaders met.</p></article></body></html>")
    assert read_article(tmp_path / "page.xyz").paragraphs == ("Leaders met.",)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252", "latin-1"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    text = "Pedro Sánchez meets Macron\n\nSpain’s prime minister said “no” in Málaga.\n"
    if encoding == "latin-1":
        text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode(encoding))
    article = read_article(path)
    assert article.title == "Pedro Sánchez meets Macron"
    assert article.paragraphs == (text.split("\n\n")[1].strip(),)


def test_whitespace_and_invisible_characters_normalised() -> None:
    article = read_text("Title\u00a0 here\r\n\r\nBody\u200b text\twith   spaces\r\nand a wrapped line.\r\n")
    assert article.title == "Title here"
    assert article.paragraphs == ("Body text with spaces and a wrapped line.",)


def test_a_subheading_between_unwrapped_paragraphs_is_its_own_paragraph() -> None:
    """One paragraph per line when the lines are not hard-wrapped: a subheading is not read into the
    sentence after it (its country would join the meeting that sentence tells)."""
    first = "Prime Minister A met President B in Rome on Monday, where the two discussed trade, " * 2
    second = "The talks also covered energy, officials said after the meeting, and more talks will follow soon."
    article = read_text(f"Title here\n\n{first.strip()}\nQatar welcomes the plan\n{second}\n")
    assert article.paragraphs == (first.strip(), "Qatar welcomes the plan", second)
    wrapped = read_text("Title here\n\nPrime Minister A met President B\nin Rome on Monday, officials\nsaid.\n")
    assert wrapped.paragraphs == ("Prime Minister A met President B in Rome on Monday, officials said.",)


@pytest.mark.parametrize("mark", ["\u200d", "\u200c", "\u200e", "\u202e", "\u2066", "\u2069", "\u2060", "\u00ad",
                                  "\ufe0f", "\U000e0041"])
@pytest.mark.parametrize("fmt", ["txt", "json", "html"])
def test_invisible_format_characters_inside_names_are_removed(mark: str, fmt: str) -> None:
    title = f"Ma{mark}cron meets Scholz"
    body = f"French President Em{mark}manuel Macron met German Chancellor Olaf{mark} Scholz in Berlin."
    raw = {"txt": f"{title}\n\n{body}\n",
           "json": json.dumps({"title": title, "text": body}),
           "html": f"<html><body><article><h1>{title}</h1><p>{body}</p></article></body></html>"}[fmt]
    article = read_text(raw, fmt=fmt)
    assert article.title == "Macron meets Scholz"
    assert "Emmanuel Macron" in article.text and "Olaf Scholz" in article.text


def test_invisible_characters_make_no_phantom_leaders() -> None:
    from kg.extract import extract

    plain = extract(read_text("Talks\n\nFrench President Emmanuel Macron met Olaf Scholz.\n"))
    marked = extract(read_text("Talks\n\nFrench President Emma\u200dnuel Mac\u200fron met Olaf Scholz.\n"))
    assert [(x.key, x.name) for x in marked.leaders] == [(x.key, x.name) for x in plain.leaders]
    assert [x.key for x in plain.leaders] == ["emmanuel-macron", "olaf-scholz"]


def test_extra_boilerplate_markers_from_user_data_dir(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.datafiles import read_toml
    from kg.read.junk import markers

    (tmp_path / "boilerplate.toml").write_text('cut = ["Weiterlesen"]\n', encoding="utf-8")
    raw = "Title\n\nLeaders met in Berlin.\n\nWeiterlesen\n\nAnother story entirely.\n"
    assert len(read_text(raw).paragraphs) == 3
    monkeypatch.setenv("KG_DATA_DIR", str(tmp_path))
    read_toml.cache_clear()
    markers.cache_clear()
    try:
        assert read_text(raw).paragraphs == ("Leaders met in Berlin.",)
    finally:
        monkeypatch.delenv("KG_DATA_DIR")
        read_toml.cache_clear()
        markers.cache_clear()


# --- errors: one clear line naming the file ---------------------------------------------------------

def _error(path: Path) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_article(path)
    message = info.value.message
    assert "\n" not in message and str(path) in message, message
    return info.value


@pytest.mark.parametrize(("name", "content", "expect"), [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\t\n  \r\n", "empty"),
    ("nul.txt", b"Title\x00\x01\x02\x00 body", "binary"),
    ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("bad-utf16.txt", b"\xff\xfe" + b"\x00\xd8" * 3, "UTF-16"),
    ("truncated.html", b"<!DOCTYPE html><html><head><title>Summit ends</title><meta name=",
     "no article text"),
    ("scripts.html", b"<html><head><script>var a = 1;</script></head>"
                     b"<body><script>track()</script></body></html>", "no article text"),
    ("list.json", b'[{"title": "T", "text": "B"}]', "JSON object"),
    ("broken.json", b'{"title": "T",\n "text": }', "invalid JSON"),
    ("no-title.json", b'{"text": "Body."}', "'title'"),
    ("no-text.json", b'{"title": "T"}', "'text'"),
    ("empty-text.json", b'{"title": "T", "text": "  \\n  "}', "'text'"),
    ("number-title.json", b'{"title": 3, "text": "Body."}', "'title' must be a string"),
    ("bad-author.json", b'{"title": "T", "text": "Body.", "author": {"n": 1}}', "'author' must be a string"),
    ("bad-date.json", b'{"title": "T", "text": "Body.", "published": "soon"}', "'published'"),
    ("date-number.json", b'{"title": "T", "text": "Body.", "published": 20250101}', "'published' must be"),
])
def test_bad_files(tmp_path: Path, name: str, content: bytes, expect: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    error = _error(path)
    assert expect.lower() in error.message.lower()


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"title": "T",\n "text": }', encoding="utf-8")
    assert f"{path}:2:" in _error(path).message


def test_json_without_date_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"title": "T", "text": "Body.", "published": null, "author": ["A", "B"]}')
    article = read_article(path)
    assert (article.published, article.author) == (None, "A, B")


def test_missing_directory_and_broken_link(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "nope.txt").message
    assert "directory" in _error(tmp_path).message
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "gone.txt")
    assert "broken symbolic link" in _error(link).message


def _as_nobody(fn: Callable[[], str]) -> str:
    """Run ``fn`` in a forked child that, when we are root, first drops to the 'nobody' user.

    Root reads any file whatever its mode, and CI runs as root: without this the
    permission check would never be exercised there.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()

    def target() -> None:
        if os.geteuid() == 0:
            os.setgid(65534)
            os.setuid(65534)
        try:
            child.send(fn())
        except BaseException as exc:  # report anything, including a crash, to the parent
            child.send(f"{type(exc).__name__}: {exc}")

    proc = ctx.Process(target=target)
    proc.start()
    proc.join(30)
    return str(parent.recv())


def test_unreadable_file_is_a_clear_error_and_the_batch_goes_on() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kg-perm-"))  # not under pytest's root-only tmp folder
    try:
        folder.chmod(0o755)
        (folder / "a-secret.txt").write_text("Title\n\nBody.\n")
        (folder / "a-secret.txt").chmod(0)
        (folder / "b-open.txt").write_text("Open title\n\nFrench President Emmanuel Macron spoke.\n")
        (folder / "b-open.txt").chmod(0o644)

        def read_both() -> str:
            out = []
            for item in iter_articles([folder]):
                out.append(item.message if isinstance(item, ReadError) else f"ok {item.title}")
            return " | ".join(out)

        got = _as_nobody(read_both)
        assert "a-secret.txt: permission denied" in got and got.endswith("ok Open title"), got
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("megabytes", [21, 50])
def test_too_large_is_refused_without_reading(tmp_path: Path, megabytes: int) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(megabytes * 1024 * 1024)  # sparse: no time or disk spent writing it
    assert "too large" in _error(path).message


def test_unknown_format_for_read_text() -> None:
    with pytest.raises(ReadError, match="unknown format"):
        read_text("x", fmt="pdf")
    with pytest.raises(ReadError, match="<stdin>: empty"):
        read_text("   ")


# --- batches -------------------------------------------------------------------------------------------

def test_iter_articles_on_2000_files_reports_bad_ones_and_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    for i in range(2000):
        sub = folder / f"part{i % 4}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 100 == 7:
            (sub / f"a{i:04d}.txt").write_bytes(b"\x00\x01binary")
        elif i % 100 == 8:
            (sub / f"a{i:04d}.json").write_text('{"title": 1}')
        else:
            (sub / f"a{i:04d}.txt").write_text(f"Story {i}\n\nLeaders met for the {i}th time.\n")
    (folder / ".hidden.txt").write_text("Hidden\n\nNot read.\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "x.txt").write_text("Hidden\n\nNot read.\n")
    (folder / "notes.csv").write_text("not,an,article\n")
    results = list(iter_articles([folder, tmp_path / "missing.txt"]))
    articles = [r for r in results if isinstance(r, Article)]
    errors = [r for r in results if isinstance(r, ReadError)]
    assert len(results) == 2001
    assert len(articles) == 1960 and len(errors) == 41
    assert errors[-1].where and errors[-1].where.endswith("missing.txt")
    assert all(re.search(r"a\d{4}\.(txt|json)", e.message) for e in errors[:-1])
    order = [r.source if isinstance(r, Article) else Path(r.where or "").name for r in results[:-1]]
    expected = sorted((f"part{i % 4}", f"a{i:04d}.json" if i % 100 == 8 else f"a{i:04d}.txt")
                      for i in range(2000))
    assert order == [name for _, name in expected]
    assert not any(a.title == "Hidden" for a in articles)


def test_an_excerpt_cut_off_mid_sentence_keeps_its_last_line() -> None:
    page = ("Leaders meet in Paris\n\nThe French president hosted talks on Monday.\n\n"
            "Trump spoke with the German chancellor on Thursday, according to a weekly magaz")
    art = read_text(page, source="cut.txt", fmt="txt")
    assert art.paragraphs[-1].startswith("Trump spoke with the German chancellor")


def test_a_related_headline_after_a_finished_article_is_still_dropped() -> None:
    page = ("Leaders meet in Paris\n\nThe French president hosted talks on Monday.\n\n"
            "Zelensky arrives in Canada for talks as allies weigh sanctions\n")
    art = read_text(page, source="full.txt", fmt="txt")
    assert art.paragraphs == ("The French president hosted talks on Monday.",)


def test_an_author_line_in_the_page_header_does_not_end_the_story() -> None:
    page = ("Leaders meet in Paris | Site\nHello!\nSource Feed: Daily Paper\nAuthor: Jane Doe\n"
            "Publication Date: October 7, 2025 - 04:00\n\nOctober 7, 2025\n\n"
            "The French president hosted talks on Monday with several leaders.\n\n"
            "They agreed to meet again next month.\n\nAuthor: Jane Doe\n\nRead also: another story\n")
    art = read_text(page, source="header.txt", fmt="txt")
    assert art.paragraphs[-2:] == ("The French president hosted talks on Monday with several leaders.",
                                   "They agreed to meet again next month.")
    assert art.author == "Jane Doe"
