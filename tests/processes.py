"""Real processes the tests and the benchmark start and stop: `kg serve` on a free port, and a stop
that asks first (a signal) and kills only what does not end in time, so nothing is left running."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

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


def start_kg_serve(store: Path) -> tuple[subprocess.Popen[str], str]:
    """``kg serve`` on ``store`` at a free loopback port: (process, its /sparql URL read from its first line)."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", "0", "--store", str(store)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"(http://\S+/sparql)", line)
    if not found:
        stop(proc, signal.SIGKILL)
        raise RuntimeError(f"kg serve did not start: {line}")
    return proc, found.group(1)
