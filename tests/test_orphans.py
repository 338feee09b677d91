"""No process outlives the command that started it, and the README's Python runs as written.

Real processes and signals: ``kg ingest`` and ``kg serve`` are started as subprocesses, their
worker processes found in /proc, the parent killed (SIGKILL) or stopped (SIGTERM), and every
process it had started must be gone within seconds, the store usable at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CALL = Path(__file__).parent / "data" / "store" / "merge" / "call-a.json"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")]


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _ppid(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return {p for p in found if _alive(p)}


def _wait_for(what: str, check, seconds: float = 60.0):  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _survivors(pids: set[int], seconds: float = 10.0) -> set[int]:
    end = time.monotonic() + seconds
    while time.monotonic() < end and any(_alive(p) for p in pids):
        time.sleep(0.05)
    return {p for p in pids if _alive(p)}


def _corpus(folder: Path, n: int) -> Path:
    folder.mkdir()
    base = json.loads(CALL.read_text())
    for i in range(n):
        doc = dict(base, url=f"{base['url']}?copy={i}", title=f"{base['title']} ({i})")
        (folder / f"a{i:04d}.json").write_text(json.dumps(doc))
    return folder


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_ingest_leaves_no_process_behind(tmp_path: Path, sig: signal.Signals) -> None:
    inputs = _corpus(tmp_path / "in", 3000)  # minutes of work: still running when the signal comes
    store = tmp_path / "s"
    proc = subprocess.Popen([sys.executable, "-m", "kg", "ingest", str(inputs), "--store", str(store),
                             "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        workers = _wait_for("two worker processes", lambda: (d if len(d := descendants(proc.pid)) >= 2 else None))
        time.sleep(1.0)  # the workers are extracting
        workers |= descendants(proc.pid)
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not _survivors(workers), f"processes left running after {sig.name}: {workers}"
    if sig == signal.SIGTERM:  # handled like Ctrl-C: one line, the conventional exit status
        assert proc.returncode == 128 + signal.SIGTERM, err
        assert "stopped by SIGTERM" in err and "Traceback" not in err
    rerun = subprocess.run([sys.executable, "-m", "kg", "ingest", str(CALL), "--store", str(store)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr  # nothing holds the store


def test_a_worker_killed_under_ingest_is_one_clear_error(tmp_path: Path) -> None:
    """Out of memory or a stray kill: the ingest stops with one line, the other worker stopped too."""
    inputs = _corpus(tmp_path / "in", 3000)
    proc = subprocess.Popen([sys.executable, "-m", "kg", "ingest", str(inputs), "--store", str(tmp_path / "s"),
                             "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        workers = _wait_for("two worker processes", lambda: (d if len(d := descendants(proc.pid)) >= 2 else None))
        time.sleep(1.0)
        os.kill(min(workers), signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2 and "Traceback" not in err
    assert "a worker process ended unexpectedly (exit status -9)" in err
    assert not _survivors(workers)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } GRAPH ?i { ?x ?y ?z } }"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_stopped_server_leaves_no_query_worker_holding_the_store(tmp_path: Path, sig: signal.Signals) -> None:
    store = tmp_path / "s"
    made = subprocess.run([sys.executable, "-m", "kg", "ingest", str(ROOT / "samples"), "--store", str(store),
                           "--workers", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert made.returncode in (0, 1), made.stderr
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port), "--store", str(store),
                               "--query-timeout", "600"], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        def up() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        _wait_for("the server to listen", up)
        url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": HEAVY})

        def ask() -> None:
            with contextlib.suppress(Exception):  # the server goes away mid-query: that is the point
                urllib.request.urlopen(url, timeout=120).read()

        threading.Thread(target=ask, daemon=True).start()
        workers = _wait_for("a query worker", lambda: descendants(server.pid))
        time.sleep(1.0)  # the worker is inside the heavy query
        workers |= descendants(server.pid)
        os.kill(server.pid, sig)
        server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert not _survivors(workers), f"query workers left running after {sig.name}: {workers}"
    ingest = subprocess.run([sys.executable, "-m", "kg", "ingest", str(CALL), "--store", str(store)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ingest.returncode == 0, ingest.stderr


def test_a_live_query_worker_never_keeps_writers_out(tmp_path: Path) -> None:
    """A query worker (even one whose server is gone) reads a snapshot: ingest goes on, its next query sees it."""
    try:
        from kg.serve_pool import Request, _worker
    except ImportError:  # before the pool had a module of its own
        from kg.serve import Request, _worker  # type: ignore[attr-defined, no-redef]
    from kg.store import open_store

    store = tmp_path / "s"
    open_store(store).close()
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_worker, args=(str(store / "oxigraph"), child), daemon=True)
    proc.start()
    try:
        assert parent.poll(60) and parent.recv() is None  # ready
        ingest = subprocess.run([sys.executable, "-m", "kg", "ingest", str(CALL), "--store", str(store)],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert ingest.returncode == 0, ingest.stderr
        parent.send(Request("ASK { GRAPH ?g { ?a a <https://w3id.org/diplomacy-kg/ontology#Article> } }"))
        status, body, _ = parent.recv()
        assert status == 200 and b"true" in body
    finally:
        parent.close()
        proc.join(10)


def _readme_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", readme, re.S)
    assert match, "the README has a Python snippet"
    return match.group(1)


@pytest.mark.parametrize("how", ["script", "notebook"])
def test_readme_python_snippet_runs_as_written(tmp_path: Path, how: str) -> None:
    """Unguarded top-level code, as a script and as a notebook cell: workers must not run it again."""
    pytest.importorskip("pandas")
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    code = _readme_snippet()
    (tmp_path / "snippet.py").write_text(code, encoding="utf-8")
    if how == "script":
        cmd = [sys.executable, "snippet.py"]
    else:  # a notebook cell: code run in __main__ with no __file__
        cmd = [sys.executable, "-c", "exec(compile(open('snippet.py').read(), '<cell>', 'exec'))"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert done.stdout.strip().splitlines()[-1] in ("True", "False")
