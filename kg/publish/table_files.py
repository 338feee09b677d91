"""The columns of ``kg table`` (order and meaning) and the XLSX / Parquet writers.

The column order is part of the interface: scripts read columns by position too,
so new columns go at the end of a table. ``kg table --help`` prints these docs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import PublishError

if TYPE_CHECKING:
    from kg.publish.tables import Table

_SOURCES = {
    "sources": "number of distinct articles reporting it",
    "source_names": "file names of those articles, '; '-separated",
    "source_urls": "their URLs, in the same order (blank where unknown)",
}
_EVENT = {
    "event_id": "IRI of the canonical report when kg.merge linked reports of one event (owl:sameAs); else the "
                "row's own IRI: one event = one event_id",
    "label": "rdfs:label",
    "date": "dip:date as text: YYYY-MM-DD, YYYY-MM or YYYY (its precision)",
    "date_text": "the date as the article wrote it",
}

#: table -> column -> what it holds, in output order
COLUMNS: dict[str, dict[str, str]] = {
    "meetings": {
        "meeting_id": "IRI of the meeting (one row per report)", **_EVENT,
        "kind": "Summit | PhoneCall | VideoConference | Visit | Talks | Meeting",
        "place": "label of dip:location", "place_country": "ISO code of the place's country",
        "place_id": "IRI of the place", "mode": "in_person | phone | video ...", "status": "held | planned ...",
        "participants": "labels of the participants, '; '-separated, sorted",
        "participant_ids": "their IRIs in the same order",
        "countries": "ISO codes of participant countries and of the countries participant leaders lead",
        **_SOURCES, "published": "earliest publication date-time among the sources",
        "evidence": "the sentences it was read from, ' | '-separated",
    },
    "pledges": {
        "pledge_id": "IRI of the pledge (one row per report)", **_EVENT,
        "type": "dip:pledgeType notation (troops, weapons, funding ...)", "amount": "the amount as written",
        "conditional": "true when the pledge depends on a condition (ceasefire ...)",
        "pledgers": "labels of the pledging countries/organisations, '; '-separated",
        "pledger_ids": "their IRIs in the same order", "pledger_countries": "ISO codes of pledging countries",
        "recipient": "label of dip:recipient", "recipient_id": "its IRI",
        **_SOURCES, "published": "earliest publication date-time among the sources",
        "evidence": "the sentences it was read from, ' | '-separated",
    },
    "participants": {
        "meeting_id": "IRI of the meeting report", "event_id": _EVENT["event_id"],
        "meeting_label": "the meeting's label", "kind": "the meeting's kind", "date": _EVENT["date"],
        "place": "label of the meeting's place", "participant_id": "IRI of the participant (one row each)",
        "participant": "its label", "participant_type": "leader | country | organisation",
        "country": "ISO code: the country itself, or the country a leader leads",
        "role": "a leader's role notation(s)", "sources": "number of articles reporting the meeting",
    },
    "leaders": {
        "leader_id": "IRI of the leader (one row each)", "label": "canonical name",
        "alt_labels": "other spellings found in articles, '; '-separated",
        "roles": "role notations (president, prime_minister ...)", "countries": "ISO codes of countries led",
        "country_labels": "their labels, same order", "organisations": "organisations headed",
        "wikidata": "Wikidata entity IRI when known",
        "meetings": "number of distinct events (event_id) the leader took part in",
        "first_meeting": "earliest meeting date", "last_meeting": "latest meeting date", **_SOURCES,
    },
}
INT_COLUMNS = frozenset({"sources", "meetings"})
BOOL_COLUMNS = frozenset({"conditional"})

#: characters XML 1.0 (and so XLSX) cannot hold
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def help_text() -> str:
    """The columns of every table, for ``kg table --help``."""
    parts = []
    for kind, cols in COLUMNS.items():
        parts.append(f"{kind}: " + ", ".join(cols))
    return "\n\n".join(parts)


def write_xlsx(table: Table, path: Path) -> None:
    """One sheet named after the table; every text cell stays text (a leading '=' is never a formula)."""
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
    except ImportError:
        raise PublishError("openpyxl is not installed", fix="pip install 'diplomacy-kg[tables]'") from None
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.kind)
    sheet.append(table.columns)
    for row in table.rows:
        cells = []
        for col in table.columns:
            value = row.get(col)
            cell = WriteOnlyCell(sheet, value=_NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    book.save(path)


def write_parquet(table: Table, path: Path, ints: frozenset[str], bools: frozenset[str]) -> None:
    """Typed columns: counts int64, flags bool, everything else string (nulls where empty)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise PublishError("pyarrow is not installed", fix="pip install 'diplomacy-kg[tables]'") from None
    types = {c: pa.int64() if c in ints else pa.bool_() if c in bools else pa.string() for c in table.columns}
    arrays = [pa.array([row.get(c) for row in table.rows], type=types[c]) for c in table.columns]
    pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema([(c, types[c]) for c in table.columns])),
                   str(path))
