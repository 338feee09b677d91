"""Flat tables of the graph (``kg table``): one row per fact, for spreadsheets and pandas.

Each table is assembled from a few simple SPARQL queries over the store (one per
property, never a join of every label with every fact) and written as CSV, XLSX or
Parquet with the columns of ``COLUMNS`` in that order. A meeting or pledge reported
by articles that ``kg.merge`` linked with ``owl:sameAs`` keeps one row per report (its
own date, place and sources), and ``event_id`` names the canonical report: group or
de-duplicate on it to count events (``df.drop_duplicates("event_id")``).

Several values in one cell (participants, sources) are joined with ``"; "`` in a
stable order, and the ``*_ids`` / ``source_urls`` cells list theirs in the same order.
Dates stay text (``2025-03-02``, ``2025-03`` or ``2025``: their precision is data).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KgError, PublishError
from kg.publish.table_files import BOOL_COLUMNS, COLUMNS, INT_COLUMNS

if TYPE_CHECKING:
    from kg.store import Store

KINDS = tuple(COLUMNS)
FORMATS = ("csv", "xlsx", "parquet")
SEP = "; "
_EVENTS = {"meetings": "Meeting", "pledges": "Pledge"}


@dataclass
class Table:
    """A table's rows as dicts of Python values (str, int, bool or None), columns in ``COLUMNS`` order."""

    kind: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_text(row.get(c)) for c in self.columns])
        return buf.getvalue()

    def to_dataframe(self) -> Any:
        try:
            import pandas as pd
        except ImportError:
            raise PublishError("pandas is not installed", fix="pip install 'diplomacy-kg[pandas]'") from None
        return pd.DataFrame([[row.get(c) for c in self.columns] for row in self.rows], columns=self.columns)


@dataclass(frozen=True)
class TableReport:
    kind: str
    format: str
    rows: int
    path: Path | None
    text: str | None = None  # the CSV when no output file was given


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Graph:
    """Runs the small SELECTs the tables are made of; values are lexical strings."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def select(self, text: str) -> list[dict[str, str]]:
        from kg.query import parse_query, run_query

        return run_query(self.store, parse_query(text, "table")).rows

    def values(self, cls: str, path: str) -> dict[str, list[str]]:
        """subject of class ``dip:cls`` -> sorted distinct values of ``path``."""
        out: defaultdict[str, set[str]] = defaultdict(set)
        for row in self.select(f"SELECT DISTINCT ?s ?v WHERE {{ ?s a dip:{cls} . ?s {path} ?v }}"):
            out[row["s"]].add(row["v"])
        return {s: sorted(v) for s, v in out.items()}

    def subjects(self, cls: str) -> list[str]:
        return [r["s"] for r in self.select(f"SELECT DISTINCT ?s WHERE {{ ?s a dip:{cls} }}")]


@dataclass
class _Entities:
    """Labels, kinds and ISO codes of the leaders, countries, organisations and places."""

    label: dict[str, str] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)
    iso: dict[str, list[str]] = field(default_factory=dict)  # a country's code; a leader's or place's country
    country: dict[str, str] = field(default_factory=dict)  # ISO code -> the country's label


def _entities(g: _Graph) -> _Entities:
    ents = _Entities()
    for cls, kind in (("Leader", "leader"), ("Country", "country"), ("Organization", "organisation"),
                      ("Place", "place")):
        for s, labels in g.values(cls, "rdfs:label").items():
            ents.label[s], ents.kind[s] = labels[0], kind
    for cls, path in (("Country", "dip:isoCode"), ("Leader", "dip:leaderOf/dip:isoCode"),
                      ("Place", "dip:inCountry/dip:isoCode")):
        ents.iso.update(g.values(cls, path))
    ents.country = {codes[0]: ents.label[s] for s, codes in ents.iso.items()
                    if ents.kind.get(s) == "country" and codes and s in ents.label}
    return ents


@dataclass
class _Sources:
    name: dict[str, str] = field(default_factory=dict)
    url: dict[str, str] = field(default_factory=dict)
    published: dict[str, str] = field(default_factory=dict)


def _sources(g: _Graph) -> _Sources:
    src = _Sources()
    for attr, path in (("name", "dip:sourceName"), ("url", "schema:url"), ("published", "schema:datePublished")):
        getattr(src, attr).update({s: v[0] for s, v in g.values("Article", path).items()})
    return src


def _first(values: dict[str, list[str]], s: str) -> str | None:
    found = values.get(s)
    return found[0] if found else None


def _local(iri: str | None) -> str | None:
    return re.sub(r"^.*[/#]", "", iri) if iri else None


def _ordered(ids: list[str], ents: _Entities) -> list[str]:
    return sorted(ids, key=lambda i: (ents.label.get(i, i), i))


def _source_cells(articles: list[str], src: _Sources) -> dict[str, Any]:
    arts = sorted(articles, key=lambda a: (src.name.get(a, ""), a))
    dates = [src.published[a] for a in arts if a in src.published]
    return {"sources": len(arts), "source_names": SEP.join(src.name.get(a, a) for a in arts) or None,
            "source_urls": SEP.join(src.url.get(a, "") for a in arts) if any(a in src.url for a in arts) else None,
            "published": min(dates) if dates else None}


def _event_rows(g: _Graph, kind: str, ents: _Entities, src: _Sources) -> list[dict[str, Any]]:
    """The common columns of meetings and pledges: ids, label, date, sources, evidence."""
    cls = _EVENTS[kind]
    same: dict[str, str] = {}
    for r in g.select(f"SELECT ?s ?c WHERE {{ ?s a dip:{cls} ; owl:sameAs ?c . ?c a dip:{cls} }}"):
        same[r["s"]] = min(r["c"], same.get(r["s"], r["c"]))
    props = {p: g.values(cls, p) for p in ("rdfs:label", "dip:date", "dip:dateText", "prov:wasDerivedFrom",
                                           "dip:hasEvidence/dip:evidence")}
    rows = []
    for s in g.subjects(cls):
        rows.append({f"{kind[:-1]}_id": s, "event_id": same.get(s, s),
                     "label": _first(props["rdfs:label"], s), "date": _first(props["dip:date"], s),
                     "date_text": _first(props["dip:dateText"], s),
                     **_source_cells(props["prov:wasDerivedFrom"].get(s, []), src),
                     "evidence": " | ".join(props["dip:hasEvidence/dip:evidence"].get(s, [])) or None})
    return rows


def _meetings(g: _Graph, ents: _Entities, src: _Sources) -> list[dict[str, Any]]:
    rows = _event_rows(g, "meetings", ents, src)
    classes = g.values("Meeting", "a")
    place, mode, status = (g.values("Meeting", p) for p in ("dip:location", "dip:mode", "dip:status"))
    parts = g.values("Meeting", "dip:participant")
    for row in rows:
        s = row["meeting_id"]
        sub = sorted(_local(c) or "" for c in classes.get(s, []) if not c.endswith("#Meeting"))
        who = _ordered(parts.get(s, []), ents)
        where = _first(place, s)
        row.update(kind=sub[0] if sub else "Meeting", place=ents.label.get(where or "", _local(where)),
                   place_country=SEP.join(ents.iso.get(where or "", [])) or None, place_id=where,
                   mode=_local(_first(mode, s)), status=_local(_first(status, s)),
                   participants=SEP.join(ents.label.get(p, p) for p in who) or None,
                   participant_ids=SEP.join(who) or None,
                   countries=SEP.join(sorted({c for p in who for c in ents.iso.get(p, [])})) or None)
    return rows


def _pledges(g: _Graph, ents: _Entities, src: _Sources) -> list[dict[str, Any]]:
    rows = _event_rows(g, "pledges", ents, src)
    kind, amount, cond = (g.values("Pledge", p) for p in ("dip:pledgeType", "dip:amount", "dip:conditional"))
    by, to = g.values("Pledge", "dip:pledgedBy"), g.values("Pledge", "dip:recipient")
    for row in rows:
        s = row["pledge_id"]
        who, recipients = _ordered(by.get(s, []), ents), _ordered(to.get(s, []), ents)
        flag = _first(cond, s)
        row.update(type=_local(_first(kind, s)), amount=_first(amount, s),
                   conditional=None if flag is None else flag in ("true", "1"),
                   pledgers=SEP.join(ents.label.get(p, p) for p in who) or None, pledger_ids=SEP.join(who) or None,
                   pledger_countries=SEP.join(sorted({c for p in who for c in ents.iso.get(p, [])})) or None,
                   recipient=SEP.join(ents.label.get(p, p) for p in recipients) or None,
                   recipient_id=SEP.join(recipients) or None)
    return rows


def _participants(g: _Graph, ents: _Entities, src: _Sources) -> list[dict[str, Any]]:
    roles = g.values("Leader", "dip:role")
    out = []
    for m in _meetings(g, ents, src):
        for p in (m["participant_ids"] or "").split(SEP) if m["participant_ids"] else []:
            out.append({"meeting_id": m["meeting_id"], "event_id": m["event_id"], "meeting_label": m["label"],
                        "kind": m["kind"], "date": m["date"], "place": m["place"], "participant_id": p,
                        "participant": ents.label.get(p, p), "participant_type": ents.kind.get(p),
                        "country": SEP.join(ents.iso.get(p, [])) or None,
                        "role": SEP.join(_local(r) or "" for r in roles.get(p, [])) or None,
                        "sources": m["sources"]})
    return out


def _leaders(g: _Graph, ents: _Entities, src: _Sources) -> list[dict[str, Any]]:
    alt, roles, heads = (g.values("Leader", p) for p in ("skos:altLabel", "dip:role", "dip:heads"))
    same, arts = g.values("Leader", "owl:sameAs"), g.values("Leader", "prov:wasDerivedFrom")
    events: defaultdict[str, set[str]] = defaultdict(set)
    dates: defaultdict[str, set[str]] = defaultdict(set)
    for m in _meetings(g, ents, src):
        for p in (m["participant_ids"] or "").split(SEP):
            events[p].add(m["event_id"])
            if m["date"]:
                dates[p].add(m["date"])
    out = []
    for s in g.subjects("Leader"):
        wikidata = [x for x in same.get(s, []) if "wikidata.org/" in x]
        out.append({"leader_id": s, "label": ents.label.get(s), "alt_labels": SEP.join(alt.get(s, [])) or None,
                    "roles": SEP.join(_local(r) or "" for r in roles.get(s, [])) or None,
                    "countries": SEP.join(ents.iso.get(s, [])) or None,
                    "country_labels": SEP.join(ents.country.get(c, c) for c in ents.iso.get(s, [])) or None,
                    "organisations": SEP.join(ents.label.get(o, o) for o in heads.get(s, [])) or None,
                    "wikidata": wikidata[0] if wikidata else None, "meetings": len(events.get(s, ())),
                    "first_meeting": min(dates[s]) if dates.get(s) else None,
                    "last_meeting": max(dates[s]) if dates.get(s) else None,
                    **{k: v for k, v in _source_cells(arts.get(s, []), src).items() if k != "published"}})
    return out


_BUILD = {"meetings": _meetings, "pledges": _pledges, "participants": _participants, "leaders": _leaders}
_ORDER = {"meetings": ("date", "label", "meeting_id"), "pledges": ("date", "label", "pledge_id"),
          "participants": ("date", "meeting_id", "participant", "participant_id"),
          "leaders": ("label", "leader_id")}


def check_kind(kind: str) -> str:
    if kind not in COLUMNS:
        raise PublishError(f"unknown table {kind!r}", fix=f"use one of {', '.join(KINDS)}")
    return kind


def check_format(fmt: str, out: Path | None) -> str:
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise PublishError(f"unknown table format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    if fmt != "csv" and out is None:
        raise PublishError(f"{fmt} is a binary format and needs an output file", fix=f"add -o FILE.{fmt}")
    return fmt


def build_table(store: Store, kind: str) -> Table:
    """The rows of table ``kind`` (meetings | pledges | participants | leaders), in a stable order."""
    g = _Graph(store)
    rows = _BUILD[check_kind(kind)](g, _entities(g), _sources(g))
    rows.sort(key=lambda r: tuple((r.get(c) is None, _text(r.get(c))) for c in _ORDER[kind]))
    columns = list(COLUMNS[kind])
    return Table(kind, columns, [{c: r.get(c) for c in columns} for r in rows])


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it only when writing succeeded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(table: Table, fmt: str, out: Path) -> None:
    """``table`` as ``fmt`` in the file ``out`` (replaced whole, never left half-written)."""
    from kg.publish.table_files import write_parquet, write_xlsx

    with _replacing(out) as tmp:
        if fmt == "csv":
            tmp.write_text(table.to_csv(), encoding="utf-8", newline="")
        elif fmt == "xlsx":
            write_xlsx(table, tmp)
        else:
            write_parquet(table, tmp, INT_COLUMNS, BOOL_COLUMNS)


def export_table(kind: str, fmt: str = "csv", out: Path | None = None, *,
                 store: Store | str | Path | None = None) -> TableReport:
    """Build table ``kind`` from the store and write it: CSV text in the report when ``out`` is None."""
    check_kind(kind)
    fmt = check_format(fmt, out)
    if store is None or isinstance(store, str | Path):
        from kg.store import open_store

        with open_store(store, read_only=True) as st:
            table = build_table(st, kind)
    else:
        table = build_table(store, kind)
    if out is None:
        return TableReport(kind, fmt, len(table.rows), None, table.to_csv())
    try:
        write_table(table, fmt, out)
    except KgError:
        raise
    except OSError as exc:
        raise PublishError(f"cannot write the table: {exc.strerror or exc}", where=out,
                           fix="check the folder exists and is writable") from exc
    return TableReport(kind, fmt, len(table.rows), out)
