"""``export``: the graph as Turtle, TriG, N-Triples, N-Quads or JSON-LD, streamed and canonical.

Turtle/TriG/N-Triples/N-Quads go through pyoxigraph's serializer (~1M triples/s)
fed by a generator in canonical order (see ``kg.publish.source``), so the same
content always gives the same bytes whatever order it was inserted in, and no
second in-memory copy of the graph is built. Triple formats (Turtle, N-Triples)
hold the named graph asked for, or all graphs merged without duplicates; dataset
formats (TriG, N-Quads, JSON-LD) keep the named graphs. The formats peers read (``plover``: PLOVER
event records as JSON Lines, ``schemaorg``: schema.org JSON-LD) are views of the meetings and
pledges, written by ``kg.publish.plover`` and ``kg.publish.schemaorg``.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import PublishError
from kg.publish import source as src
from kg.publish.files import usual_mode
from kg.publish.jsonld import write_jsonld
from kg.vocab import DEFAULT_BASE_IRI, PREFIXES

FORMATS = ("turtle", "trig", "nt", "nquads", "jsonld")  # the RDF dumps (kg publish writes each)
#: views for peers' tools: PLOVER event records (JSON Lines), schema.org JSON-LD
PEER_FORMATS = ("plover", "schemaorg")
ALIASES = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt", "nq": "nquads", "n-quads": "nquads",
           "json-ld": "jsonld", "schema.org": "schemaorg", "schema-jsonld": "schemaorg"}
EXTENSIONS = {"turtle": ".ttl", "trig": ".trig", "nt": ".nt", "nquads": ".nq", "jsonld": ".jsonld",
              "plover": ".jsonl", "schemaorg": ".jsonld"}
MEDIA_TYPES = {"turtle": "text/turtle", "trig": "application/trig", "nt": "application/n-triples",
               "nquads": "application/n-quads", "jsonld": "application/ld+json",
               "plover": "application/jsonl", "schemaorg": "application/ld+json"}
_OX = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
       "nquads": ox.RdfFormat.N_QUADS}
DATASET_FORMATS = ("trig", "nquads", "jsonld")


@dataclass(frozen=True)
class ExportReport:
    format: str
    statements: int  # triples for triple formats, quads for dataset formats, records (plover), nodes (schemaorg)
    bytes: int
    path: Path | None
    skipped: int = 0  # plover: meetings and pledges with no date at all (PLOVER requires one)


def normalise_format(fmt: str) -> str:
    name = ALIASES.get(fmt.lower(), fmt.lower())
    if name not in FORMATS + PEER_FORMATS:
        raise PublishError(f"unknown RDF format {fmt!r}", fix=f"use one of {', '.join(FORMATS + PEER_FORMATS)}")
    return name


class _Counting(io.RawIOBase):
    """Counts bytes on their way to the real output."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.n = out, 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.out.write(b)
        self.n += len(b)
        return len(b)


def _counted(items: Any, counter: list[int]) -> Any:
    for item in items:
        counter[0] += 1
        yield item


#: named graphs from which a whole-store N-Quads export is split between processes
PARALLEL_MIN_GRAPHS = 2_000
#: graphs per task of a parallel export, and tasks in flight (bounds memory: ~25 MB a task)
GRAPHS_PER_TASK = 1_000
_worker_store: ox.Store | None = None


def _open_worker_store(db_path: str) -> None:
    global _worker_store
    _worker_store = ox.Store.read_only(db_path)


def _nquads_task(names: list[str | None]) -> tuple[bytes, int]:
    """The canonical N-Quads lines of some graphs (None: the default graph), from the worker's store."""
    assert _worker_store is not None
    parts, n = [], 0
    for name in names:  # as src.ntriples_chunks does for one graph
        node = ox.DefaultGraph() if name is None else ox.NamedNode(name)
        lines = src.graph_lines(_worker_store, node)
        if name is not None:
            suffix = b" " + str(node).encode() + b" .\n"
            lines = [line[:-3] + suffix for line in lines]
        parts.append(b"".join(lines))
        n += len(lines)
    return b"".join(parts), n


def _parallel_nquads(db_path: str, names: list[src.GraphName], out: IO[bytes]) -> int:
    """N-Quads of every graph, two processes reading the on-disk store (Oxigraph decodes ~170k quads/s each).

    Same bytes as the sequential path: tasks are contiguous runs of the sorted graphs, written in order.
    """
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    keys: list[str | None] = [None if isinstance(g, ox.DefaultGraph) else g.value for g in names]
    tasks = [keys[i:i + GRAPHS_PER_TASK] for i in range(0, len(keys), GRAPHS_PER_TASK)]
    ctx = multiprocessing.get_context("forkserver")
    count = 0
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx, initializer=_open_worker_store,
                             initargs=(db_path,)) as pool:
        pending: deque[Future[tuple[bytes, int]]] = deque()
        for task in tasks:
            pending.append(pool.submit(_nquads_task, task))
            while len(pending) > 4:
                data, n = pending.popleft().result()
                out.write(data)
                count += n
        while pending:
            data, n = pending.popleft().result()
            out.write(data)
            count += n
    return count


def db_path(source: Any) -> str | None:
    """The on-disk Oxigraph folder of a kg Store opened read-only (other processes may then read it too)."""
    path, read_only = getattr(source, "path", None), getattr(source, "read_only", False)
    if not read_only or not isinstance(path, Path):
        return None
    db = getattr(source, "db_path", None) or path / "oxigraph"  # a reader's snapshot, not the writer's database
    return str(db) if db.is_dir() else None


def write(store: ox.Store, out: IO[bytes], fmt: str, *, graph: str | None, base_iri: str,
          db_path: str | None = None, merged: bool = False) -> int:
    """Serialise to a binary stream; returns the number of triples or quads written.

    ``db_path``: the store's folder when other processes may open it read-only (a large N-Quads
    dump of the whole store is then split between two of them). ``merged``: the default graph
    is the merge of the named graphs (a kg store): not exported, but read as the merged view.
    """
    counter = [0]
    if fmt == "jsonld":
        names = [src.graph_node(graph)] if graph else src.sorted_graphs(store, merged)
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)
        pairs = ((name, _counted(src.graph_triples(store, name), counter)) for name in names)
        write_jsonld(text, pairs, base_iri)
        text.flush()
        text.detach()
        return counter[0]
    if fmt == "nquads" and graph is None and db_path is not None:
        names = src.sorted_graphs(store, merged)
        if len(names) >= PARALLEL_MIN_GRAPHS:
            return _parallel_nquads(db_path, names, out)
    if fmt in ("nquads", "nt"):
        for lines in src.ntriples_chunks(store, graph, quads=fmt == "nquads", merged=merged):
            out.write(b"".join(lines))
            counter[0] += len(lines)
        return counter[0]
    items = (src.dataset_quads(store, graph, merged) if fmt in DATASET_FORMATS
             else src.merged_triples(store, graph, merged))
    prefixes = PREFIXES if fmt in ("turtle", "trig") else None
    ox.serialize(_counted(items, counter), out, _OX[fmt], prefixes=prefixes)
    return counter[0]


def _write(store: ox.Store, out: IO[bytes], fmt: str, *, graph: str | None, base_iri: str,
           db_path: str | None, merged: bool) -> tuple[int, int]:
    """(statements, records or nodes written; events skipped for want of a date) in any format."""
    if fmt == "plover":
        from kg.publish.plover import write_plover

        return write_plover(store, out, graph=graph, merged=merged)
    if fmt == "schemaorg":
        from kg.publish.schemaorg import write_schemaorg

        return write_schemaorg(store, out, graph=graph, merged=merged), 0
    return write(store, out, fmt, graph=graph, base_iri=base_iri, db_path=db_path, merged=merged), 0


def export(source: Any, out: Path | IO[bytes], fmt: str, *, graph: str | None = None,
           base_iri: str = DEFAULT_BASE_IRI) -> ExportReport:
    """Write ``source`` (kg Store, pyoxigraph Store, rdflib Graph/Dataset) to a path or binary stream.

    A path is written through a temporary file and renamed, so a failure never leaves half a file.
    """
    fmt = normalise_format(fmt)
    if graph is None:  # the whole store: without its summary the global queries would answer no rows elsewhere
        from kg import summary

        summary.require(source, PublishError)
    store = src.as_oxigraph(source)
    if graph and next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))), None) is None:
        raise PublishError(f"no graph named <{graph}> in the source",
                           fix="list graphs with `kg query` or export without --article")
    if not isinstance(out, str | os.PathLike):
        counting = _Counting(out)
        n, skipped = _write(store, counting, fmt, graph=graph, base_iri=base_iri,  # type: ignore[arg-type]
                            db_path=db_path(source), merged=src.merged_default(source))
        return ExportReport(fmt, n, counting.n, None, skipped)
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            usual_mode(fd)  # mkstemp makes 0600: a web server running as another user could not read it
            with os.fdopen(fd, "wb") as fh:
                n, skipped = _write(store, fh, fmt, graph=graph, base_iri=base_iri, db_path=db_path(source),
                                    merged=src.merged_default(source))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise PublishError(f"cannot write: {exc.strerror or exc}", where=path,
                           fix="check the folder exists and is writable") from exc
    return ExportReport(fmt, n, path.stat().st_size, path, skipped)
