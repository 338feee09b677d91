"""The build folder: canonical N-Quads shards, the rejects file and the manifest.

Layout of ``kg build``'s output folder::

    OUT/part-00000.nq.gz ...  the graphs, in the order ``kg export --format nquads`` writes them
    OUT/view-00000.nt.gz ...  the merged view (each triple once), as ``kg export --format nt`` writes it:
                              what stored queries read as the default graph of a store loaded from shards
    OUT/rejects.jsonl         the inputs not stored, as ``quarantine.jsonl`` records (input order)
    OUT/build.json            written last: base IRI, counts, shard names (no manifest: not finished)

Canonical order is ``kg.publish.source``'s: graphs by IRI, the lines of one graph sorted as
bytes. Each shard holds a contiguous run of that order (the article graphs of one key range,
the entities graph, a range of the merged graph's lines, an ontology graph), so the shards
concatenated by name are the export. Shards are gzipped with no time stamp in their header:
the same input gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.store.terms import stable_quads

MANIFEST = "build.json"
REJECTS = "rejects.jsonl"
#: temporary shard names start with this; renamed to ``part-NNNNN.nq.gz`` once the order is known
TMP_PREFIX = ".tmp-"
SUFFIX = ".nq.gz"
VIEW_SUFFIX = ".nt.gz"
FORMAT = "diplomacy-kg build 1"
_NT = ox.RdfFormat.N_TRIPLES


class BuildError(KgError):
    """A build could not run: no cluster, an output folder that is not a build, a task that kept failing."""


@dataclass(frozen=True)
class Unit:
    """One shard written under a temporary name: where it goes in canonical order, and what it holds."""

    order: tuple[str, bytes]  # (graph IRI, or the article-graph prefix + key range; first bytes of its lines)
    tmp: str  # file name in the output folder
    kind: str  # articles | entities | merged | summary | schema (the named graphs); view (the merged view)
    quads: int
    articles: int = 0


@dataclass
class BuildReport:
    """What a build wrote."""

    out: Path
    articles: int = 0  # article graphs in the shards (an article read twice counts once)
    rejected: int = 0
    quads: int = 0  # statements in the shards: what `kg export --format nquads` of the loaded store writes
    view_triples: int = 0  # the merged view: what `kg export --format nt` writes
    same_as: int = 0
    shards: list[str] = field(default_factory=list)
    inputs: int = 0
    seconds: float = 0.0
    workers: int = 0
    stages: dict[str, float] = field(default_factory=dict)  # seconds: cluster, map, shards+merge, finish

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        rate = self.inputs / self.seconds if self.seconds else 0.0
        return (f"{self.articles} articles in {len(self.shards)} shards ({self.quads} statements, "
                f"{self.same_as} sameAs links; merged view {self.view_triples} triples), {self.rejected} rejected, "
                f"{self.seconds:.1f} s "
                f"({rate:.1f} articles/s on {self.workers} workers) -> {self.out}")


def norm_base(base_iri: str) -> str:
    return base_iri if base_iri.endswith(("/", "#")) else base_iri + "/"


def graph_iris(base: str) -> dict[str, str]:
    """The store's graph names for a base IRI (as ``kg.store.core.Store`` names them)."""
    return {"article": f"{base}graph/article/", "entities": f"{base}graph/entities", "merged": f"{base}graph/merged"}


def lines_of(store: ox.Store, node: ox.NamedNode) -> list[bytes]:
    """The canonical N-Quads lines of one graph: Oxigraph's serialization, sorted as bytes (as the export)."""
    from kg.publish.source import graph_lines

    suffix = b" " + str(node).encode() + b" .\n"
    return [line[:-3] + suffix for line in graph_lines(store, node)]


def canonical_lines(ntriples: bytes, graph: str) -> list[bytes]:
    """N-Triples as the canonical N-Quads lines of ``graph``.

    Parsed into an in-memory Oxigraph store, so terms are written exactly as the export writes
    them from the on-disk store (and a triple stated twice is there once).
    """
    node = ox.NamedNode(graph)
    store = ox.Store()
    store.load(ntriples, format=_NT, to_graph=node)
    return lines_of(store, node)


def schema_lines(graph: str, turtle: bytes) -> list[bytes]:
    """An ontology graph as the store loads it (``stable_quads``: the same blank-node labels)."""
    node = ox.NamedNode(graph)
    store = ox.Store()
    store.extend(stable_quads(turtle, graph))
    return lines_of(store, node)


def write_gz(path: Path, chunks: Iterable[bytes]) -> None:
    """Gzip with no name or time in the header (same bytes for the same lines), written then renamed."""
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
        for chunk in chunks:
            gz.write(chunk)
    os.replace(tmp, path)


def check_output(out: Path) -> None:
    """Refuse an output folder that holds anything but an earlier build (nothing is changed)."""
    try:
        entries = list(out.iterdir()) if out.is_dir() else []
    except OSError as exc:
        raise BuildError(f"cannot use the output folder: {exc.strerror or exc}", where=out,
                         fix="give a folder you can write") from exc
    if out.exists() and not out.is_dir():
        raise BuildError("the output is a file, not a folder", where=out, fix="give a new or empty folder")
    ours = (out / MANIFEST).is_file() or all(e.name.startswith(TMP_PREFIX) for e in entries)
    if entries and not ours:
        raise BuildError("the output folder is not empty and holds no earlier build", where=out,
                         fix="give a new or empty folder (kg build replaces only a folder it wrote)")


def prepare(out: Path) -> None:
    """Make ``out`` ready for a build: a new or empty folder, or the folder of an earlier build (cleared)."""
    check_output(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for entry in out.iterdir():
            if entry.name in (MANIFEST, REJECTS) or entry.name.startswith(TMP_PREFIX) or (
                    entry.name.startswith("part-") and entry.name.endswith(SUFFIX)) or (
                    entry.name.startswith("view-") and entry.name.endswith(VIEW_SUFFIX)):
                entry.unlink()
    except OSError as exc:
        raise BuildError(f"cannot use the output folder: {exc.strerror or exc}", where=out,
                         fix="give a folder you can write") from exc


def finish(out: Path, units: list[Unit], rejects: list[dict[str, Any]], report: BuildReport, base: str) -> None:
    """Rename the shards into canonical order, write the rejects, then the manifest (the build is complete)."""
    units = sorted(units, key=lambda u: (u.kind == "view", u.order))
    width = max(5, len(str(len(units))))
    names, views = [], sum(u.kind != "view" for u in units)
    for i, unit in enumerate(units):
        name = f"part-{i:0{width}d}{SUFFIX}" if unit.kind != "view" else f"view-{i - views:0{width}d}{VIEW_SUFFIX}"
        os.replace(out / unit.tmp, out / name)
        names.append(name)
    with open(out / REJECTS, "w", encoding="utf-8", errors="backslashreplace") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rejects)
    report.shards = names
    manifest = {"format": FORMAT, "base_iri": base,
                **{k: v for k, v in asdict(report).items() if k not in ("out", "shards", "seconds", "stages")},
                "shards": [{"file": n, "kind": u.kind, "quads": u.quads, "articles": u.articles}
                           for n, u in zip(names, units, strict=True)]}
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out / MANIFEST)


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of a finished build, or a BuildError saying what the folder is."""
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildError(f"no {MANIFEST}: not the folder of a finished kg build", where=out,
                         fix="run `kg build PATH... --out DIR` to the end, then load DIR") from None
    except (OSError, ValueError) as exc:
        raise BuildError(f"unreadable build manifest: {exc}", where=path, fix="run the build again") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BuildError(f"not a manifest this version reads (format {FORMAT!r})", where=path,
                         fix="run the build again with this version of kg")
    return data
