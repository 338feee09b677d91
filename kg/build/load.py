"""``load``: a build folder into the embedded store, through the store's own bulk-load path.

Each article graph goes through ``Store.batch()`` (what ``kg ingest`` commits with: new articles
bulk-loaded 1,000 at a time behind the journal, or staged and loaded in a few parts into an empty
store; the default graph kept as the merge of the named graphs, an article already stored replaced
in one transaction), the entity descriptions with the first article; then the merged graph is
brought in line by ``kg.merge`` as after an ingest, and the rejects are appended to
``quarantine.jsonl``. The ontology graphs are not loaded from the shards (the store loads its own
when opened, as for ``kg ingest``), nor the merged view (the store keeps its default graph as that
merge itself). So ``kg stats``, ``kg query``, ``kg articles`` and ``kg export`` read it as a store
``kg ingest`` made.
"""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.build.shards import REJECTS, BuildError, graph_iris, read_manifest

if TYPE_CHECKING:
    from kg.store import Store


@dataclass
class LoadReport:
    articles: int = 0
    rejected: int = 0  # reject records appended to quarantine.jsonl
    same_as: int = 0
    quads: int = 0  # statements in the store after the load
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        return (f"{self.articles} articles loaded, {self.rejected} rejects recorded, {self.same_as} sameAs links, "
                f"{self.quads} statements in the store, {self.seconds:.1f} s ({rate:.1f} articles/s)")


def _graphs(path: Path) -> Iterator[tuple[str, list[bytes]]]:
    """(graph IRI, its lines as N-Triples) for each run of lines of one graph in a shard."""
    graph, lines = b"", list[bytes]()
    try:
        with gzip.open(path, "rb") as fh:
            for number, line in enumerate(fh, 1):
                cut = line.rfind(b" <", 0, len(line) - 3)
                if cut < 0 or not line.endswith(b"> .\n"):
                    raise BuildError("not a line of a kg build shard (a quad in a named graph)", where=path,
                                     line=number, fix="load a folder written by `kg build`")
                name = line[cut + 2:-4]
                if name != graph:
                    if lines:
                        yield graph.decode(), lines
                    graph, lines = name, []
                lines.append(line[:cut] + b" .\n")
    except (OSError, EOFError, zlib.error) as exc:
        raise BuildError(f"cannot read the shard: {exc}", where=path, fix="run the build again") from exc
    if lines:
        yield graph.decode(), lines


def _descriptions(lines: list[bytes]) -> dict[str, str]:
    """The entities graph as descriptions per entity IRI (the subject of each line)."""
    out: dict[str, list[str]] = {}
    for line in lines:
        text = line.decode("utf-8")
        out.setdefault(text[1:text.index(">")], []).append(text)
    return {iri: "".join(parts) for iri, parts in out.items()}


def load(store: Store, folder: str | Path, progress: Callable[[int, int], None] | None = None) -> LoadReport:
    """Load the finished build in ``folder`` into ``store``; ``progress(done, total)`` counts articles."""
    start = time.perf_counter()
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest.get("base_iri") != store.base_iri:
        raise BuildError(f"the build minted IRIs under {manifest.get('base_iri')}, the store under {store.base_iri}",
                         where=folder, fix=f"load it into a store opened with --base-iri {manifest.get('base_iri')}")
    names = graph_iris(store.base_iri)
    shards = [(folder / s["file"], s["kind"]) for s in manifest.get("shards", [])]
    entities: dict[str, str] = {}
    for path, kind in shards:
        if kind == "entities":
            for graph, lines in _graphs(path):
                if graph == names["entities"]:
                    entities.update(_descriptions(lines))
    was_empty = not store.article_keys()
    report = LoadReport()
    total = int(manifest.get("articles", 0))
    batch = store.batch(expected=total)  # a first load of many: staged and loaded in parts (kg.store.staged)
    try:
        for path, kind in shards:
            if kind != "articles":
                continue
            for graph, lines in _graphs(path):
                if not graph.startswith(names["article"]):
                    raise BuildError(f"graph <{graph}> in an article shard", where=path, fix="run the build again")
                batch.add(graph[len(names["article"]):], b"".join(lines).decode("utf-8"), entities)
                entities = {}  # described once, with the first article
                report.articles += 1
                if progress is not None:
                    progress(report.articles, total)
        batch.commit()
    finally:
        batch.close()
    report.same_as = _merge(store, was_empty)
    report.rejected = _record_rejects(store, folder / REJECTS)
    report.quads = store.quad_count()
    store.publish()  # readers see the articles with their merged graph
    report.seconds = time.perf_counter() - start
    return report


def _merge(store: Store, was_empty: bool) -> int:
    """The merged graph through the store's own merge pass, as ``kg ingest`` brings it in line.

    The build's links (the merged shards) are what this gives on an empty store (tests check
    it), but the store keeps its own account of which reports are linked: its merge pass keeps
    that right for the next ingest. Into a store that held articles: only the signatures touched.
    """
    from kg.merge import recompute_after_load, update

    if was_empty:
        return recompute_after_load(store)
    update(store)
    return sum(1 for _ in store.quads(store.merged_graph))


def _record_rejects(store: Store, rejects: Path) -> int:
    """Append the build's rejects to the store's quarantine file, as ``kg ingest`` records its own."""
    try:
        lines = [line for line in rejects.read_text(encoding="utf-8").splitlines(keepends=True) if line.strip()]
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise BuildError(f"cannot read the rejects: {exc.strerror}", where=rejects) from exc
    if lines:
        try:
            with open(store.quarantine_file, "a", encoding="utf-8") as fh:
                fh.writelines(lines)
        except OSError as exc:
            raise BuildError(f"cannot write the quarantine report: {exc.strerror}", where=store.quarantine_file,
                             fix="check the store folder is writable") from exc
    return len(lines)
