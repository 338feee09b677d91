"""The merge's index of signatures: which reports share one, kept beside the store.

Relinking a signature needs every report that has it. Found through the store, those are the
intersection of its parties' report lists: at 100k articles, 1,000 new articles touch ~350
parties, ~450k rows of report lists and ~100k membership tests, most of a relink. So the merge
keeps each report's signature, as a hash, in ``<store>/signatures.sqlite``: a signature's
reports are one indexed read, with what clustering them needs (date, articles) and the merge each
is in (its ``owl:sameAs`` target: what the relink compares its new clusters with; reading them from
the store cost ~1.6 s of a 1,000-article relink at 100k), so the store is not read for them at all.

It is the merge's own bookkeeping, not data anyone reads: readers, exports and pushes never see
it. It is exact whenever ``B graph/merged`` is. ``relink`` brings the rows of the reports a change
touched up to date before it relinks (a report's signature changes only when an article stating
it is written or removed, and every such write notes the report); ``recompute`` rebuilds it
whole. A merge pass that does not finish leaves ``merge.pending``, and the next pass is a full
one. A store without the index (from an older kg, or from ``kg build``) gets it from one read of
its reports at its first relink.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import StoreError

if TYPE_CHECKING:
    from kg.merge import Report

FILE = "signatures.sqlite"
#: bumped when what is hashed changes: an index of another version is rebuilt
VERSION = "2"  # "2": each report's merge (the canonical IRI its owl:sameAs names)
_TABLE = """CREATE TABLE IF NOT EXISTS report (signature BLOB NOT NULL, iri TEXT NOT NULL, date TEXT,
                                       articles TEXT NOT NULL, items TEXT NOT NULL, canonical TEXT)"""
#: made after a rebuild's rows, one sort each (289k rows at 100k articles: the rebuild 19.8 -> 13 s)
_INDEXES = ("CREATE INDEX IF NOT EXISTS report_by_signature ON report (signature)",
            "CREATE INDEX IF NOT EXISTS report_by_iri ON report (iri)")
_REPORT = (_TABLE, *_INDEXES)
_SCHEMA = ";\n".join(("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", *_REPORT)) + ";"
_CHUNK = 500  # SQLite's bound on a statement's parameters is 999 on older builds
#: a report filed with a signature: (IRI, date, articles, the canonical IRI of its merge in
#: ``B graph/merged``, None: not merged into another)
Filed = tuple[str, str | None, list[str], str | None]
Group = tuple[int, frozenset[str]]  # (kind, signature)


def key(kind: int, signature: Iterable[str]) -> bytes:
    """The hash a (kind, signature) is filed under (a collision only costs a read: peers are checked)."""
    return _key(kind, sorted(signature))


def _key(kind: int, items: list[str]) -> bytes:
    return hashlib.blake2b("\x1f".join([str(kind), *items]).encode("utf-8"), digest_size=16).digest()


_INSERT = "INSERT INTO report VALUES (?, ?, ?, ?, ?, ?)"


def _items(signature: Iterable[str]) -> str:
    return json.dumps(sorted(signature))


def _rows(reports: Iterable[tuple[int, Report]], links: Mapping[str, str]) -> Iterator[
        tuple[bytes, str, str | None, str, str, str | None]]:
    for kind, rep in reports:
        items = sorted(rep.signature)
        yield (_key(kind, items), rep.iri, rep.date, json.dumps(sorted(rep.articles)), json.dumps(items),
               links.get(rep.iri))


class SignatureIndex:
    """``<store>/signatures.sqlite``; ``ready`` is False until it has been built for this store."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")  # a commit is one append and no fsync of the file
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            row = self.db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the merge's signature index: {exc}", where=self.path,
                             fix="delete the file: the next ingest rebuilds it") from exc
        self.ready = row is not None and row[0] == VERSION

    def close(self) -> None:
        self.db.close()

    def rebuild(self, reports: Iterable[tuple[int, Report]], links: Mapping[str, str]) -> None:
        """File every report anew with its merge (``links``: report -> canonical IRI), in one transaction."""
        with self._transaction():
            self.db.execute("DROP TABLE IF EXISTS report")  # (an index of an older version has other columns)
            self.db.execute("DELETE FROM meta")
            self.db.execute(_TABLE)
            self.db.executemany(_INSERT, _rows(reports, links))
            for statement in _INDEXES:
                self.db.execute(statement)
            self.db.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
        self.ready = True

    def refile(self, iris: Iterable[str], reports: Iterable[tuple[int, Report]]) -> dict[str, str]:
        """Forget what was filed for ``iris``, then file their ``reports`` as they are now, each with the
        merge it was filed with (one transaction); returns those merges (report -> canonical IRI)."""
        todo = sorted(set(iris))
        links: dict[str, str] = {}
        with self._transaction():
            for at in range(0, len(todo), _CHUNK):
                chunk = todo[at:at + _CHUNK]
                marks = ",".join("?" * len(chunk))
                links.update(self.db.execute(f"SELECT iri, canonical FROM report WHERE iri IN ({marks}) "
                                             f"AND canonical IS NOT NULL", chunk))
                self.db.execute(f"DELETE FROM report WHERE iri IN ({marks})", chunk)
            self.db.executemany(_INSERT, _rows(reports, links))
        return links

    def relinked(self, merges: Iterable[tuple[bytes, str, str | None]]) -> None:
        """File (signature hash, report, canonical IRI or None) as the reports' merges now (one transaction)."""
        with self._transaction():
            self.db.executemany("UPDATE report SET canonical = ? WHERE signature = ? AND iri = ?",
                                ((canonical, sig, iri) for sig, iri, canonical in merges))

    def members(self, groups: Iterable[Group]) -> dict[Group, list[Filed]]:
        """The reports filed with each (kind, signature), in IRI order: those under its hash whose items
        are the signature's (a hash is no proof)."""
        wanted: dict[bytes, dict[str, list[Filed]]] = {}
        out: dict[Group, list[Filed]] = {}
        for kind, signature in set(groups):
            out[(kind, signature)] = wanted.setdefault(key(kind, signature), {}).setdefault(_items(signature), [])
        todo = sorted(wanted)
        for at in range(0, len(todo), _CHUNK):
            chunk = todo[at:at + _CHUNK]
            rows = self.db.execute(f"SELECT signature, iri, date, articles, items, canonical FROM report WHERE "
                                   f"signature IN ({','.join('?' * len(chunk))}) ORDER BY iri", chunk)
            for sig, iri, day, articles, items, canonical in rows:
                filed = wanted[sig].get(items)
                if filed is not None:
                    filed.append((iri, day, json.loads(articles), canonical))
        return out

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write, all or nothing: a failed one leaves the index as it was, and says where."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the merge's signature index: {exc}", where=self.path,
                             fix="check the disk; deleting the file is safe: the next ingest rebuilds it") from exc
