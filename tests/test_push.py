"""kg push against a real Oxigraph server on 127.0.0.1 (and a misbehaving proxy in front of it)."""
# ruff: noqa: F811  (pytest fixtures imported from tests.fixtures_oxigraph are parameters here)

from __future__ import annotations

import base64
import logging
import shutil
import ssl
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper
from typer.testing import CliRunner

from kg.errors import PushError
from kg.publish.http_client import Credentials
from kg.push import derive_endpoints, push
from tests.fixtures_oxigraph import OxigraphServer, faulty_proxy, oxigraph_server  # noqa: F401 (fixtures)

DATA = Path(__file__).parent / "data" / "publish"
QUERY = """PREFIX dip: <https://w3id.org/diplomacy-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?meeting ?who ?label WHERE {
  GRAPH ?g { ?meeting a dip:Meeting ; dip:participant ?who . OPTIONAL { ?who rdfs:label ?label } }
} ORDER BY ?meeting ?who ?label"""
SECRET = "s3cr3t-Pa55word"


def local_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(DATA / "store.trig"), format=ox.RdfFormat.TRIG)
    return store


def server_counts(server: OxigraphServer) -> dict[str, int]:
    """Triples per graph on the server, asked independently of kg.push (SPARQLWrapper)."""
    sparql = SPARQLWrapper(server.query)
    sparql.setQuery("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    sparql.setReturnFormat(JSON)
    rows = sparql.queryAndConvert()["results"]["bindings"]  # type: ignore[index, call-overload]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def local_counts(store: ox.Store) -> dict[str, int]:
    return {g.value: len(list(store.quads_for_pattern(None, None, None, g))) for g in store.named_graphs()}


def test_push_every_graph_and_verify(oxigraph_server: OxigraphServer) -> None:
    store = local_store()
    report = push(store, oxigraph_server.query)
    assert report.ok, [g.error for g in report.failed]
    assert report.method == "gsp"
    assert {g.graph: g.verified for g in report.graphs} == local_counts(store)
    assert server_counts(oxigraph_server) == local_counts(store)
    assert report.triples_sent == len(store)


def test_pushing_twice_duplicates_nothing(oxigraph_server: OxigraphServer) -> None:
    store = local_store()
    push(store, oxigraph_server.query)
    second = push(store, oxigraph_server.query)
    assert second.ok
    assert server_counts(oxigraph_server) == local_counts(store)


def test_large_graphs_go_in_batches(oxigraph_server: OxigraphServer, faulty_proxy) -> None:
    proxy = faulty_proxy(lambda method, path, headers, n: None)
    store = local_store()
    report = push(store, proxy.url + "/query", batch_triples=5)
    assert report.ok
    puts = [p for m, p in proxy.requests if m == "PUT"]
    posts = [p for m, p in proxy.requests if m == "POST" and p.startswith("/store")]
    assert len(puts) == len(local_counts(store))  # one replace per graph ...
    assert len(posts) == sum((n - 1) // 5 for n in local_counts(store).values())  # ... then appends
    assert server_counts(oxigraph_server) == local_counts(store)


def test_sparql_update_method(oxigraph_server: OxigraphServer) -> None:
    store = local_store()
    report = push(store, oxigraph_server.query, method="update", batch_triples=7)
    assert report.ok and report.method == "update"
    again = push(store, oxigraph_server.query, method="update", batch_triples=7)
    assert again.ok
    assert server_counts(oxigraph_server) == local_counts(store)


def test_auto_falls_back_to_update_when_there_is_no_gsp(oxigraph_server: OxigraphServer) -> None:
    report = push(local_store(), oxigraph_server.query, gsp_endpoint=oxigraph_server.url + "/no-gsp-here")
    assert report.ok and report.method == "update"
    assert server_counts(oxigraph_server) == local_counts(local_store())


def test_gsp_method_with_a_wrong_url_is_a_clear_error(oxigraph_server: OxigraphServer) -> None:
    with pytest.raises(PushError, match=r"no such endpoint \(HTTP 404\)") as info:
        push(local_store(), oxigraph_server.query, gsp_endpoint=oxigraph_server.url + "/nope", method="gsp")
    assert info.value.fix and "--gsp" in info.value.fix


def test_same_answers_remotely_and_locally(oxigraph_server: OxigraphServer) -> None:
    store = local_store()
    push(store, oxigraph_server.query)
    sparql = SPARQLWrapper(oxigraph_server.query)
    sparql.setQuery(QUERY)
    sparql.setReturnFormat(JSON)
    remote = [tuple(row.get(v, {}).get("value") for v in ("meeting", "who", "label"))
              for row in sparql.queryAndConvert()["results"]["bindings"]]  # type: ignore[index, call-overload]
    local = [tuple(None if row[v] is None else row[v].value for v in ("meeting", "who", "label"))
             for row in store.query(QUERY)]  # type: ignore[union-attr]
    assert remote == local and len(local) >= 4


def test_server_failing_midway_names_the_graphs_that_did_not_arrive(
        oxigraph_server: OxigraphServer, faulty_proxy) -> None:
    # writes after the first graph get 500s; queries still pass, so the first graph is verified
    proxy = faulty_proxy(lambda method, path, headers, n: 500 if method == "PUT" and n > 1 else None)
    store = local_store()
    report = push(store, proxy.url + "/query", retries=2, backoff=0.01)
    assert not report.ok
    graphs = sorted(local_counts(store))
    assert report.graphs[0].ok and report.graphs[0].graph == graphs[0]
    failed = {g.graph for g in report.failed}
    assert failed == set(graphs[1:])
    assert all("500" in (g.error or "") or "not sent" in (g.error or "") for g in report.failed)
    assert set(server_counts(oxigraph_server)) == {graphs[0]}


def test_server_gone_midway_is_reported_not_crashed(oxigraph_server: OxigraphServer, faulty_proxy) -> None:
    proxy = faulty_proxy(lambda method, path, headers, n: "drop" if n > 1 else None)
    report = push(local_store(), proxy.url + "/query", retries=1, backoff=0.01)
    assert not report.ok
    assert len(report.failed) == len(report.graphs)  # nothing could be verified, nothing claimed
    assert any("not sent" in (g.error or "") for g in report.failed)


def test_transient_errors_are_retried(oxigraph_server: OxigraphServer, faulty_proxy) -> None:
    proxy = faulty_proxy(lambda method, path, headers, n: 503 if n in (1, 2, 4) else None)
    report = push(local_store(), proxy.url + "/query", retries=3, backoff=0.01)
    assert report.ok
    assert server_counts(oxigraph_server) == local_counts(local_store())


def _basic_auth(user: str, password: str):  # type: ignore[no-untyped-def]
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    return lambda method, path, headers, n: None if headers.get("Authorization") == expected else 401


def test_wrong_credentials_give_a_clear_error_without_the_password(
        oxigraph_server: OxigraphServer, faulty_proxy, caplog: pytest.LogCaptureFixture) -> None:
    proxy = faulty_proxy(_basic_auth("kg", "right-password"))
    caplog.set_level(logging.DEBUG)
    creds = Credentials(user="kg", password=SECRET)
    with pytest.raises(PushError) as info:
        push(local_store(), proxy.url + "/query", credentials=creds)
    text = f"{info.value} {info.value!r} {info.value.fix} {creds!r} {caplog.text}"
    assert "HTTP 401" in str(info.value) and "credentials" in str(info.value)
    assert SECRET not in text
    assert base64.b64encode(f"kg:{SECRET}".encode()).decode() not in text


def test_right_credentials_pass(oxigraph_server: OxigraphServer, faulty_proxy) -> None:
    proxy = faulty_proxy(_basic_auth("kg", "right-password"))
    report = push(local_store(), proxy.url + "/query", credentials=Credentials("kg", "right-password"))
    assert report.ok


def test_credentials_never_show_in_repr() -> None:
    creds = Credentials(user="kg", password=SECRET, token="tok-123456")
    assert SECRET not in repr(creds) and "tok-123456" not in repr(creds) and SECRET not in str(creds)
    assert creds.redact(f"echo {SECRET} and tok-123456") == "echo *** and ***"


def test_endpoint_guesses() -> None:
    assert derive_endpoints("http://h:7878/query") == ("http://h:7878/store", "http://h:7878/update")
    assert derive_endpoints("http://h/ds/sparql") == ("http://h/ds/data", "http://h/ds/update")
    assert derive_endpoints("http://h/blazegraph") == (None, "http://h/blazegraph")


def test_bad_arguments() -> None:
    with pytest.raises(PushError, match="unknown push method"):
        push(local_store(), "http://127.0.0.1:9/query", method="ftp")
    with pytest.raises(PushError, match="no Graph Store Protocol URL"):
        push(local_store(), "http://127.0.0.1:9/sparql-ish", method="gsp")


# ---- the command ---------------------------------------------------------------------------------

def kg_store(path: Path) -> Path:
    from kg.store import open_store

    with open_store(path) as store:
        store.load(DATA / "store.trig", format=ox.RdfFormat.TRIG)
    return path


def test_cli_push_ok(oxigraph_server: OxigraphServer, tmp_path: Path) -> None:
    from kg.cli import app

    result = CliRunner().invoke(app, ["push", "--endpoint", oxigraph_server.query,
                                      "--store", str(kg_store(tmp_path / "s"))])
    assert result.exit_code == 0, result.output
    assert "pushed" in result.output


def test_cli_partial_failure_exits_non_zero(oxigraph_server: OxigraphServer, faulty_proxy,
                                            tmp_path: Path) -> None:
    from kg.cli import app

    proxy = faulty_proxy(lambda method, path, headers, n: 500 if method == "PUT" and n > 1 else None)
    result = CliRunner().invoke(app, ["push", "--endpoint", proxy.url + "/query", "--retries", "0",
                                      "--store", str(kg_store(tmp_path / "s"))])
    assert result.exit_code == 1
    assert "failed:" in result.output and "graph/entities" in result.output


def test_cli_wrong_password_never_printed(oxigraph_server: OxigraphServer, faulty_proxy,
                                          tmp_path: Path) -> None:
    from kg.cli import app

    proxy = faulty_proxy(_basic_auth("kg", "right-password"))
    result = CliRunner().invoke(app, ["push", "--endpoint", proxy.url + "/query", "--user", "kg",
                                      "--password-env", "MY_PW", "--store", str(kg_store(tmp_path / "s"))],
                                env={"MY_PW": SECRET})
    assert result.exit_code == 2
    assert "HTTP 401" in result.output
    assert SECRET not in result.output


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_hostile_literals_arrive_intact(oxigraph_server: OxigraphServer, method: str) -> None:
    store = ox.Store()
    g = ox.NamedNode("https://w3id.org/diplomacy-kg/id/graph/article/hostile")
    texts = ['say "hi"', "back\\slash \\u0041 \\n", "line\nbreak\r\ttab", "nul \x00 \x01 \x7f", "<>{}^`|",
             "Україна 😀 e\u0301", "' ; } } DROP ALL ; #"]
    for i, text in enumerate(texts):
        store.add(ox.Quad(ox.NamedNode(f"https://w3id.org/diplomacy-kg/id/x/{i}"),
                          ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(text), g))
    report = push(store, oxigraph_server.query, method=method)
    assert report.ok, [r.error for r in report.failed]
    remote = ox.Store()
    with urllib.request.urlopen(oxigraph_server.store + "?graph=" + urllib.parse.quote(g.value, safe="")) as r:
        remote.load(r.read(), format=ox.RdfFormat.N_TRIPLES)
    assert sorted(q.object.value for q in remote) == sorted(texts)


def _self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a fresh self-signed certificate for 127.0.0.1, and the certificate file."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx, cert


def test_tls_is_verified_by_default(oxigraph_server: OxigraphServer, faulty_proxy, tmp_path: Path) -> None:
    ctx, cert = _self_signed(tmp_path)
    proxy = faulty_proxy(lambda method, path, headers, n: None, tls=ctx)
    assert proxy.url.startswith("https://")
    with pytest.raises(PushError, match=r"TLS certificate of 127\.0\.0\.1:\d+ is not trusted") as info:
        push(local_store(), proxy.url + "/query", retries=3, backoff=0.01)
    assert "--ca-bundle" in (info.value.fix or "")
    assert len(proxy.requests) == 0  # refused before any request was sent, and not retried
    assert server_counts(oxigraph_server) == {}
    # trusting that certificate explicitly, or turning verification off, lets the push through
    assert push(local_store(), proxy.url + "/query", ca_bundle=str(cert)).ok
    assert push(local_store(), proxy.url + "/query", verify_tls=False).ok
    assert server_counts(oxigraph_server) == local_counts(local_store())


def test_a_server_that_hangs_is_retried_after_the_timeout(oxigraph_server: OxigraphServer, faulty_proxy) -> None:
    proxy = faulty_proxy(lambda method, path, headers, n: "hang" if n == 1 else None, hang_seconds=2.0)
    report = push(local_store(), proxy.url + "/query", timeout=0.5, retries=2, backoff=0.01)
    assert report.ok
    assert server_counts(oxigraph_server) == local_counts(local_store())


def test_a_server_that_always_hangs_is_reported_per_graph(oxigraph_server: OxigraphServer, faulty_proxy) -> None:
    proxy = faulty_proxy(lambda method, path, headers, n: "hang", hang_seconds=1.0)
    report = push(local_store(), proxy.url + "/query", timeout=0.3, retries=1, backoff=0.01)
    assert not report.ok and len(report.failed) == len(report.graphs)
    assert all("timed out" in (g.error or "") or "not sent" in (g.error or "") for g in report.failed)


# ---- SPARQL 1.1 Update through SPARQLWrapper (stores without the Graph Store Protocol) -------------

def _no_gsp(inner=None):  # type: ignore[no-untyped-def]
    """A policy for a server without GSP: /store answers 404, the rest goes to ``inner`` (or through)."""
    def policy(method: str, path: str, headers: dict[str, str], n: int) -> int | str | None:
        if path.startswith("/store"):
            return 404
        return inner(method, path, headers, n) if inner else None
    return policy


def _updates(proxy) -> list[str]:  # type: ignore[no-untyped-def]
    return [p for m, p in proxy.requests if m == "POST" and p.startswith("/update")]


def test_without_gsp_the_update_fallback_goes_through_sparqlwrapper_in_batches(
        oxigraph_server: OxigraphServer, faulty_proxy) -> None:
    seen: list[dict[str, str]] = []

    def record(method: str, path: str, headers: dict[str, str], n: int) -> None:
        if path.startswith("/update"):
            seen.append(headers)
        return None

    proxy = faulty_proxy(_no_gsp(record))
    store = local_store()
    report = push(store, proxy.url + "/query", batch_triples=10)
    assert report.ok, [g.error for g in report.failed]
    assert report.method == "update"
    counts = local_counts(store)
    assert len(seen) == sum(-(-n // 10) for n in counts.values())  # one INSERT DATA per batch of 10
    assert all(h.get("Content-Type") == "application/sparql-update" for h in seen)
    assert all("SPARQLWrapper" in h.get("User-Agent", "") for h in seen)
    assert server_counts(oxigraph_server) == counts
    again = push(store, proxy.url + "/query", batch_triples=10)  # DROP SILENT first: nothing duplicated
    assert again.ok and server_counts(oxigraph_server) == counts


@pytest.mark.parametrize("kind", ["basic", "bearer"])
def test_update_fallback_sends_the_credentials(oxigraph_server: OxigraphServer, faulty_proxy, kind: str) -> None:
    token = "tok-" + SECRET
    expected = ("Basic " + base64.b64encode(f"kg:{SECRET}".encode()).decode()) if kind == "basic" \
        else f"Bearer {token}"
    proxy = faulty_proxy(_no_gsp(lambda m, p, h, n: None if h.get("Authorization") == expected else 401))
    creds = Credentials("kg", SECRET) if kind == "basic" else Credentials(token=token)
    report = push(local_store(), proxy.url + "/query", credentials=creds)
    assert report.ok and report.method == "update"
    with pytest.raises(PushError, match="HTTP 401"):
        push(local_store(), proxy.url + "/query", method="update", credentials=Credentials("kg", "wrong"))


def test_update_fallback_500s_are_retried_then_reported_per_graph(
        oxigraph_server: OxigraphServer, faulty_proxy) -> None:
    calls = {"updates": 0}

    def first_graph_only(method: str, path: str, headers: dict[str, str], n: int) -> int | None:
        if path.startswith("/update"):
            calls["updates"] += 1
            return None if calls["updates"] == 1 else 500
        return None

    proxy = faulty_proxy(first_graph_only)
    store = local_store()
    report = push(store, proxy.url + "/query", method="update", retries=2, backoff=0.01)
    graphs = sorted(local_counts(store))
    assert [g.graph for g in report.graphs if g.ok] == [graphs[0]]
    assert {g.graph for g in report.failed} == set(graphs[1:])
    assert all("HTTP 500" in (g.error or "") and "3 attempts" in (g.error or "") for g in report.failed)
    assert len(_updates(proxy)) == 1 + 3 * (len(graphs) - 1)  # every failing graph tried 1 + 2 times
    assert set(server_counts(oxigraph_server)) == {graphs[0]}


def test_update_fallback_retries_lost_connections_and_timeouts(oxigraph_server: OxigraphServer,
                                                               faulty_proxy) -> None:
    calls = {"updates": 0}

    def flaky(method: str, path: str, headers: dict[str, str], n: int) -> int | str | None:
        if path.startswith("/update"):
            calls["updates"] += 1
            return {1: "drop", 2: 503, 4: "hang", 6: "drop"}.get(calls["updates"])
        return None

    proxy = faulty_proxy(_no_gsp(flaky), hang_seconds=1.5)
    report = push(local_store(), proxy.url + "/query", timeout=0.5, retries=3, backoff=0.01)
    assert report.ok and report.method == "update", [g.error for g in report.failed]
    assert server_counts(oxigraph_server) == local_counts(local_store())


def test_update_fallback_server_gone_is_reported_for_every_graph(oxigraph_server: OxigraphServer,
                                                                faulty_proxy) -> None:
    proxy = faulty_proxy(lambda m, p, h, n: "drop" if p.startswith("/update") else None)
    report = push(local_store(), proxy.url + "/query", method="update", retries=1, backoff=0.01)
    assert len(report.failed) == len(report.graphs)
    errors = [g.error or "" for g in report.failed]
    assert "failed after 2 attempts" in errors[0] and errors[-1] == "not sent: the server stopped answering"


def test_update_fallback_verifies_tls_by_default(oxigraph_server: OxigraphServer, faulty_proxy,
                                                 tmp_path: Path) -> None:
    ctx, cert = _self_signed(tmp_path)
    proxy = faulty_proxy(lambda m, p, h, n: None, tls=ctx)
    with pytest.raises(PushError, match=r"TLS certificate of 127\.0\.0\.1:\d+ is not trusted") as info:
        push(local_store(), proxy.url + "/query", method="update", retries=3, backoff=0.01)
    assert "--ca-bundle" in (info.value.fix or "") and proxy.requests == []
    assert push(local_store(), proxy.url + "/query", method="update", ca_bundle=str(cert)).ok
    assert push(local_store(), proxy.url + "/query", method="update", verify_tls=False).ok


@pytest.mark.parametrize("status", [302, 303, 307])
def test_update_fallback_does_not_follow_redirects(oxigraph_server: OxigraphServer, faulty_proxy,
                                                   status: int) -> None:
    # a redirect would resend the credentials elsewhere (or turn the POST into a GET): it is reported instead
    def redirect(m: str, p: str, h: dict[str, str], n: int) -> tuple[int, bytes, dict[str, str]] | None:
        if p.startswith("/update"):
            return status, b"", {"Location": f"{proxy.url}/elsewhere"}
        return None

    proxy = faulty_proxy(redirect)
    report = push(local_store(), proxy.url + "/query", method="update", credentials=Credentials("kg", SECRET))
    assert len(report.failed) == len(report.graphs)
    assert all(f"HTTP {status}" in (g.error or "") for g in report.failed)
    assert not [p for _, p in proxy.requests if p.startswith("/elsewhere")]


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_a_graph_the_server_refuses_is_reported_with_its_reason(oxigraph_server: OxigraphServer, faulty_proxy,
                                                                method: str) -> None:
    store = local_store()
    order = sorted(local_counts(store))
    entities = "https://w3id.org/diplomacy-kg/id/graph/entities"

    def refuse_entities(m: str, p: str, h: dict[str, str], n: int) -> tuple[int, bytes] | None:
        hit = (m == "PUT" and urllib.parse.quote(entities, safe="") in p) if method == "gsp" else \
            (p.startswith("/update") and n == order.index(entities) + 1)
        return (400, b"parse error at line 3: unexpected '<'") if hit else None

    proxy = faulty_proxy(refuse_entities)
    report = push(store, proxy.url + "/query", method=method)
    [refused] = report.failed
    assert refused.graph == entities and refused.sent == 0
    assert refused.error and refused.error.startswith("HTTP 400 while ")
    assert refused.error.endswith("parse error at line 3: unexpected '<'")
    assert server_counts(oxigraph_server) == {g: n for g, n in local_counts(store).items() if g != entities}


# ---- credentials never leak, whatever the server does ----------------------------------------------

TOKEN = "tok-" + SECRET[::-1]


def _leaks(text: str) -> list[str]:
    basic = base64.b64encode(f"kg:{SECRET}".encode()).decode()
    return [s for s in (SECRET, TOKEN, basic) if s in text]


def _exception_text(exc: BaseException | None) -> str:
    """str and repr of an exception and of everything chained to it."""
    out = []
    while exc is not None:
        out += [str(exc), repr(exc), str(getattr(exc, "fix", "")), str(exc.args)]
        exc = exc.__cause__ or exc.__context__
    return " ".join(out)


@pytest.mark.parametrize("method", ["gsp", "update"])
@pytest.mark.parametrize("answer", [401, 500, "drop"])
@pytest.mark.parametrize("kind", ["basic", "bearer"])
def test_credentials_never_appear_in_errors_logs_or_output(
        oxigraph_server: OxigraphServer, faulty_proxy, caplog: pytest.LogCaptureFixture,
        capfd: pytest.CaptureFixture[str], method: str, answer: int | str, kind: str) -> None:
    # the server echoes what it got (the Authorization header, the URL) in its error bodies, as some do
    def echo(m: str, p: str, h: dict[str, str], n: int) -> int | str | tuple[int, bytes] | None:
        if not p.startswith(("/store", "/update")):
            return None
        if isinstance(answer, int):
            return answer, f"denied: Authorization={h.get('Authorization')} url=http://kg:{SECRET}@x{p}".encode()
        return answer

    proxy = faulty_proxy(echo)
    caplog.set_level(logging.DEBUG)
    creds = Credentials("kg", SECRET) if kind == "basic" else Credentials(token=TOKEN)
    endpoint = proxy.url.replace("//", f"//kg:{SECRET}@") + "/query"
    raised: BaseException | None = None
    report = None
    try:
        report = push(local_store(), endpoint, method=method, credentials=creds, retries=1, backoff=0.01)
    except PushError as exc:
        raised = exc
    assert (raised is not None) == (answer == 401)
    out, err = capfd.readouterr()
    text = " ".join([_exception_text(raised), caplog.text, out, err, repr(creds), str(creds),
                     *(f"{g!r} {g.error}" for g in (report.graphs if report else []))])
    text += " ".join(str(r.args) + r.getMessage() for r in caplog.records)
    assert not _leaks(text)
    if report is not None:
        assert len(report.failed) == len(report.graphs) and all(g.error for g in report.failed)


@pytest.mark.parametrize("answer", [401, 500, "drop"])
def test_cli_never_prints_the_password_or_token(oxigraph_server: OxigraphServer, faulty_proxy, tmp_path: Path,
                                                answer: int | str) -> None:
    from kg.cli import app

    proxy = faulty_proxy(lambda m, p, h, n: answer if p.startswith(("/store", "/update")) else None)
    store = str(kg_store(tmp_path / "s"))
    for extra, env in ((["--user", "kg"], {"KG_PUSH_PASSWORD": SECRET}), ([], {"KG_PUSH_TOKEN": TOKEN})):
        result = CliRunner().invoke(app, ["push", "--endpoint", proxy.url + "/query", "--retries", "0",
                                          "--store", store, *extra], env=env)
        assert result.exit_code == (2 if answer == 401 else 1), result.output
        assert not _leaks(result.output + _exception_text(result.exception))


def test_credentials_in_the_url_are_used_and_kept_out_of_the_url(oxigraph_server: OxigraphServer,
                                                                 faulty_proxy) -> None:
    proxy = faulty_proxy(_basic_auth("kg", SECRET))
    report = push(local_store(), proxy.url.replace("//", f"//kg:{SECRET}@") + "/query")
    assert report.ok and SECRET not in report.endpoint


def test_cli_refuses_an_untrusted_certificate_unless_told(oxigraph_server: OxigraphServer, faulty_proxy,
                                                          tmp_path: Path) -> None:
    from kg.cli import app

    ctx, cert = _self_signed(tmp_path)
    proxy = faulty_proxy(lambda m, p, h, n: None, tls=ctx)
    store = str(kg_store(tmp_path / "s"))
    base = ["push", "--endpoint", proxy.url + "/query", "--store", store]
    refused = CliRunner().invoke(app, base)
    assert refused.exit_code == 2
    assert "is not trusted" in refused.output and "--ca-bundle" in refused.output and proxy.requests == []
    trusted = CliRunner().invoke(app, [*base, "--ca-bundle", str(cert)])
    assert trusted.exit_code == 0, trusted.output
    insecure = CliRunner().invoke(app, [*base, "--insecure"])
    assert insecure.exit_code == 0 and "not verified" in insecure.output


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_a_graph_the_server_silently_drops_is_reported(oxigraph_server: OxigraphServer, faulty_proxy,
                                                       method: str) -> None:
    # the server says 204 No Content for the entities graph but never stores it: only the count check sees it
    store = local_store()
    order = sorted(local_counts(store))
    entities = "https://w3id.org/diplomacy-kg/id/graph/entities"

    def drop_entities(m: str, p: str, h: dict[str, str], n: int) -> int | None:
        if method == "gsp":
            return 204 if m == "PUT" and urllib.parse.quote(entities, safe="") in p else None
        return 204 if p.startswith("/update") and n == order.index(entities) + 1 else None  # one request a graph

    proxy = faulty_proxy(drop_entities)
    report = push(store, proxy.url + "/query", method=method)
    [lost] = report.failed
    assert lost.graph.endswith("/graph/entities") and lost.sent == lost.expected == 13
    assert lost.error == "server has 0 triples, 13 were sent"
    assert len(report.graphs) - 1 == sum(g.ok for g in report.graphs)


def test_update_fallback_server_that_always_hangs_times_out_per_graph(oxigraph_server: OxigraphServer,
                                                                      faulty_proxy) -> None:
    proxy = faulty_proxy(lambda m, p, h, n: "hang" if p.startswith("/update") else None, hang_seconds=1.0)
    report = push(local_store(), proxy.url + "/query", method="update", timeout=0.3, retries=1, backoff=0.01)
    assert len(report.failed) == len(report.graphs)
    assert "timed out" in (report.graphs[0].error or "")
    assert all("timed out" in (g.error or "") or "not sent" in (g.error or "") for g in report.failed)
