"""The batch pipeline: read -> extract -> map -> SHACL gate -> commit, one article at a time.

Extraction, mapping and validation run in worker processes (they are pure
functions of the article); only the parent writes to the store, each article in
one transaction, in input order, so a batch gives the same store whatever the
number of workers. Articles the reader or the SHACL gate rejects are reported
and appended to ``<store>/quarantine.jsonl``, never stored.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from kg.errors import KgError, ReadError, StoreError, ValidationFailed
from kg.model import Article
from kg.vocab import DIP, PREFIXES

if TYPE_CHECKING:
    from kg.map import Plain
    from kg.store import Store
    from kg.workers import WorkerPool

#: articles per task sent to a worker process
CHUNK = 4
#: tasks queued per worker: enough to keep the workers busy while the parent commits a batch (a bulk load
#: into a large store, replacements: seconds at 100k articles), their outcomes held meanwhile (~40 MB);
#: 16 let them run dry after ~0.3 s
IN_FLIGHT = 128
#: longest wait before articles ready to store are committed (and reported), when they come slowly
COMMIT_SECONDS = 10.0
#: articles ready to store committed at once while the workers are still extracting (the parent would
#: wait for them otherwise): adding 1,000 articles to 100k, the commit ran beside the extraction instead
#: of after it (a commit's fixed cost, the readers' snapshot, is ~0.3 s)
IDLE_COMMIT = 100
#: a batch of at least 1/FULL_MERGE_SHARE of the store's articles recomputes the merged graph whole
FULL_MERGE_SHARE = 4


@dataclass
class Reject:
    """An input that did not enter the store, and why."""

    file: str
    reason: str  # read | extract | shacl
    message: str
    shape: str | None = None
    key: str | None = None
    violations: list[dict[str, str | None]] = field(default_factory=list)

    def line(self) -> str:
        shape = f" [{self.shape}]" if self.shape else ""
        return f"{self.file}: {self.reason}{shape}: {self.message}"


@dataclass
class Outcome:
    """What happened to one input: stored (key + N-Triples) or rejected.

    ``Ingest`` yields it once stored, without its N-Triples and entity descriptions (they are in the store).
    """

    source: str
    key: str | None = None
    ntriples: str = ""
    entities: dict[str, str] = field(default_factory=dict)
    triples: int = 0
    reject: Reject | None = None


@dataclass
class IngestReport:
    stored: int = 0
    rejects: list[Reject] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    quads: int = 0  # statements in the store after the batch
    seconds: float = 0.0
    merge_seconds: float = 0.0  # of which the cross-article merge (kg.merge)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    @property
    def ok(self) -> bool:
        return not self.rejects

    def summary(self) -> str:
        rate = self.stored / self.seconds if self.seconds else 0.0
        return (f"{self.stored} articles stored, {self.rejected} rejected, {self.quads} statements in the store, "
                f"{self.seconds:.1f} s ({rate:.1f} articles/s)")


# ---- per article (runs in worker processes) ----------------------------------------------------

def _violations(report: Any) -> list[dict[str, str | None]]:
    out = []
    for r in report.results:
        out.append({k: (str(getattr(r, k)) if getattr(r, k, None) is not None else None)
                    for k in ("focus", "path", "severity", "message", "shape")})
    return out


def gate(graph: Graph, source: str, key: str | None = None) -> Reject | None:
    """The SHACL gate: None when the graph conforms, else the reject naming the first failure."""
    from kg.validate import validate

    report = validate(graph)
    if report.conforms:
        return None
    found = _violations(report)
    first = found[0] if found else {}
    msg = first.get("message") or "does not conform to the SHACL shapes"
    if first.get("focus"):
        msg = f"{first['focus']}: {msg}"
    if len(found) > 1:
        msg += f" (and {len(found) - 1} more)"
    return Reject(source, "shacl", msg, shape=first.get("shape"), key=key, violations=found)


def ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    """N-Triples of a graph or of triples: the lines of ``graph.serialize(format="nt")``, without its round trip."""
    return "".join(map(_nt_row, triples))


def entity_descriptions(graph: Graph | Iterable[tuple[Node, Node, Node]]) -> dict[str, str]:
    """Canonical country and organisation descriptions (type, label, ISO code) as N-Triples per IRI."""
    kept = (RDFS.label, DIP.isoCode)
    described: dict[Node, list[tuple[Node, Node, Node]]] = {}
    for t in graph:
        if t[1] in kept:
            described.setdefault(t[0], []).append(t)
    out: dict[str, str] = {}
    for cls in (DIP.Country, DIP.Organization):
        subjects = {t[0] for t in (graph.triples((None, RDF.type, cls)) if isinstance(graph, Graph) else graph)
                    if t[1] == RDF.type and t[2] == cls and isinstance(t[0], URIRef)}
        for s in sorted(subjects, key=str):
            lines = [_nt_row((s, RDF.type, cls))]
            for p in kept:
                lines.extend(_nt_row(t) for t in described.get(s, ()) if t[1] == p)
            out[str(s)] = "".join(lines)
    return out


def _outcome(triples: list[Plain], key: str, source: str) -> Outcome:
    from kg.map import rdflib_triples
    from kg.map_nt import entity_rows, nt_rows
    from kg.validate import conforms_ntriples

    rows = nt_rows(triples)
    text = "".join(rows)
    # the native engine's verdict on the N-Triples; an rdflib graph and the full report only when it fails
    # (no prefixes: they only name things in the report, which the verdict does not read)
    if not conforms_ntriples(text, {}):
        graph = Graph()
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns)
        for triple in rdflib_triples(triples):
            graph.add(triple)
        reject = gate(graph, source, key)
        if reject is not None:
            return Outcome(source, key, reject=reject)
    return Outcome(source, key, text, entity_rows(triples, rows), len(triples))


def process(article: Article, base_iri: str) -> Outcome:
    """Extract, map and validate one article; never raises for a bad article.

    The graph is ``kg.pipeline.article_graph(article)``'s, as plain triples written straight to
    N-Triples: an rdflib Graph is built only for an article the gate rejects.
    """
    from kg.extract import extract
    from kg.map import to_plain

    try:
        triples = to_plain(extract(article), base_iri)
    except Exception as exc:  # one extractor bug must not stop a batch: report it as a reject
        if isinstance(exc, KgError):
            msg = exc.detail if exc.where == article.source else exc.message  # the reject line names the file
        else:
            msg = f"{type(exc).__name__}: {exc}"
        return Outcome(article.source, article.key, reject=Reject(article.source, "extract", msg, key=article.key))
    return _outcome(triples, article.key, article.source)


def shown_path(path: str | Path) -> str:
    """A path as text that prints and encodes anywhere: bytes that are not UTF-8 as ``\\xff`` escapes."""
    raw = os.fsencode(path) if isinstance(path, Path) else str(path).encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "backslashreplace")


def check_paths(paths: Iterable[str | Path]) -> None:
    """Refuse the command when a path given does not exist: a typo is not an article to quarantine."""
    for p in paths:
        if not os.path.exists(p):
            broken = os.path.islink(p)
            raise ReadError("broken symbolic link" if broken else "no such file or folder", where=shown_path(p),
                            fix="check the path; nothing was ingested")


def _bad_name(path: Path) -> Outcome | None:
    """A reject when the file's name is not UTF-8: it could not be stored as the article's source."""
    from kg.read.decode import display_name

    try:
        display_name(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = shown_path(path)
        return Outcome(shown, reject=Reject(shown, "read", "file name is not valid UTF-8 (rename the file)"))
    return None


def process_file(path: Path, base_iri: str, published: datetime | None = None) -> Outcome:
    """Read, extract, map and validate one file (what a worker does with each input).

    ``published`` dates an article that carries no date of its own (never overrides one).
    """
    from kg.read import read_article, with_published

    bad = _bad_name(path)
    if bad is not None:
        return bad
    try:
        article = with_published(read_article(path), published)
    except ReadError as err:
        return _read_reject(err)
    return process(article, base_iri)


def _process_chunk(paths: list[Path], base_iri: str, published: datetime | None = None) -> list[Outcome]:
    return [process_file(p, base_iri, published) for p in paths]


def warm_up() -> None:
    """Extract a small article of our own, so that the first real one does not wait ~1 s for the rules
    (regular expressions, gazetteers) to be compiled: a worker kept for a watched folder runs it first."""
    from kg.resources import data_dir

    process_file(data_dir() / "warm_up.txt", "https://example.org/warm-up/")


# ---- the batch (parent process) ------------------------------------------------------------------

def count_inputs(paths: Iterable[str | Path]) -> int:
    """How many files the batch will read (for the progress bar)."""
    from kg.read import article_files

    return len(article_files(paths))


def _chunks(items: Iterable[Path], size: int) -> Iterator[list[Path]]:
    chunk: list[Path] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read_reject(err: ReadError) -> Outcome:
    where = shown_path(err.where or "?")  # a folder's name may not be UTF-8 either
    return Outcome(where, reject=Reject(where, "read", err.what + (f" ({err.fix})" if err.fix else "")))


def worker_count(workers: int | None) -> int:
    """The worker processes an ingest runs: ``workers``, or one per CPU."""
    return max(1, workers if workers is not None else (os.cpu_count() or 1))


class Ingest:
    """One batch; iterate it to run (one Outcome per input, in input order), then read ``report``."""

    def __init__(self, store: Store, paths: Iterable[str | Path], *, workers: int | None = None,
                 published: datetime | None = None, pool: WorkerPool | None = None) -> None:
        """``pool``: workers already running (warm) to use instead of starting ``workers`` new ones; the
        caller closes it, and must not reuse it unless it is still ``reusable`` (a batch stopped early)."""
        self.store = store
        self.pool = pool
        self.published = published  # for articles that carry no date of their own
        self.paths = [Path(p) for p in paths]
        check_paths(self.paths)
        self.workers = worker_count(workers)
        self.report = IngestReport()
        self._total: int | None = None
        self._waiting: Callable[[], bool] = lambda: False  # would the next outcome wait for a worker?

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = count_inputs(self.paths)
        return self._total

    def _outcomes(self) -> Generator[Outcome, None, None]:
        """Files are read in the workers too: the parent only commits (``iter_articles``, spread out)."""
        from kg.read import article_files

        base = self.store.base_iri
        files = article_files(self.paths)
        if self.pool is None and (self.workers == 1 or self.total <= 1):  # (one file: no worker to start, ~1 s)
            for file in files:
                yield process_file(file, base, self.published)
            return
        from kg.workers import WorkerPool

        # fresh interpreters (no inherited store or lock fds) that never run the caller's script again
        # and die with this process, even on SIGKILL
        owned = WorkerPool(self.workers) if self.pool is None else contextlib.nullcontext(self.pool)
        with owned as pool:  # (a pool given is the caller's to close)
            tasks = ((chunk, base, self.published) for chunk in _chunks(files, CHUNK))
            ahead: deque[Outcome] = deque()  # the rest of a worker's chunk
            self._waiting = lambda: not ahead and not pool.ready()
            for outcomes in pool.map(_process_chunk, tasks, in_flight=IN_FLIGHT):
                ahead.extend(outcomes)
                while ahead:
                    yield ahead.popleft()

    def __iter__(self) -> Iterator[Outcome]:
        from kg.merge import recompute_after_load, update
        from kg.store.counters import current

        start = time.perf_counter()
        batch = self.store.batch(expected=self.total)
        held: list[tuple[int, Outcome]] = []  # (articles added up to it, the outcome): reported once committed
        last, commits = start, 0
        outcomes = self._outcomes()
        try:
            for outcome in outcomes:
                if outcome.reject is not None:
                    self.report.rejects.append(outcome.reject)
                    quarantine(self.store, outcome.reject)
                elif outcome.key is not None:
                    batch.add(outcome.key, outcome.ntriples, outcome.entities)
                    outcome.ntriples, outcome.entities = "", {}  # stored or staged: held light (a part is 25k)
                held.append((batch.added, outcome))
                if batch.commits != commits:  # (``add`` committed a full queue)
                    commits, last = batch.commits, time.perf_counter()
                elif len(batch) and not batch.staging and (time.perf_counter() - last > COMMIT_SECONDS or
                                                           (len(batch) >= IDLE_COMMIT and self._waiting())):
                    batch.commit()
                    commits, last = batch.commits, time.perf_counter()
                yield from self._committed(held, batch.stored)
            batch.commit()
        finally:
            outcomes.close()  # stopped early (Ctrl-C, SIGTERM, an error): the workers are stopped now
            batch.close()
        yield from self._committed(held, batch.stored)
        merging = time.perf_counter()
        if self.report.stored:
            # a batch that is much of the store relinks everything at once (9 scans); otherwise only
            # the signatures it touched: both give the same merged graph
            if self.report.stored * FULL_MERGE_SHARE >= current(self.store).articles:
                recompute_after_load(self.store)
            else:
                update(self.store)
        self.report.merge_seconds = time.perf_counter() - merging
        self.report.quads = current(self.store).statements
        self.report.seconds = time.perf_counter() - start

    def _committed(self, held: list[tuple[int, Outcome]], stored: int) -> Iterator[Outcome]:
        """Report the inputs held up to the last article committed: all are stored (or rejected) now."""
        done = 0
        for added, outcome in held:
            if added > stored:
                break
            done += 1
            if outcome.reject is None and outcome.key is not None:
                self.report.stored += 1
                self.report.keys.append(outcome.key)
        ready = [outcome for _, outcome in held[:done]]
        del held[:done]
        yield from ready


def quarantine(store: Store, reject: Reject) -> None:
    """Append one reject to ``<store>/quarantine.jsonl``."""
    record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), **asdict(reject)}
    try:
        with open(store.quarantine_file, "a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise StoreError(f"cannot write the quarantine report: {exc.strerror}", where=store.quarantine_file) from exc


def commit_graph(store: Store, key: str, graph: Graph, *, source: str) -> None:
    """Gate and store one ready-made article graph; a failing graph is quarantined and raises."""
    from kg.merge import update

    reject = gate(graph, source, key)
    if reject is not None:
        quarantine(store, reject)
        raise ValidationFailed(f"rejected by the SHACL gate: {reject.message}", where=source,
                               fix=f"see {store.quarantine_file}")
    store.replace_article(key, graph.serialize(format="nt"), entity_descriptions(graph))
    update(store)


def ingest(store: Store, paths: Iterable[str | Path], *, workers: int | None = None,
           progress: Callable[[Outcome], None] | None = None, published: datetime | None = None) -> IngestReport:
    """Ingest files and folders; ``progress`` is called after each input; ``published`` dates undated ones."""
    run = Ingest(store, paths, workers=workers, published=published)
    for outcome in run:
        if progress is not None:
            progress(outcome)
    return run.report
