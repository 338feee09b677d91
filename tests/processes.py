"""Real processes the tests and the benchmark start and stop: `kg serve` on a free port, and a stop
that asks first (a signal) and kills only what does not end in time, so nothing is left running."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def stop(proc: subprocess.Popen[str] | subprocess.Popen[bytes], sig: int = signal.SIGTERM,
         timeout: float = 10.0) -> None:
    """Send ``sig`` and wait ``timeout`` seconds; then kill. Always reaps the process."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def until(done: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Whether ``done()`` came true within ``seconds`` (a bound on a stuck test, not a speed requirement)."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one not reaped yet counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def interruptible() -> None:
    """``preexec_fn`` of a child the test stops with SIGINT (Ctrl-C): the default action, which Python turns
    into KeyboardInterrupt. Tests run in the background of a script (``scripts/test.sh &``) inherit SIGINT
    ignored, as the shell sets it for background commands, and Python then keeps it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_kg_serve(store: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    """``kg serve`` on ``store`` at a free loopback port: (process, its /sparql URL read from its first line).

    With faulthandler on: a process that hangs shows every thread's stack when sent SIGABRT.
    """
    proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "kg", "serve", "--port", "0",
                             "--store", str(store), *options], cwd=ROOT, preexec_fn=interruptible,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"(http://\S+/sparql)", line)
    if not found:
        stop(proc, signal.SIGKILL)
        raise RuntimeError(f"kg serve did not start: {line}")
    return proc, found.group(1)


def die_in_bulk_load(die: Callable[[], object], at: int = 1) -> None:
    """From now on in this process, the ``at``-th bulk load of a kg store loads half its data, then ``die()``
    ends the process: no cleanup, no close (what SIGKILL or a power cut leaves)."""
    from kg.store.core import Store

    real = Store._writable
    loads = 0

    class HalfThenDie:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def bulk_load(self, data: Any = None, format: Any = None, *, path: str | None = None) -> None:
            nonlocal loads
            loads += 1
            if path is not None:
                data = Path(path).read_bytes()
            assert isinstance(data, bytes)
            if loads < at:
                self.inner.bulk_load(data, format=format)
                return
            lines = data.splitlines(keepends=True)
            self.inner.bulk_load(b"".join(lines[: len(lines) // 2]), format=format)
            self.inner.flush()
            die()

    Store._writable = lambda self: HalfThenDie(real(self))  # type: ignore[method-assign, assignment, return-value]
