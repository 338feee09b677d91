"""``build``: the pipeline as a Dask computation, from input names to the shards of a build folder.

The task graph (``dask.bag``; group-bys shuffle through the workers, never through the client):

1. map: each chunk of inputs through read -> extract -> map -> SHACL gate (``tasks.make_record``),
   kept on the workers (``persist``); progress is counted as chunks finish;
2. group by key range (the key's first hex digits): each range's article graphs sorted by key and
   written as one gzipped shard by the worker (``tasks.write_articles``);
3. the merge: each shard's meeting and pledge statements grouped by IRI, turned into reports,
   grouped by signature, clustered by ``kg.merge.clusters``: the ``owl:sameAs`` links;
4. a range partition of the merged graph's lines and of the merged view's (every statement once:
   the default graph stored queries read): boundaries from a sample chosen by each line's content
   (so the same input gives the same shards however it was split), each range sorted and written;
5. on the client: rejects, the entity descriptions (the last stored wins; a few thousand),
   the ontology graphs, then every shard renamed into canonical order and the manifest.

A worker that dies is replaced by its nanny and Dask re-runs the tasks whose results it held:
every task is a pure function of its inputs, so the output is the same. Workers write into the
output folder themselves: with ``--scheduler``, give a folder every worker and the client can
reach (a shared mount). A local cluster starts worker processes the way ``multiprocessing``
does: a script calling ``build`` without ``scheduler`` or ``client`` needs the
``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from kg import summary, summary_leaders, summary_pairs
from kg.build import shards, tasks
from kg.build.inputs import list_inputs
from kg.build.shards import TMP_PREFIX, BuildError, BuildReport, Unit, norm_base
from kg.summary import Fact
from kg.summary_leaders import Key
from kg.vocab import DEFAULT_BASE_IRI

#: articles per key range at most before the ranges get one more hex digit (100k articles: 256 ranges)
RANGE_ARTICLES = 2_000
#: inputs per map task at most (a task is ~0.5 s of work for 100; enough tasks to balance the workers)
CHUNK_MAX = 100


def _dask() -> Any:
    try:
        import dask.bag
        import distributed
    except ImportError as exc:
        raise BuildError("kg build needs Dask", fix="pip install 'diplomacy-kg[dask]'") from exc
    return dask.bag, distributed


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: of the scheduler at ``scheduler``, else of a local cluster started (and
    stopped) here with ``workers`` processes on 127.0.0.1."""
    _, distributed = _dask()
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise BuildError(f"cannot connect to the Dask scheduler: {exc}", where=scheduler,
                             fix="is `dask scheduler` running there? check --scheduler tcp://HOST:PORT") from exc
        with client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def range_digits(n: int) -> int:
    """Hex digits of the key ranges: about ``RANGE_ARTICLES`` articles per shard, at most 65,536 shards."""
    digits = 1
    while digits < 4 and n > RANGE_ARTICLES * 16 ** digits:
        digits += 1
    return digits


def build(paths: Iterable[str | Path], out: str | Path, *, scheduler: str | None = None, client: Any = None,
          workers: int | None = None, base_iri: str = DEFAULT_BASE_IRI, published: datetime | None = None,
          chunk: int | None = None, progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Build the shards of ``paths`` (files, folders, fsspec URLs) into the folder ``out``.

    ``client``: a ``distributed.Client`` to use (else ``scheduler``'s, else a local cluster of
    ``workers`` processes). ``chunk``: inputs per map task. ``progress(done, total)`` is called as
    inputs are done. A path that does not exist stops the build before anything is written.
    """
    start = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    base, folder = norm_base(base_iri), Path(out)
    refs = list_inputs(paths)
    shards.check_output(folder)  # before a cluster is started for nothing
    report = BuildReport(folder, inputs=len(refs))
    schema = _schema()
    stages = report.stages
    with contextlib.ExitStack() as stack:
        if refs:
            cl = client if client is not None else stack.enter_context(connect(scheduler, workers))
            shards.prepare(folder)  # once the cluster answers: a failed start leaves the folder as it was
            report.workers = len(cl.scheduler_info().get("workers", {}))
            stages["cluster"] = time.perf_counter() - start
            units, rejects, entities = _compute(cl, refs, folder, base, published, chunk, progress, stages,
                                                schema)
        else:
            shards.prepare(folder)
            units, rejects, entities = [_write_unit(folder, "view", "", sorted({_triple(x) for g in schema.values()
                                                                                 for x in g}))], [], {}
    mark = time.perf_counter()
    units += _client_units(folder, base, entities, schema)
    rows = [{"time": started, **row} for _, row in sorted(rejects, key=lambda r: r[0])]
    report.rejected = len(rows)
    report.articles = sum(u.articles for u in units)
    report.quads = sum(u.quads for u in units if u.kind != "view")
    report.view_triples = sum(u.quads for u in units if u.kind == "view")
    report.same_as = sum(u.quads for u in units if u.kind == "merged")
    shards.finish(folder, units, rows, report, base)
    report.seconds = time.perf_counter() - start
    stages["finish"] = time.perf_counter() - mark
    return report


def _chunks(refs: list[str], chunk: int | None, workers: int) -> list[list[tuple[int, str]]]:
    size = chunk or max(1, min(CHUNK_MAX, math.ceil(len(refs) / (max(1, workers) * 8))))
    items = list(enumerate(refs))
    return [items[i:i + size] for i in range(0, len(items), size)]


#: what the cluster hands back: shards written, rejects (input index, record), entity descriptions
Computed = tuple[list[Unit], list[tuple[int, dict[str, Any]]], dict[str, tuple[int, str]]]


def _compute(cl: Any, refs: list[str], out: Path, base: str, published: datetime | None, chunk: int | None,
             progress: Callable[[int, int], None] | None, stages: dict[str, float],
             schema: dict[str, list[bytes]]) -> Computed:
    bag, distributed = _dask()
    chunks = _chunks(refs, chunk, len(cl.scheduler_info().get("workers", {})))
    digits = range_digits(len(refs))
    records = (bag.from_sequence(chunks, npartitions=len(chunks))
               .map(_records, base=base, published=published).flatten())
    mark = time.perf_counter()
    records = cl.persist(records)
    _wait(distributed, records, chunks, len(refs), progress)
    stages["map"] = time.perf_counter() - mark
    mark = time.perf_counter()

    stored = records.filter(_stored)
    rejects = records.filter(_rejected).map(_reject_row)
    entities = stored.map(tasks.entity_pairs).flatten().foldby(
        _first, _fold_later, (-1, ""), tasks.later, (-1, ""))
    articles = (stored.groupby(partial(_bucket, digits=digits), shuffle="tasks")
                .map(tasks.write_articles, out=str(out), base=base, digits=digits))
    joined = articles.map(tasks.shard_fragments).flatten().groupby(_iri_key, shuffle="tasks").map(_joined).flatten()
    reports = joined.map(tasks.to_report).filter(_present)
    links = reports.groupby(tasks.signature_key, shuffle="tasks").map(tasks.same_as).flatten()
    schema_view = sorted({_triple(x) for lines in schema.values() for x in lines})
    try:
        # pass 1: the article shards and the links, kept; a content-chosen sample of the lines to range-partition
        articles, links = cl.persist([articles, links])
        superseded = frozenset(cl.compute(  # an article read twice: the earlier reading is not in the store
            stored.map(_key_index).groupby(_key_hash, shuffle="tasks").map(_superseded).flatten(), sync=True))
        # the summary (kg.summary) counts over every report with its link: summed up here, on the client
        facts, pairs, dates, keys = cl.compute([reports.map(tasks.summary_fact), links,
                                                joined.map(tasks.fact_dates).flatten().distinct(),
                                                joined.map(tasks.meeting_key).flatten()], sync=True)
        summary_unit, summary_view = _summary_unit(out, base, list(facts), list(pairs), list(dates), dict(keys))
        merged = links.map(tasks.merged_line, base=base)
        kept = stored.filter(partial(_kept, superseded=superseded)) if superseded else stored
        view = bag.concat([kept.map(tasks.view_lines).flatten(), links.map(tasks.link_triple),
                           bag.from_sequence(schema_view, npartitions=1),
                           bag.from_sequence(summary_view, npartitions=1)])
        samples = cl.compute([merged.filter(tasks.sampled), view.filter(tasks.sampled)], sync=True)
        bounds = [tasks.boundaries(sorted(set(sample))) for sample in samples]
        # pass 2: each range sorted and written by a worker
        merged = _ranges(merged, bounds[0], str(out), "merged", shards.graph_iris(base)["merged"])
        view = _ranges(view, bounds[1], str(out), "view", "")
        rows, ents, article_units, merged_units, view_units = cl.compute(
            [rejects, entities, articles.map(_unit), merged, view], sync=True)
    except Exception as exc:  # a task that kept failing (KilledWorker after the retries) or a lost scheduler
        raise BuildError(f"the build failed on the cluster: {type(exc).__name__}: {exc}", where=out,
                         fix="see the workers' logs; run the same command again (it starts over)") from exc
    finally:
        cl.cancel([records, articles, links])
    stages["shards_and_merge"] = time.perf_counter() - mark
    summary_units = [summary_unit] if summary_unit is not None else []
    return list(article_units) + list(merged_units) + summary_units + list(view_units), list(rows), dict(ents)


def _summary_unit(out: Path, base: str, facts: list[Fact], links: list[tuple[str, str]],
                  dates: list[tuple[str, str]], keys: dict[str, Key]) -> tuple[Unit | None, list[bytes]]:
    """The summary graph's shard (None: nothing to count) and its lines for the merged view;
    ``dates``: (date, IRI of a fact counted under it unless merged, or "") from ``tasks.fact_dates``;
    ``keys``: label and dates of each meeting (``tasks.meeting_key``)."""
    same: dict[str, set[str]] = {}
    for dup, canonical in links:
        same.setdefault(dup, set()).add(canonical)
    counts: dict[str, int] = {}
    for date, fact in dates:
        counts[date] = counts.get(date, 0) + bool(fact and fact not in same)
    iri = f"{base}graph/summary"
    lines = summary.ntriples(summary.summarise(facts, same), iri, counts, summary_pairs.index_of(facts))
    lines += summary_leaders.ntriples(iri, summary_leaders.index_of(facts, same, keys))
    if not lines:
        return None, []
    quads = shards.canonical_lines("\n".join(lines).encode("utf-8") + b"\n", iri)
    return _write_unit(out, "summary", iri, quads), sorted({_triple(q) for q in quads})


def _ranges(lines: Any, bounds: list[bytes], out: str, kind: str, graph: str) -> Any:
    """A range partition of a bag of lines: each partition cut at ``bounds``, each range written by one task."""
    return (lines.map_partitions(tasks.ranged, bounds=bounds).groupby(tasks.range_number, shuffle="tasks")
            .map(tasks.write_range, out=out, kind=kind, graph=graph))


def _wait(distributed: Any, records: Any, chunks: list[list[tuple[int, str]]], total: int,
          progress: Callable[[int, int], None] | None) -> None:
    """Wait for the map stage, reporting inputs done as its chunks finish."""
    futures = distributed.futures_of(records)
    sizes = {key: len(chunks[key[1]]) for key in records.__dask_keys__()}
    done = 0
    for future in distributed.as_completed(futures):
        if future.status == "error":
            exc = future.exception()
            raise BuildError(f"a map task failed: {type(exc).__name__}: {exc}",
                             fix="see the workers' logs; run the same command again (it starts over)")
        done += sizes.get(future.key, 0)
        if progress is not None:
            progress(done, total)


def _schema() -> dict[str, list[bytes]]:
    """The ontology graphs the store loads when opened, as canonical N-Quads lines."""
    from kg.resources import resource_dir
    from kg.store.core import SCHEMA_GRAPHS

    out = {}
    for graph, name in sorted(SCHEMA_GRAPHS.items()):
        path = resource_dir("ontology") / name
        if path.is_file():
            out[graph] = shards.schema_lines(graph, path.read_bytes())
    return out


def _triple(line: bytes) -> bytes:
    """An N-Quads line as the N-Triples line of its statement."""
    return line[:line.rfind(b" <", 0, len(line) - 3)] + b" .\n"


def _client_units(out: Path, base: str, entities: dict[str, tuple[int, str]],
                  schema: dict[str, list[bytes]]) -> list[Unit]:
    """The small graphs, written here: the entity descriptions and the ontology graphs."""
    units = []
    if entities:
        iri = shards.graph_iris(base)["entities"]
        lines = shards.canonical_lines("".join(entities[k][1] for k in sorted(entities)).encode("utf-8"), iri)
        units.append(_write_unit(out, "entities", iri, lines))
    units += [_write_unit(out, "schema", graph, lines) for graph, lines in schema.items()]
    return units


def _write_unit(out: Path, kind: str, graph: str, lines: list[bytes]) -> Unit:
    name = f"{TMP_PREFIX}{kind}-{tasks.stable_hash(graph):016x}.nq.gz"
    shards.write_gz(out / name, lines)
    return Unit((graph, b""), name, kind, len(lines))


# ---- small named steps (picklable, typed) --------------------------------------------------------

def _records(items: list[tuple[int, str]], base: str, published: datetime | None) -> list[tasks.Record]:
    return [tasks.make_record(item, base, published) for item in items]


def _stored(record: tasks.Record) -> bool:
    return record.reject is None


def _rejected(record: tasks.Record) -> bool:
    return record.reject is not None


def _reject_row(record: tasks.Record) -> tuple[int, dict[str, Any]]:
    return record.index, record.reject or {}


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def _fold_later(acc: tuple[int, str], pair: tuple[str, tuple[int, str]]) -> tuple[int, str]:
    return tasks.later(acc, pair[1])


def _bucket(record: tasks.Record, digits: int) -> int:
    return tasks.bucket(record.key, digits)


def _key_index(record: tasks.Record) -> tuple[str, int]:
    return record.key, record.index


def _key_hash(pair: tuple[str, int]) -> int:
    return tasks.stable_hash(pair[0])


def _superseded(group: tuple[int, list[tuple[str, int]]]) -> list[int]:
    """Input indexes of readings of a key that a later reading of it replaced (as in ``kg ingest``)."""
    last: dict[str, int] = {}
    for key, index in group[1]:
        last[key] = max(index, last.get(key, index))
    return [index for key, index in group[1] if index != last[key]]


def _kept(record: tasks.Record, superseded: frozenset[int]) -> bool:
    return record.index not in superseded


def _iri_key(pair: tuple[str, tasks.Fragment]) -> int:
    return tasks.stable_hash(pair[0])


def _joined(group: tuple[int, list[tuple[str, tasks.Fragment]]]) -> list[tuple[str, tasks.Fragment]]:
    """All the articles' statements about one IRI, joined (IRIs sharing a hash stay apart)."""
    joined: dict[str, tasks.Fragment] = {}
    for iri, fragment in group[1]:
        joined[iri] = joined.get(iri, frozenset()) | fragment
    return list(joined.items())


def _present(item: Any) -> bool:
    return item is not None


def _unit(shard: tasks.Shard) -> Unit:
    return shard.unit
