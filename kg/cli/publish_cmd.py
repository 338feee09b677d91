"""``kg export``, ``kg publish``, ``kg push``, ``kg serve``: the graph leaves the embedded store."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from kg.cli.common import StoreOpt, err, fail, run
from kg.errors import PushError

T = TypeVar("T")


def _with_store(store_dir: Path | None, fn: Callable[[Any], T]) -> T:
    """Open the store read-only (others may read it too), run ``fn`` on it, close it."""
    from kg.store import open_store

    with open_store(store_dir, read_only=True) as store:
        return fn(store)


def _secret(var: str) -> str | None:
    return os.environ.get(var) or None


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_cmd(
        fmt: str = typer.Option("turtle", "--format", "-f", help="turtle | trig | nquads | nt | jsonld"),
        out: Path | None = typer.Option(None, "-o", "--output", help="Write here instead of stdout."),
        article: str | None = typer.Option(None, "--article", help="Only this article's graph (its key)."),
        site: Path | None = typer.Option(None, "--site", help="Write the linked-data folder here instead."),
        base_iri: str | None = typer.Option(None, "--base-iri", help="Base IRI (default: the store's)."),
        store_dir: StoreOpt = None,
    ) -> None:
        """The graph as Turtle / TriG / N-Quads / N-Triples / JSON-LD, or a publishable folder (--site)."""
        from kg.publish import export, publish_site

        if site is not None:
            report = run(lambda: _with_store(store_dir, lambda s: publish_site(
                s, site, base_iri=base_iri or s.base_iri)))
            err.print(f"wrote {report.resources} resource pages, {report.files} files to {site}")
            return

        def go(store: Any) -> Any:
            graph = store.article_graph(article) if article else None
            target = out if out is not None else sys.stdout.buffer
            return export(store, target, fmt, graph=graph, base_iri=base_iri or store.base_iri)

        report = run(lambda: _with_store(store_dir, go))
        sys.stdout.buffer.flush()
        if out is not None:
            err.print(f"wrote {report.statements} statements ({report.bytes:,} bytes) to {out}")

    @app.command("publish")
    def publish_cmd(
        out_dir: Path = typer.Argument(..., help="Folder to write the site into."),
        base_iri: str | None = typer.Option(None, "--base-iri", help="Base IRI (default: the store's)."),
        site_url: str | None = typer.Option(None, "--site-url", help="URL the folder is served at."),
        sparql: str | None = typer.Option(None, "--sparql-endpoint", help="Public SPARQL endpoint, for VoID."),
        store_dir: StoreOpt = None,
    ) -> None:
        """A static linked-data folder: dumps, a page per resource, ontology docs, VoID."""
        from kg.publish import publish_site

        report = run(lambda: _with_store(store_dir, lambda s: publish_site(
            s, out_dir, base_iri=base_iri or s.base_iri, site_url=site_url, sparql_endpoint=sparql)))
        err.print(f"wrote {report.resources} resource pages, {report.files} files, "
                  f"{report.triples} triples to {out_dir}")
        if report.skipped:
            err.print(f"[yellow]skipped {len(report.skipped)} resources whose IRI is not a safe file path, "
                      f"e.g. {report.skipped[0]}[/yellow]")

    @app.command("push")
    def push_cmd(
        endpoint: str = typer.Option(..., "--endpoint", help="SPARQL query URL (Oxigraph: .../query)."),
        gsp: str | None = typer.Option(None, "--gsp", help="Graph Store Protocol URL (Oxigraph: .../store)."),
        update: str | None = typer.Option(None, "--update", help="SPARQL Update URL (Oxigraph: .../update)."),
        user: str | None = typer.Option(None, "--user", envvar="KG_PUSH_USER", help="HTTP basic user."),
        password_env: str = typer.Option("KG_PUSH_PASSWORD", "--password-env",
                                         help="Environment variable holding the password."),
        token_env: str = typer.Option("KG_PUSH_TOKEN", "--token-env",
                                      help="Environment variable holding a bearer token."),
        method: str = typer.Option("auto", "--method", help="auto | gsp | update"),
        batch: int = typer.Option(50_000, "--batch-triples", help="Triples per request."),
        timeout: float = typer.Option(60.0, "--timeout", help="Seconds per request."),
        retries: int = typer.Option(5, "--retries", help="Retries on 5xx, timeouts, lost connections."),
        insecure: bool = typer.Option(False, "--insecure", help="Do not verify TLS certificates."),
        ca_bundle: Path | None = typer.Option(None, "--ca-bundle", help="PEM file of CA certificates to trust."),
        store_dir: StoreOpt = None,
    ) -> None:
        """Copy every graph into an external triplestore, then check the counts there."""
        from kg.publish.http_client import Credentials
        from kg.push import push

        if insecure:
            err.print("[yellow]warning: TLS certificates are not verified (--insecure)[/yellow]")
        password, token = _secret(password_env), _secret(token_env)
        if password and not user:
            raise fail(PushError(f"${password_env} is set but no user is given",
                                 fix="pass --user or set KG_PUSH_USER"))
        creds = Credentials(user=user, password=password, token=token)
        report = run(lambda: _with_store(store_dir, lambda s: push(
            s, endpoint, gsp_endpoint=gsp, update_endpoint=update, credentials=creds, batch_triples=batch,
            method=method, timeout=timeout, retries=retries, verify_tls=not insecure,
            ca_bundle=str(ca_bundle) if ca_bundle else None)))
        for g in report.failed:
            err.print(f"[red]failed:[/red] {g.graph or '(default graph)'}: {g.error}", soft_wrap=True)
        ok = len(report.graphs) - len(report.failed)
        err.print(f"pushed {report.triples_sent:,} triples in {ok}/{len(report.graphs)} graphs "
                  f"via {report.method} in {report.seconds:.1f} s ({report.triples_per_second:,.0f} triples/s)")
        if report.failed:
            raise typer.Exit(1)

    @app.command("serve")
    def serve_cmd(
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (loopback by default)."),
        port: int = typer.Option(7878, "--port", help="TCP port."),
        query_timeout: float = typer.Option(30.0, "--query-timeout", min=0.001,
                                            help="Seconds a query may run; longer ones are stopped (HTTP 503)."),
        store_dir: StoreOpt = None,
    ) -> None:
        """A read-only SPARQL endpoint over the store at http://HOST:PORT/sparql."""
        from kg.serve import serve

        if host not in ("127.0.0.1", "localhost", "::1"):
            err.print(f"[yellow]warning: binding {host}: the endpoint is reachable from the network[/yellow]")
        err.print(f"SPARQL endpoint at http://{host}:{port}/sparql (Ctrl-C to stop)")
        run(lambda: _with_store(store_dir, lambda s: serve(s, host, port, query_timeout=query_timeout)))
