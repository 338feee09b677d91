"""Worker processes that die with their parent and never re-import the caller's script.

``multiprocessing`` (spawn or forkserver) runs the main module of the caller again in every
worker: a script without an ``if __name__ == "__main__"`` guard (the README's snippet) opens
the store a second time there and the pool breaks. Its forkserver, resource tracker and idle
workers also outlive a parent killed by SIGKILL or SIGTERM. So ingest starts its own workers:
``python -c`` importing only ``kg.workers``, tasks and results pickled over pipes, and each
worker

- asks the kernel to SIGKILL it when its parent dies (``prctl(PR_SET_PDEATHSIG)`` on Linux;
  elsewhere a thread that watches the parent's pid), and ends at EOF on its task pipe;
- ignores Ctrl-C (SIGINT goes to the whole terminal group): the parent stops it;
- writes results to a private copy of its stdout, so a stray ``print`` cannot corrupt them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable
from typing import IO, Any

from kg.errors import KgError

_BOOT = ("import pickle, sys; sys.path[:0] = pickle.load(sys.stdin.buffer); "
         "from kg.workers import _serve; _serve()")
PR_SET_PDEATHSIG = 1


class WorkerError(KgError):
    """A worker process ended without answering (killed, out of memory) or its task raised."""


def die_with_parent(parent_pid: int | None = None) -> None:
    """Have this process killed when its parent ends (call it first thing in a worker).

    Linux: the kernel sends SIGKILL at the parent's exit. Elsewhere: a daemon thread polls.
    ``parent_pid``: the parent expected; if it is already gone, exit now.
    """
    if parent_pid is None:
        import multiprocessing

        parent = multiprocessing.parent_process()  # a multiprocessing child: the pid it was started from
        parent_pid = parent.pid if parent is not None and parent.pid else os.getppid()
    expected = parent_pid
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            _watch_parent(expected)
    else:
        _watch_parent(expected)
    if os.getppid() != expected:  # the parent died before the request took effect
        os._exit(1)


def _watch_parent(expected: int) -> None:
    def watch() -> None:
        import time

        while os.getppid() == expected:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()


def _serve() -> None:
    """The worker's loop: ``(fn, args)`` in, ``(ok, value)`` out, until EOF on stdin."""
    die_with_parent(int(sys.argv[1]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # print() and library chatter go to stderr, not into the result stream
    inp = sys.stdin.buffer
    while True:
        try:
            fn, args = pickle.load(inp)
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, fn(*args))
        except BaseException as exc:  # sent back to the parent, which raises it
            answer = (False, f"{type(exc).__name__}: {exc}")
        pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


#: the task id of a pool's warm-up task: its answer is dropped
_WARM = -1


class _Worker:
    def __init__(self, index: int, results: queue.Queue[tuple[int, int, bool, Any]],
                 warm: tuple[Callable[..., Any], tuple[Any, ...]] | None = None) -> None:
        self.index = index
        self.proc = subprocess.Popen([sys.executable, "-c", _BOOT, str(os.getpid())],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin: IO[bytes] = self.proc.stdin
        self.pending: deque[int] = deque()  # task ids sent, in order
        self._send([p for p in sys.path if p])
        if warm is not None:
            self.pending.append(_WARM)
            self._send(warm)
        self._reader = threading.Thread(target=self._read, args=(self.proc.stdout, results), daemon=True,
                                        name=f"kg-worker-{index}-reader")
        self._reader.start()

    def _send(self, obj: Any) -> None:
        self.stdin.write(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        self.stdin.flush()

    def submit(self, task_id: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.pending.append(task_id)
        try:
            self._send((fn, args))
        except OSError:  # its end of the pipe is closed: the worker is gone
            raise self.ended() from None

    def ended(self) -> WorkerError:
        code = self.proc.wait()
        return WorkerError(f"a worker process ended unexpectedly (exit status {code})",
                           fix="see the messages above; rerun the same command to finish")

    def _read(self, stream: IO[bytes], results: queue.Queue[tuple[int, int, bool, Any]]) -> None:
        while True:
            try:
                ok, value = pickle.load(stream)
            except (EOFError, OSError, pickle.UnpicklingError):
                results.put((self.index, -1, False, None))  # ended
                return
            results.put((self.index, 0, ok, value))

    def stop(self, *, kill: bool) -> None:
        with contextlib.suppress(OSError):
            self.stdin.close()
        if kill:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class WorkerPool:
    """``size`` worker processes; ``map`` runs tasks in them and yields the results in task order."""

    def __init__(self, size: int, *, warm: tuple[Callable[..., Any], tuple[Any, ...]] | None = None) -> None:
        """``warm``: ``(fn, args)`` each worker runs first, answer dropped (to be ready before tasks come)."""
        self._results: queue.Queue[tuple[int, int, bool, Any]] = queue.Queue()
        self._workers = [_Worker(i, self._results, warm) for i in range(max(1, size))]
        self._done: dict[int, Any] = {}  # results in before their turn (``map``'s)
        self._expected = 0  # the task ``map`` yields next
        self._clean = True  # no task of an earlier ``map`` still out (its results would be taken as ours)

    @property
    def pids(self) -> list[int]:
        return [w.proc.pid for w in self._workers]

    @property
    def reusable(self) -> bool:
        """Whether another ``map`` can run: every earlier one ran to its end (none stopped early or failed)
        and every worker is still running (one killed while idle would fail the next ``map``)."""
        return self._clean and all(w.proc.poll() is None for w in self._workers)

    def map(self, fn: Callable[..., Any], tasks: Iterable[tuple[Any, ...]], *,
            in_flight: int = 16) -> Generator[Any, None, None]:
        """``fn(*args)`` for each task, ``in_flight`` tasks queued per worker; a task's error raises here.

        One ``map`` at a time; after one is stopped early or fails, the pool is not ``reusable``.
        """
        if not self._clean:
            raise WorkerError("this worker pool has results of an earlier task still out", fix="start a new pool")
        self._clean = False
        self._done, self._expected = {}, 0
        sent = 0
        limit = in_flight * len(self._workers)
        todo = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and sent - self._expected < limit:
                try:
                    args = next(todo)
                except StopIteration:
                    exhausted = True
                    break
                min(self._workers, key=lambda w: len(w.pending)).submit(sent, fn, args)
                sent += 1
            if self._expected == sent:
                self._clean = True
                return
            while self._expected not in self._done:
                self._collect()
            value = self._done.pop(self._expected)
            self._expected += 1
            yield value

    def ready(self) -> bool:
        """Whether ``map``'s next result is in (taking it would not wait for a worker)."""
        with contextlib.suppress(queue.Empty):
            while self._expected not in self._done:
                self._collect(block=False)
        return self._expected in self._done

    def _collect(self, *, block: bool = True) -> None:
        index, status, ok, value = self._results.get(block=block)
        worker = self._workers[index]
        if status < 0:
            if not worker.pending:
                return
            raise worker.ended()
        task_id = worker.pending.popleft()
        if task_id == _WARM:
            return  # (had it failed, the tasks will fail too, and say why)
        if not ok:
            raise WorkerError(f"a worker failed: {value}")
        self._done[task_id] = value

    def close(self, *, kill: bool = False) -> None:
        """Stop the workers: EOF on their task pipes (or SIGKILL), then wait for them."""
        for worker in self._workers:
            worker.stop(kill=kill)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        self.close(kill=exc_type is not None)
