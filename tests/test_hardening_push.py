"""kg push against what goes wrong in real life (issue 17, items 3, 4, 19): CRLF secrets, echoing servers, no server."""
# ruff: noqa: F811  (pytest fixtures imported from tests.fixtures_oxigraph are parameters here)

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.errors import PushError
from kg.publish.http_client import Credentials
from kg.push import push
from tests.fixtures_oxigraph import OxigraphServer, faulty_proxy, free_port, oxigraph_server  # noqa: F401
from tests.test_push import local_store

PASSWORD = "Zq8-Xv7w-Kj2m-Rt9p-41"
TOKEN = "Qh7-5f2a9c1e7b"


def kg(*args: str, env: dict[str, str] | None = None, shell: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI; ``shell``: a bash line instead (``$KG`` is the command), as a user would type it."""
    full_env = {**os.environ, **(env or {}), "KG": f"{sys.executable} -m kg"}
    if shell is not None:
        return subprocess.run(["bash", "-c", shell], capture_output=True, text=True, env=full_env, timeout=120)
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, env=full_env,
                          timeout=120)


def pieces(secret: str, size: int = 4) -> list[str]:
    return [secret[i:i + size] for i in range(len(secret) - size + 1)]


# ---- 3. a token read from a file with CRLF line ends --------------------------------------------------------------

def test_a_token_from_a_crlf_file_is_stripped_and_works(oxigraph_server: OxigraphServer, faulty_proxy,
                                                        store_dir: Path, tmp_path: Path) -> None:
    proxy = faulty_proxy(lambda m, p, h, n: None if h.get("Authorization") == f"Bearer {TOKEN}" else 401)
    (tmp_path / "token.txt").write_bytes(TOKEN.encode() + b"\r\n")  # saved on Windows
    result = kg(shell=f'KG_PUSH_TOKEN="$(cat {tmp_path}/token.txt)" $KG push --endpoint {proxy.url}/query '
                      f"--store {store_dir}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr + result.stdout
    assert len(proxy.requests) > 0


@pytest.mark.parametrize("env", [{"KG_PUSH_TOKEN": f"{TOKEN[:6]}\n{TOKEN[6:]}"},
                                 {"KG_PUSH_TOKEN": f"{TOKEN[:6]}\x1b{TOKEN[6:]}"},
                                 {"KG_PUSH_USER": "kg", "KG_PUSH_PASSWORD": f"{PASSWORD[:9]}\r\n{PASSWORD[9:]}"}])
def test_a_secret_with_a_line_break_inside_is_refused_in_one_line_without_showing_it(
        oxigraph_server: OxigraphServer, faulty_proxy, store_dir: Path, env: dict[str, str]) -> None:
    proxy = faulty_proxy(lambda m, p, h, n: None)
    result = kg("push", "--endpoint", proxy.url + "/query", "--store", str(store_dir), env=env)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: the ") and "not shown" in line
    assert not any(p in result.stderr for p in pieces(TOKEN) + pieces(PASSWORD))
    assert proxy.requests == []  # refused before anything was sent


def test_credentials_are_cleaned_and_checked_in_python_too() -> None:
    assert Credentials(token=TOKEN + "\r").token == TOKEN
    assert Credentials(user=" kg\r\n", password=PASSWORD + "\r\n").header() == \
        Credentials(user="kg", password=PASSWORD).header()
    with pytest.raises(PushError, match="not shown") as info:
        Credentials(token="a b")
    assert "a b" not in str(info.value)


# ---- 4. an error body quoting the password: redacted first, then cut ----------------------------------------------

@pytest.mark.parametrize("method, path", [("gsp", "/store"), ("update", "/update")])
@pytest.mark.parametrize("at", [150, 185, 190, 196])
def test_a_server_echoing_the_password_never_shows_any_part_of_it(
        oxigraph_server: OxigraphServer, faulty_proxy, store_dir: Path, method: str, path: str, at: int) -> None:
    body = ("e" * at + f"{PASSWORD} is not the password of kg " + "z" * 300).encode()  # cut at 200 chars
    proxy = faulty_proxy(lambda m, p, h, n: (500, body) if p.startswith(path) else None)
    result = kg("push", "--endpoint", proxy.url + "/query", "--method", method, "--retries", "0",
                "--user", "kg", "--store", str(store_dir), env={"KG_PUSH_PASSWORD": PASSWORD})
    assert result.returncode == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert failed and "HTTP 500" in failed[0]
    leaked = [p for p in pieces(PASSWORD) if p in result.stderr]
    assert leaked == [], failed[0]


def test_error_excerpts_are_one_line_and_bounded() -> None:
    creds = Credentials(user="kg", password=PASSWORD)
    text = creds.excerpt(b"line one\nfailed: forged line\r\n" + b"x" * 5000)
    assert "\n" not in text and "\r" not in text and len(text) <= 200
    assert creds.excerpt("x" * 199 + PASSWORD) == "x" * 199 + "…"
    assert creds.excerpt(f"denied {PASSWORD}") == "denied ***"


# ---- 19. no server at all: at once, in one line --------------------------------------------------------------------

def test_a_push_to_a_server_that_is_down_fails_at_once_in_one_line(store_dir: Path) -> None:
    port = free_port()  # nothing listens there
    for method, url in (("auto", f"http://127.0.0.1:{port}/query"), ("update", f"http://127.0.0.1:{port}/query"),
                        ("auto", f"http://127.0.0.1:{port}")):  # a root URL: the first probe is refused
        start = time.monotonic()
        result = kg("push", "--endpoint", url, "--method", method, "--store", str(store_dir))
        seconds = time.monotonic() - start
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            f"error: 127.0.0.1:{port}: cannot connect: connection refused "
            "(is the triplestore running, on this port? check --endpoint)"]
        assert seconds < 15  # no back-off (it would take 31 s); a bound for behaviour, not a speed test


def test_push_gives_up_on_a_refused_first_connection_without_retrying() -> None:
    port = free_port()
    start = time.monotonic()
    with pytest.raises(PushError, match="connection refused"):
        push(local_store(), f"http://127.0.0.1:{port}/query", retries=5, backoff=1.0)
    assert time.monotonic() - start < 10  # no retry: five with back-off would take 31 s
