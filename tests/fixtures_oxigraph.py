"""A real Oxigraph server on 127.0.0.1 for tests (the ``oxigraph`` binary from PyPI, in the venv)."""

from __future__ import annotations

import http.client
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.processes import stop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


@dataclass
class OxigraphServer:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[bytes]

    @property
    def query(self) -> str:
        return self.url + "/query"

    @property
    def store(self) -> str:
        return self.url + "/store"

    @property
    def update(self) -> str:
        return self.url + "/update"


def start_oxigraph(location: Path, timeout: float = 20.0) -> OxigraphServer:
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1):
                return OxigraphServer(url, proc)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("oxigraph did not start in time")


def stop_oxigraph(server: OxigraphServer) -> None:
    stop(server.process, timeout=10)


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A fresh, empty Oxigraph server per test."""
    server = start_oxigraph(tmp_path / "oxigraph-db")
    try:
        yield server
    finally:
        stop_oxigraph(server)


class FaultyProxy:
    """A real HTTP proxy on 127.0.0.1 in front of a server, misbehaving on purpose.

    ``policy(method, path, headers, n)`` (n = 1-based request number) returns ``None`` to
    forward, an int to answer with that status (or ``(status, body)``, ``(status, body, headers)``),
    ``"drop"`` to close the connection unanswered,
    or ``"hang"`` to say nothing for ``hang_seconds`` (a client timeout) and then close.
    With ``tls`` (a server-side SSLContext) it speaks HTTPS.
    """

    def __init__(self, upstream: str,
                 policy: Callable[[str, str, dict[str, str], int], int | str | tuple[Any, ...] | None],
                 tls: ssl.SSLContext | None = None, hang_seconds: float = 3.0) -> None:
        self.upstream = urlsplit(upstream)
        self.policy = policy
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy.lock:
                    proxy.requests.append((self.command, self.path))
                    n = len(proxy.requests)
                decision = proxy.policy(self.command, self.path, dict(self.headers), n)
                if decision == "hang":
                    time.sleep(hang_seconds)
                if decision in ("drop", "hang"):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if isinstance(decision, int | tuple):
                    status, answer, extra = (*decision, {}, b"")[:3] if isinstance(decision, tuple) \
                        else (decision, b"", {})
                    self.send_response(status)
                    for key, value in (extra or {}).items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                    return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() in ("content-type",):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def faulty_proxy(oxigraph_server: OxigraphServer) -> Iterator[Callable[..., FaultyProxy]]:
    made: list[FaultyProxy] = []

    def make(policy: Callable[[str, str, dict[str, str], int], int | str | tuple[Any, ...] | None],
             **options: Any) -> FaultyProxy:
        proxy = FaultyProxy(oxigraph_server.url, policy, **options)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()
