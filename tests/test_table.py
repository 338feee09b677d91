"""`kg table`: meetings, pledges, participants and leaders as flat tables (CSV, XLSX, Parquet).

The store is ingested from two short articles written for this test: one phone call reported
by both (a day apart, so kg.merge links the reports with owl:sameAs), a meeting in Warsaw and
a conditional troop pledge. One row per report; merged reports share ``event_id``.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import PublishError
from kg.ingest import ingest
from kg.publish.table_files import COLUMNS
from kg.publish.tables import build_table, export_table
from kg.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/diplomacy-kg/id/"
ARTICLES = {
    "a.txt": "Macron and Zelenskyy speak by phone\n\nPublished: 4 March 2025\n\n"
             "French President Emmanuel Macron spoke by phone with Ukrainian President Volodymyr Zelenskyy "
             "on Monday, 3 March 2025, about air defence.\n\n"
             "France will send 2,000 troops to Ukraine once a ceasefire holds, Macron said.\n",
    "b.txt": "Paris and Kyiv talk again\n\nPublished: 5 March 2025\n\n"
             "Ukrainian President Volodymyr Zelenskyy held a phone call with French President Emmanuel Macron "
             "on 4 March 2025.\n\n"
             "German Chancellor Friedrich Merz met Polish Prime Minister Donald Tusk in Warsaw on 5 March 2025.\n",
}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("table")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    with open_store(folder / "store") as store:
        report = ingest(store, [folder / name for name in ARTICLES], workers=1)
        assert not report.rejects
    return folder / "store"


@pytest.fixture(scope="module")
def store(store_path: Path) -> Iterator[Store]:
    with open_store(store_path, read_only=True) as st:
        yield st


def pick(rows: list[dict[str, object]], *columns: str) -> list[tuple[object, ...]]:
    return [tuple(r[c] for c in columns) for r in rows]


def test_meetings_one_row_per_report_with_the_merged_event(store: Store) -> None:
    table = build_table(store, "meetings")
    assert table.columns == list(COLUMNS["meetings"])
    assert pick(table.rows, "date", "kind", "participants", "place", "place_country", "countries", "source_names") == [
        ("2025-03-03", "PhoneCall", "Emmanuel Macron; Volodymyr Zelensky", None, None, "FR; UA", "a.txt"),
        ("2025-03-04", "PhoneCall", "Emmanuel Macron; Volodymyr Zelensky", None, None, "FR; UA", "b.txt"),
        ("2025-03-05", "Meeting", "Donald Tusk; Friedrich Merz", "Warsaw", "PL", "DE; PL", "b.txt"),
    ]
    call_a, call_b, warsaw = table.rows
    assert call_a["event_id"] == call_b["event_id"] == min(call_a["meeting_id"], call_b["meeting_id"])
    assert warsaw["event_id"] == warsaw["meeting_id"]
    assert warsaw["participant_ids"] == f"{ID}person/donald-tusk; {ID}person/friedrich-merz"
    assert call_a["sources"] == 1 and call_a["date_text"] == "Monday, 3 March 2025"
    assert "spoke by phone" in str(call_a["evidence"])


def test_pledges_carry_type_amount_condition_and_parties(store: Store) -> None:
    table = build_table(store, "pledges")
    assert table.columns == list(COLUMNS["pledges"])
    assert pick(table.rows, "type", "amount", "conditional", "pledgers", "pledger_countries", "recipient",
                "source_names") == [("troops", "2,000 troops", True, "France", "FR", "Ukraine", "a.txt")]
    assert table.rows[0]["event_id"] == table.rows[0]["pledge_id"]


def test_participants_one_row_per_participant_of_each_meeting(store: Store) -> None:
    table = build_table(store, "participants")
    assert table.columns == list(COLUMNS["participants"])
    assert pick(table.rows, "date", "participant", "participant_type", "country", "role") == [
        ("2025-03-03", "Emmanuel Macron", "leader", "FR", "president"),
        ("2025-03-03", "Volodymyr Zelensky", "leader", "UA", "president"),
        ("2025-03-04", "Emmanuel Macron", "leader", "FR", "president"),
        ("2025-03-04", "Volodymyr Zelensky", "leader", "UA", "president"),
        ("2025-03-05", "Donald Tusk", "leader", "PL", "prime_minister"),
        ("2025-03-05", "Friedrich Merz", "leader", "DE", "chancellor"),
    ]


def test_leaders_count_events_not_reports(store: Store) -> None:
    table = build_table(store, "leaders")
    assert table.columns == list(COLUMNS["leaders"])
    assert pick(table.rows, "label", "countries", "country_labels", "roles", "meetings", "first_meeting",
                "last_meeting", "sources") == [
        ("Donald Tusk", "PL", "Poland", "prime_minister", 1, "2025-03-05", "2025-03-05", 1),
        ("Emmanuel Macron", "FR", "France", "president", 1, "2025-03-03", "2025-03-04", 2),
        ("Friedrich Merz", "DE", "Germany", "chancellor", 1, "2025-03-05", "2025-03-05", 1),
        ("Volodymyr Zelensky", "UA", "Ukraine", "president", 1, "2025-03-03", "2025-03-04", 2),
    ]
    zelensky = table.rows[3]
    assert zelensky["alt_labels"] == "Volodymyr Zelenskyy"
    assert zelensky["wikidata"] == "http://www.wikidata.org/entity/Q3874799"


def test_csv_reads_back_as_the_table(store: Store) -> None:
    report = export_table("meetings", store=store)
    assert report.path is None and report.text is not None
    rows = list(csv.DictReader(io.StringIO(report.text)))
    expected = build_table(store, "meetings")
    assert list(rows[0]) == expected.columns
    assert [r["meeting_id"] for r in rows] == [r["meeting_id"] for r in expected.rows]
    assert rows[2]["place"] == "Warsaw" and rows[0]["place"] == ""


def test_xlsx_reads_back_with_openpyxl(store: Store, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    report = export_table("pledges", "xlsx", tmp_path / "pledges.xlsx", store=store)
    assert report.rows == 1 and report.path == tmp_path / "pledges.xlsx"
    sheet = openpyxl.load_workbook(tmp_path / "pledges.xlsx")["pledges"]
    values = list(sheet.values)
    assert list(values[0]) == list(COLUMNS["pledges"])
    row = dict(zip(values[0], values[1], strict=True))
    assert (row["pledgers"], row["amount"], row["conditional"], row["sources"]) == ("France", "2,000 troops", True, 1)


def test_parquet_reads_back_typed_with_pandas(store: Store, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    export_table("leaders", "parquet", tmp_path / "leaders.parquet", store=store)
    df = pd.read_parquet(tmp_path / "leaders.parquet")
    assert list(df.columns) == list(COLUMNS["leaders"])
    assert str(df["meetings"].dtype) == "int64" and df["meetings"].tolist() == [1, 1, 1, 1]
    assert df["label"].tolist() == ["Donald Tusk", "Emmanuel Macron", "Friedrich Merz", "Volodymyr Zelensky"]
    assert df["wikidata"].isna().tolist() == [True, False, True, False]
    assert build_table(store, "leaders").to_dataframe()["label"].tolist() == df["label"].tolist()


def test_xlsx_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from kg.publish.table_files import write_xlsx
    from kg.publish.tables import Table

    write_xlsx(Table("meetings", ["label"], [{"label": "=HYPERLINK(\"http://x\")\x07"}]), tmp_path / "t.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "t.xlsx")["meetings"]["A2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")\ufffd"


def test_bad_kind_or_format_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(PublishError, match=r"unknown table 'events'.*meetings, pledges, participants, leaders"):
        export_table("events", store=store)
    with pytest.raises(PublishError, match=r"unknown table format 'json'.*csv, xlsx, parquet"):
        export_table("meetings", "json", store=store)
    with pytest.raises(PublishError, match=r"xlsx .*needs an output file.*-o FILE.xlsx"):
        export_table("meetings", "xlsx", store=store)


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_cli_writes_csv_to_stdout_and_files_with_o(store_path: Path, tmp_path: Path) -> None:
    done = kg("table", "participants", "--store", str(store_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == ",".join(COLUMNS["participants"]) and len(done.stdout.splitlines()) == 7
    out = tmp_path / "m.parquet"
    done = kg("table", "meetings", "-f", "parquet", "-o", str(out), "--store", str(store_path))
    assert done.returncode == 0 and out.is_file() and "wrote 3 meetings rows" in done.stderr
    bad = kg("table", "meetings", "--format", "xml", "--store", str(store_path))
    assert bad.returncode == 2 and bad.stdout == "" and "unknown table format 'xml'" in bad.stderr
    bad = kg("table", "summits", "--store", str(store_path))
    assert bad.returncode == 2 and "unknown table 'summits'" in bad.stderr
    help_text = kg("table", "--help").stdout
    assert "event_id" in help_text and "participant_type" in help_text
