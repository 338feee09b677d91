"""The site's five dumps, made from two canonical files: N-Quads (the graphs) and N-Triples (the merged view).

``kg export`` writes each format on its own, reading the store for each. ``kg publish`` writes
all five, so it reads the store twice, for the canonical N-Quads of every graph and the
canonical N-Triples of the merged view (``kg.publish.source``), streamed to their files; the
other formats are made from those files with no store (so either of publish's processes may
write them): TriG is Oxigraph's serialisation of the parsed N-Quads, Turtle of the parsed
N-Triples (same terms, blank-node labels included, in the same order: the bytes ``kg export``
writes), JSON-LD is written from the parsed N-Quads. A file and its gzip are written in one
pass (gzip level 6: a third of level 9's time for a few percent more bytes).
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from itertools import groupby
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.publish import source as src
from kg.publish.export import EXTENSIONS, FORMATS, db_path
from kg.publish.export import write as export_write
from kg.publish.files import usual_mode
from kg.publish.jsonld import write_jsonld
from kg.vocab import PREFIXES

#: gzip level of the compressed dumps (zlib's default: level 9 costs 3x the time for a few percent less)
GZIP_LEVEL = 6
_BUFFER = 1 << 20
Fill = Callable[[IO[bytes]], object]


class _Tee(io.RawIOBase):
    """Writes to several outputs at once (a dump and its gzip)."""

    def __init__(self, *outs: IO[bytes]) -> None:
        self.outs = outs

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        for out in self.outs:
            out.write(b)
        return len(b)


def _replaced(target: Path, write: Fill) -> None:
    """``target`` written by ``write`` through a temporary file renamed at the end (never half a file)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        usual_mode(fd)  # mkstemp makes 0600: a web server running as another user could not read it
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_pair(target: Path, fill: Fill, plain: bool = True) -> None:
    """``target.gz`` (and ``target`` unless not ``plain``) written in one pass by ``fill``."""
    def with_gzip(gz_raw: IO[bytes]) -> None:
        with gzip.GzipFile(target.name, "wb", GZIP_LEVEL, gz_raw, mtime=0) as gz:  # header: the plain name
            if not plain:
                out = io.BufferedWriter(_Tee(gz), _BUFFER)  # type: ignore[arg-type]
                fill(out)
                out.flush()
                return

            def both(plain_out: IO[bytes]) -> None:
                out = io.BufferedWriter(_Tee(plain_out, gz), _BUFFER)  # type: ignore[arg-type]
                fill(out)
                out.flush()

            _replaced(target, both)

    _replaced(Path(str(target) + ".gz"), with_gzip)


def _graphs(quads: Iterator[ox.Quad]) -> Iterator[tuple[Any, Iterator[ox.Quad]]]:
    """(graph name, its quads) for quads that come graph by graph."""
    return groupby(quads, key=lambda q: q.graph_name)


def _jsonld(nquads: Path, base_iri: str) -> Fill:
    def fill(out: IO[bytes]) -> None:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)
        write_jsonld(text, _graphs(ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS)),  # type: ignore[arg-type]
                     base_iri)
        text.flush()
        text.detach()
    return fill


def _copy(path: Path) -> Fill:
    def fill(out: IO[bytes]) -> None:
        with path.open("rb") as f:
            shutil.copyfileobj(f, out, _BUFFER)
    return fill


def dump_path(folder: Path, name: str, fmt: str) -> Path:
    return folder / f"{name}{EXTENSIONS[fmt]}"


def write_canonical(source: Any, folder: Path, name: str) -> None:
    """Write the N-Quads and N-Triples dumps (plain): the only reads of the store the dumps need.

    As ``kg export`` writes them (the N-Quads of a large read-only kg store from two processes).
    """
    store = src.as_oxigraph(source)
    folder.mkdir(parents=True, exist_ok=True)
    for fmt in ("nquads", "nt"):
        _replaced(dump_path(folder, name, fmt), lambda out, f=fmt: export_write(  # type: ignore[misc]
            store, out, f, graph=None, base_iri="", db_path=db_path(source), merged=src.merged_default(source)))


def write_derived(folder: Path, name: str, fmt: str, base_iri: str) -> None:
    """After ``write_canonical``: the dump in ``fmt`` (made from the canonical files) and its ``.gz``.

    Needs no store (a forked process may run it); same bytes as ``kg.publish.export.export`` writes.
    """
    nquads, ntriples = dump_path(folder, name, "nquads"), dump_path(folder, name, "nt")
    target = dump_path(folder, name, fmt)
    if fmt in ("nquads", "nt"):
        _write_pair(target, _copy(target), plain=False)
        return
    fills: dict[str, Fill] = {
        "turtle": lambda out: ox.serialize(ox.parse(path=ntriples, format=ox.RdfFormat.N_TRIPLES), out,
                                           ox.RdfFormat.TURTLE, prefixes=PREFIXES),
        "trig": lambda out: ox.serialize(ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS), out,
                                         ox.RdfFormat.TRIG, prefixes=PREFIXES),
        "jsonld": _jsonld(nquads, base_iri),
    }
    _write_pair(target, fills[fmt])


def write_dumps(source: Any, folder: Path, name: str, base_iri: str) -> dict[str, Path]:
    """Every format of ``FORMATS`` (and its ``.gz``) of ``source``; format -> plain path."""
    write_canonical(source, folder, name)
    for fmt in FORMATS:
        write_derived(folder, name, fmt, base_iri)
    return {fmt: dump_path(folder, name, fmt) for fmt in FORMATS}
