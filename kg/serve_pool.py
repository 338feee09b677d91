"""Where ``kg serve`` evaluates queries: worker processes over a store on disk, or threads.

pyoxigraph cannot cancel a running query, so for a store on disk queries run in worker
processes that open the store read-only, and a worker over its time limit is killed: its
work really stops. A worker reads the store's newest snapshot (``kg.store.snapshot``) and,
before each query, moves to a newer one if the writer (``kg ingest``) published one since:
a query sees the store between two committed batches, never half of one, and the server
sees new articles as soon as their batch is committed, without ever blocking the writer.
An in-memory store cannot be opened by another process: its queries run in threads, the
answer still comes at the deadline, but the query goes on until done.

At most ``size`` queries run at once. A query waits for a free slot at most ``wait`` seconds
(and at most ``max_waiting`` queries wait), else it is answered "busy" (``Busy``): its time
limit counts from the start of its execution, never from its arrival. Results are written
through a cap (``max_result`` bytes), and a worker's memory is bounded (``RLIMIT_DATA``):
a heavy ``SELECT *`` is stopped instead of growing the server without end.
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

log = logging.getLogger("kg.serve")
#: seconds a query worker process may take to start and open the store
STARTUP_TIMEOUT = 60.0
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class Request:
    """One query to evaluate (picklable: it may go to a worker process)."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str = ""
    #: no default-graph-uri: read the union of all graphs (False: the store's default graph is already their merge)
    union: bool = True
    #: bytes of serialised results at most (None: no cap)
    max_result: int | None = None
    #: the query calls other servers (SERVICE): their answers are never quoted in an error
    federated: bool = False


#: (HTTP status, body, content type)
Answer = tuple[int, bytes, str]


def text_answer(status: int, message: str) -> Answer:
    return status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8"


class Busy(Exception):
    """No slot came free in time: answer 503 with ``Retry-After: seconds``."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"busy, retry after {seconds} s")
        self.seconds = seconds


class _TooLarge(Exception):
    pass


class _Capped:
    """A binary sink that refuses to hold more than ``limit`` bytes."""

    def __init__(self, limit: int | None) -> None:
        self.limit, self.size = limit, 0
        self.parts: list[bytes] = []

    def write(self, data: Any) -> int:
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise _TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _negotiate(accept: str, table: dict[str, Any], default: str) -> tuple[str, Any]:
    """First media type of ``accept`` (ignoring q-values' order subtleties) that we can write."""
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in table:
            return media, table[media]
    return default, table[default]


def evaluate(store: ox.Store, req: Request) -> Answer:
    """Run one query and serialise its results as the Accept header asks."""
    try:
        defaults: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.NamedNode(g) for g in req.default_graphs]
        named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in req.named_graphs]
        results = store.query(req.query, use_default_graph_as_union=req.union and not defaults,
                              default_graph=defaults or None,
                              named_graphs=named or None)
        if isinstance(results, ox.QueryTriples):
            media, fmt = _negotiate(req.accept, GRAPH_TYPES, "text/turtle")
        else:
            media, fmt = _negotiate(req.accept, RESULT_TYPES, "application/sparql-results+json")
        sink = _Capped(req.max_result)
        results.serialize(sink, format=fmt)  # type: ignore[arg-type]  # any object with write()
        return 200, b"".join(sink.parts), f"{media}; charset=utf-8"
    except SyntaxError as exc:  # the query's own text: safe to quote
        return text_answer(400, f"bad query: {exc}")
    except _TooLarge:
        mb = (req.max_result or 0) / 2**20
        return text_answer(503, f"result too large: over the {mb:g} MB limit and was stopped (add LIMIT, select "
                                "fewer variables or a narrower pattern, or restart kg serve with a higher "
                                "--max-result-mb)")
    except MemoryError:
        return text_answer(503, "query stopped: it needed more memory than this server allows (make it more "
                                "selective, or restart kg serve with a higher --query-memory-mb)")
    except (ValueError, TypeError, OSError, RuntimeError) as exc:
        if req.federated:  # the message may quote what another server answered: log it, do not echo it
            log.warning("federated query failed: %.500s", str(exc))  # not exc: it holds the results
            return text_answer(502, "query failed: a SERVICE call failed or answered something unreadable (the "
                                    "remote answer is not shown; see the kg serve log)")
        if isinstance(exc, ValueError | TypeError):
            return text_answer(400, f"bad query: {exc}")
        return text_answer(500, f"query failed: {exc}")


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    try:
        import resource

        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ImportError, ValueError, OSError) as exc:  # not on this platform: the time limit still holds
        log.warning("cannot bound the memory of query processes: %s", exc)


def _worker(db: str, conn: Connection, memory_mb: int | None = None) -> None:
    """A query worker process over ``db`` (``<store>/oxigraph``): one Request in, one Answer out, until EOF.

    It reads the store's newest snapshot, never the writer's database, and moves to a newer
    one before each query: readers and the writer never wait for each other.
    """
    from kg.errors import KgError
    from kg.store import open_store
    from kg.workers import die_with_parent

    die_with_parent()  # killed with the server, even on SIGKILL: never a reader left behind
    try:
        store = open_store(Path(db).parent, read_only=True)
    except (OSError, RuntimeError, KgError) as exc:
        conn.send(text_answer(500, f"query failed: cannot open the store: {exc}"))
        return
    _limit_memory(memory_mb)  # after opening: the limit is for queries
    conn.send(None)  # ready: start-up does not count against a query's time limit
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            store.close()
            return
        try:
            store.refresh()  # the last batch the writer committed
        except (OSError, RuntimeError, KgError) as exc:  # keep answering from the snapshot it has
            log.warning("cannot move to the store's newest snapshot: %s", exc)
        conn.send(evaluate(store.oxigraph, replace(req, union=req.union and not store.merged_default)))


class _Slots:
    """``size`` running queries at most; a bounded number wait, a bounded time, for a free slot."""

    def __init__(self, size: int, max_waiting: int) -> None:
        self._free = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._waiting, self.max_waiting = 0, max_waiting
        self._ends: dict[int, float] = {}  # running query -> when its slot is expected back
        self._ids = itertools.count()

    def retry_after(self) -> int:
        with self._lock:
            soonest = min(self._ends.values(), default=time.monotonic() + 1)
        return max(1, math.ceil(soonest - time.monotonic()))

    def acquire(self, wait: float, timeout: float | None) -> int:
        """A slot's id; ``Busy`` when none came free within ``wait`` seconds or too many already wait."""
        with self._lock:
            full = self._waiting >= self.max_waiting
            if not full:
                self._waiting += 1
        if full:
            raise Busy(self.retry_after())
        try:
            got = self._free.acquire(timeout=wait)
        finally:
            with self._lock:
                self._waiting -= 1
        if not got:
            raise Busy(self.retry_after())
        slot = next(self._ids)
        with self._lock:
            self._ends[slot] = time.monotonic() + (timeout if timeout is not None else wait)
        return slot

    def release(self, slot: int) -> None:
        with self._lock:
            self._ends.pop(slot, None)
        self._free.release()


class _NoWorker(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer[1].decode("utf-8", "replace"))
        self.answer = answer


class ProcessPool:
    """Worker processes over a store folder; a worker over its time limit is killed, a new one started."""

    def __init__(self, db: Path, size: int, *, wait: float, max_waiting: int, memory_mb: int | None) -> None:
        self.db, self.size, self.wait, self.memory_mb = str(db), size, wait, memory_mb
        self._ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or locks inherited
        self._idle: queue.LifoQueue[tuple[Any, Connection]] = queue.LifoQueue()
        self.slots = _Slots(size, max_waiting)
        self._lock = threading.Lock()
        self._all: set[Any] = set()
        # workers die with the thread that started them (PR_SET_PDEATHSIG is per thread): start them all
        # from one thread that lives as long as the pool, never from a request's short-lived thread
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-serve-spawner")

    def _start(self) -> tuple[Any, Connection]:
        """A ready worker; ``_NoWorker`` (with the answer to give) when none could start."""
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker, args=(self.db, child, self.memory_mb), daemon=True,
                                 name="kg-serve-query")
        self._spawner.submit(proc.start).result()
        child.close()
        with self._lock:
            self._all.add(proc)
        failed: Answer | None = text_answer(500, "query failed: the query process did not start in time")
        try:
            if parent.poll(STARTUP_TIMEOUT):
                failed = parent.recv()
        except (EOFError, OSError):
            failed = text_answer(500, "query failed: the query process could not start")
        if failed is not None:
            self._kill(proc, parent)
            raise _NoWorker(failed)
        return proc, parent

    def _kill(self, proc: Any, conn: Connection) -> None:
        proc.kill()
        proc.join(5)
        conn.close()
        with self._lock:
            self._all.discard(proc)

    def run(self, req: Request, timeout: float | None) -> Answer | None:
        """The answer, or None when the time limit passed (the query's worker is killed); ``Busy`` if no slot."""
        slot = self.slots.acquire(self.wait, timeout)
        try:
            try:
                proc, conn = self._idle.get_nowait()
            except queue.Empty:
                try:
                    proc, conn = self._start()
                except _NoWorker as exc:
                    return exc.answer
            deadline = None if timeout is None else time.monotonic() + timeout
            try:
                conn.send(req)
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                if conn.poll(left):
                    answer: Answer = conn.recv()
                    self._idle.put((proc, conn))
                    return answer
            except (EOFError, OSError) as exc:  # the worker died: over its memory limit, most likely
                self._kill(proc, conn)
                if self.memory_mb:
                    return text_answer(503, f"query stopped: its process ended ({type(exc).__name__}), most likely "
                                            f"over the {self.memory_mb} MB memory limit (make the query more "
                                            "selective, or restart kg serve with a higher --query-memory-mb)")
                return text_answer(500, f"query failed: the query process ended ({type(exc).__name__})")
            self._kill(proc, conn)
            return None
        finally:
            self.slots.release(slot)

    @property
    def processes(self) -> list[Any]:
        with self._lock:
            return [p for p in self._all if p.is_alive()]

    def close(self) -> None:
        while True:
            try:
                proc, conn = self._idle.get_nowait()
            except queue.Empty:
                break
            conn.close()  # the worker sees EOF and ends
        for proc in list(self._all):
            proc.join(2)
            if proc.is_alive():
                proc.kill()
                proc.join(2)
        self._all.clear()
        self._spawner.shutdown(wait=False)


class ThreadPool:
    """Queries in threads (an in-memory store): the answer comes at the deadline, the query runs on."""

    def __init__(self, store: ox.Store, size: int, *, wait: float, max_waiting: int) -> None:
        self.store, self.wait = store, wait
        self.slots = _Slots(size, max_waiting)

    def run(self, req: Request, timeout: float | None) -> Answer | None:
        slot = self.slots.acquire(self.wait, timeout)
        deadline = None if timeout is None else time.monotonic() + timeout  # from the start of execution
        box: list[Answer] = []

        def work() -> None:
            try:
                box.append(evaluate(self.store, req))
            finally:
                self.slots.release(slot)  # only when the query has really finished

        thread = threading.Thread(target=work, daemon=True, name="kg-serve-query")
        thread.start()
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return box[0] if box else None

    def close(self) -> None:
        pass
