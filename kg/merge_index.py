"""The merge's index of signatures: which reports share one, kept beside the store.

Relinking a signature needs every report that has it. Found through the store, those are the
intersection of its parties' report lists: at 100k articles, 1,000 new articles touch ~350
parties, ~450k rows of report lists and ~100k membership tests, most of a relink. So the merge
keeps each report's signature, as a hash, in ``<store>/signatures.sqlite``: a signature's
reports are one indexed read, with what clustering them needs (date, articles), so the store is
not read for them at all.

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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import StoreError

if TYPE_CHECKING:
    from kg.merge import Report

FILE = "signatures.sqlite"
#: bumped when what is hashed changes: an index of another version is rebuilt
VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS report (signature BLOB NOT NULL, iri TEXT NOT NULL, date TEXT, articles TEXT NOT NULL,
                                   items TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS report_by_signature ON report (signature);
CREATE INDEX IF NOT EXISTS report_by_iri ON report (iri);
"""
_CHUNK = 500  # SQLite's bound on a statement's parameters is 999 on older builds
#: what a report's row holds besides its signature's hash: (IRI, date, articles, signature items)
Filed = tuple[str, str | None, list[str], list[str]]


def key(kind: int, signature: Iterable[str]) -> bytes:
    """The hash a (kind, signature) is filed under (a collision only costs a read: peers are checked)."""
    text = "\x1f".join([str(kind), *sorted(signature)])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


_INSERT = "INSERT INTO report VALUES (?, ?, ?, ?, ?)"


def _row(filed: tuple[int, Report]) -> tuple[bytes, str, str | None, str, str]:
    kind, rep = filed
    articles, items = json.dumps(sorted(rep.articles)), json.dumps(sorted(rep.signature))
    return key(kind, rep.signature), rep.iri, rep.date, articles, items


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

    def rebuild(self, reports: Iterable[tuple[int, Report]]) -> None:
        """File every report anew (one transaction)."""
        with self._transaction():
            self.db.execute("DELETE FROM report")
            self.db.execute("DELETE FROM meta")
            self.db.executemany(_INSERT, map(_row, reports))
            self.db.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
        self.ready = True

    def refile(self, iris: Iterable[str], reports: Iterable[tuple[int, Report]]) -> None:
        """Forget what was filed for ``iris``, then file their ``reports`` as they are now (one transaction)."""
        todo = sorted(set(iris))
        with self._transaction():
            for at in range(0, len(todo), _CHUNK):
                chunk = todo[at:at + _CHUNK]
                self.db.execute(f"DELETE FROM report WHERE iri IN ({','.join('?' * len(chunk))})", chunk)
            self.db.executemany(_INSERT, map(_row, reports))

    def members(self, signatures: Iterable[bytes]) -> dict[bytes, list[Filed]]:
        """The reports filed under each signature hash, in IRI order."""
        todo = sorted(set(signatures))
        out: dict[bytes, list[Filed]] = {sig: [] for sig in todo}
        for at in range(0, len(todo), _CHUNK):
            chunk = todo[at:at + _CHUNK]
            rows = self.db.execute(f"SELECT signature, iri, date, articles, items FROM report WHERE signature IN "
                                   f"({','.join('?' * len(chunk))}) ORDER BY iri", chunk)
            for sig, iri, day, articles, items in rows:
                out[sig].append((iri, day, json.loads(articles), json.loads(items)))
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
