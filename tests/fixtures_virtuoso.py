"""A real OpenLink Virtuoso on 127.0.0.1 for tests (Debian's virtuoso-opensource: virtuoso-t and isql-vt).

One server per test session (its first start creates the database and takes a while):
its own virtuoso.ini in a temporary folder, free loopback ports for HTTP and ISQL, that
folder allowed for the bulk loader (DirsAllowed), the stock ``dba``/``dba`` account.
Tests share it: ``reset()`` removes every graph that was not there at start.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fixtures_oxigraph import free_port
from tests.processes import stop

VIRTUOSO = "/usr/bin/virtuoso-t"
ISQL = "/usr/bin/isql-vt"
USER, PASSWORD = "dba", "dba"  # the account a fresh Virtuoso database has
INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{isql}
DisableUnixSocket = 1
CheckpointInterval = 60
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}/www
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""


def virtuoso_binaries() -> tuple[str, str] | None:
    found = [shutil.which(Path(p).name) or (p if Path(p).is_file() else None) for p in (VIRTUOSO, ISQL)]
    return (found[0], found[1]) if found[0] and found[1] else None


@dataclass
class VirtuosoServer:
    url: str  # http://127.0.0.1:PORT
    isql_port: int
    folder: Path  # DirsAllowed: files to bulk-load go under it
    process: subprocess.Popen[bytes]
    isql_binary: str
    system_graphs: set[str] = field(default_factory=set)

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    @property
    def sparql_auth(self) -> str:
        return self.url + "/sparql-auth"

    @property
    def gsp(self) -> str:
        return self.url + "/sparql-graph-crud-auth"

    def isql(self, *statements: str, password: str = PASSWORD) -> str:
        """Run SQL statements through isql-vt; raises on an error Virtuoso reports."""
        script = "".join(s.rstrip().rstrip(";") + ";\n" for s in statements)
        done = subprocess.run([self.isql_binary, f"127.0.0.1:{self.isql_port}", USER, password,
                               "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ERRORS=STDOUT"],
                              input=script.encode(), capture_output=True, timeout=300, check=False)
        out = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0 or "*** Error" in out:
            raise RuntimeError(f"isql-vt failed: {out}{done.stderr.decode('utf-8', 'replace')}")
        return out

    def graphs(self) -> set[str]:
        out = self.isql("SPARQL SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {line.strip() for line in out.splitlines() if line.strip().startswith(("http", "urn"))}

    def bulk_load(self, files: list[Path], graph: dict[str, str]) -> None:
        """Virtuoso's bulk loader: ld_dir per file (``graph``: the target of triples without a graph), then
        rdf_loader_run and a checkpoint; the loader's own error column is checked."""
        calls = [f"ld_dir('{f.parent}', '{f.name}', '{graph[f.name]}')" for f in files]
        self.isql(*calls, "rdf_loader_run()", "checkpoint")
        errors = self.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL")
        if any(f.name in errors for f in files):
            raise RuntimeError(f"the bulk loader failed: {errors}")

    def reset(self) -> None:
        """Drop every graph a test made, and the bulk loader's list."""
        for g in sorted(self.graphs() - self.system_graphs):
            self.isql(f"SPARQL CLEAR GRAPH <{g}>")
        self.isql("DELETE FROM DB.DBA.LOAD_LIST", "checkpoint")


def start_virtuoso(folder: Path, timeout: float = 180.0) -> VirtuosoServer:
    found = virtuoso_binaries()
    if found is None:
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource: virtuoso-t, isql-vt)")
    binary, isql = found
    http_port, isql_port = free_port(), free_port()
    (folder / "www").mkdir(parents=True, exist_ok=True)
    (folder / "virtuoso.ini").write_text(INI.format(d=folder, isql=isql_port, http=http_port), encoding="utf-8")
    log = (folder / "stdout.log").open("wb")
    proc = subprocess.Popen([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                            cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    url = f"http://127.0.0.1:{http_port}"
    server = VirtuosoServer(url, isql_port, folder, proc, isql)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited: {(folder / 'stdout.log').read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=2):
                server.system_graphs = server.graphs()
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    stop_virtuoso(server)
    raise RuntimeError("virtuoso did not start in time")


def stop_virtuoso(server: VirtuosoServer) -> None:
    stop(server.process, timeout=30)


_SESSION: dict[str, VirtuosoServer] = {}


@pytest.fixture(scope="session")
def virtuoso_session(request: pytest.FixtureRequest) -> VirtuosoServer:
    """One Virtuoso for the whole session, however many test modules import this fixture."""
    if virtuoso_binaries() is None:
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource: virtuoso-t, isql-vt)")
    if "server" not in _SESSION:
        folder = Path(tempfile.mkdtemp(prefix="kg-virtuoso-"))
        _SESSION["server"] = start_virtuoso(folder)

        def stop() -> None:
            stop_virtuoso(_SESSION.pop("server"))
            shutil.rmtree(folder, ignore_errors=True)

        request.config.add_cleanup(stop)
    return _SESSION["server"]


@pytest.fixture
def virtuoso(virtuoso_session: VirtuosoServer) -> Iterator[VirtuosoServer]:
    """The session's Virtuoso, holding none of another test's graphs."""
    virtuoso_session.reset()
    yield virtuoso_session
