"""``kg export``, ``kg publish``, ``kg push``, ``kg serve``: the graph leaves the embedded store."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from kg.cli.common import EXAMPLES, StoreOpt, fail, run, say
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
    @app.command("export", epilog=EXAMPLES["export"])
    def export_cmd(
        fmt: str = typer.Option("turtle", "--format", "-f",
                                help="turtle | trig | nquads | nt | jsonld | plover (PLOVER event records, "
                                     "JSON Lines) | schemaorg (schema.org JSON-LD)"),
        out: Path | None = typer.Option(None, "-o", "--output", help="Write here instead of stdout."),
        article: str | None = typer.Option(None, "--article", metavar="KEY|FILE",
                                           help="Only this article's graph: its key or file name (`kg articles`)."),
        site: Path | None = typer.Option(None, "--site", help="Write the linked-data folder here instead."),
        base_iri: str | None = typer.Option(None, "--base-iri", help="Base IRI (default: the store's)."),
        store_dir: StoreOpt = None,
    ) -> None:
        """The graph as Turtle / TriG / N-Quads / N-Triples / JSON-LD, PLOVER or schema.org, or a folder (--site)."""
        from kg.publish import export, publish_site

        if site is not None:
            report = run(lambda: _with_store(store_dir, lambda s: publish_site(
                s, site, base_iri=base_iri or s.base_iri)))
            say(f"wrote {report.resources} resource pages, {report.files} files to {site}")
            return

        def go(store: Any) -> Any:
            from kg.publish.rebase import rebase_iri, rebased, with_slash
            from kg.store.articles import find_article

            graph = store.article_graph(find_article(store, article).key) if article else None
            target = out if out is not None else sys.stdout.buffer
            old, new = with_slash(store.base_iri), with_slash(base_iri or store.base_iri)
            with rebased(store, old, new) as view:  # another --base-iri: every IRI minted under the old one moves
                return export(view, target, fmt, graph=graph and rebase_iri(graph, old, new), base_iri=new)

        report = run(lambda: _with_store(store_dir, go))
        sys.stdout.buffer.flush()
        what = {"plover": "PLOVER records", "schemaorg": "schema.org nodes"}.get(report.format, "statements")
        if out is not None:
            say(f"wrote {report.statements} {what} ({report.bytes:,} bytes) to {out}")
        if report.skipped:
            say(f"skipped {report.skipped} meetings or pledges with no date at all (PLOVER requires a date)",
                style="yellow")

    @app.command("publish", epilog=EXAMPLES["publish"])
    def publish_cmd(
        out_dir: Path = typer.Argument(..., help="Folder to write the site into."),
        base_iri: str | None = typer.Option(None, "--base-iri", help="Base IRI (default: the store's)."),
        site_url: str | None = typer.Option(None, "--site-url", help="URL the folder is served at."),
        sparql: str | None = typer.Option(None, "--sparql-endpoint", help="Public SPARQL endpoint, for VoID."),
        store_dir: StoreOpt = None,
    ) -> None:
        """A static linked-data folder: dumps, a page per resource in words, timeline, network, map, search."""
        from kg.publish import publish_site

        report = run(lambda: _with_store(store_dir, lambda s: publish_site(
            s, out_dir, base_iri=base_iri or s.base_iri, site_url=site_url, sparql_endpoint=sparql)))
        say(f"wrote {report.resources} resource pages, {report.files} files, "
            f"{report.triples} triples to {out_dir}")
        if report.skipped:
            say(f"skipped {len(report.skipped)} resources whose IRI is not a safe file path, "
                f"e.g. {report.skipped[0]}", style="yellow")
        if report.missing_libraries:
            say(f"the views (timeline, network, map) lack their browser libraries ({report.missing_libraries[0]} ...): "
                "run `npm ci --prefix web` and publish again", label="warning:", style="yellow")

    @app.command("push", epilog=EXAMPLES["push"])
    def push_cmd(
        endpoint: str = typer.Option(..., "--endpoint",
                                     help="The server's root URL (its query, update and Graph Store URLs are "
                                          "found) or its SPARQL query URL (Oxigraph: .../query)."),
        gsp: str | None = typer.Option(None, "--gsp", help="Graph Store Protocol URL (Oxigraph: .../store)."),
        update: str | None = typer.Option(None, "--update", help="SPARQL Update URL (Oxigraph: .../update)."),
        user: str | None = typer.Option(None, "--user", envvar="KG_PUSH_USER",
                                        help="User for HTTP authentication (basic; digest where the server "
                                             "asks for it, as Virtuoso does)."),
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
        dry_run: bool = typer.Option(False, "--dry-run", help="List the graphs and their counts; send nothing."),
        store_dir: StoreOpt = None,
    ) -> None:
        """Copy every graph into an external triplestore, then check the counts there."""
        from kg.publish.http_client import Credentials
        from kg.push import push

        if insecure:
            say("TLS certificates are not verified (--insecure)", label="warning:", style="yellow")
        password, token = _secret(password_env), _secret(token_env)
        if password and not user:
            raise fail(PushError(f"${password_env} is set but no user is given",
                                 fix="pass --user or set KG_PUSH_USER"))
        creds = run(lambda: Credentials(user=user, password=password, token=token))  # checked: one line, unseen
        report = run(lambda: _with_store(store_dir, lambda s: push(
            s, endpoint, gsp_endpoint=gsp, update_endpoint=update, credentials=creds, batch_triples=batch,
            method=method, timeout=timeout, retries=retries, verify_tls=not insecure,
            ca_bundle=str(ca_bundle) if ca_bundle else None, dry_run=dry_run)))
        if report.dry_run:
            for g in report.graphs:
                sys.stdout.write(f"{g.expected}\t{g.graph or '(default graph: the merged view)'}\n")
            say(f"would push {report.triples_expected:,} triples in {len(report.graphs)} graphs (dry run: "
                "nothing sent)")
            return
        for g in report.failed:
            say(f"{g.graph or '(default graph)'}: {g.error}", label="failed:", style="red")
        ok = len(report.graphs) - len(report.failed)
        say(f"pushed {report.triples_sent:,} triples in {ok}/{len(report.graphs)} graphs "
            f"via {report.method}{'' if report.product == 'unknown' else f' ({report.product})'} "
            f"in {report.seconds:.1f} s ({report.triples_per_second:,.0f} triples/s)")
        if report.failed:
            raise typer.Exit(1)

    @app.command("serve", epilog=EXAMPLES["serve"])
    def serve_cmd(
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (loopback by default)."),
        port: int = typer.Option(7878, "--port", help="TCP port."),
        query_timeout: float = typer.Option(30.0, "--query-timeout", min=0.001,
                                            help="Seconds a query may run; longer ones are stopped (HTTP 503)."),
        allow_service: list[str] = typer.Option([], "--allow-service", metavar="HOST",
                                                help="Let SERVICE (federated) queries call this host; repeatable. "
                                                     "Off by default: the server calls no other server."),
        allow_host: list[str] = typer.Option([], "--allow-host", metavar="NAME",
                                             help="A DNS name clients use for this server (besides IP addresses "
                                                  "and localhost); repeatable. Other Host headers get 403."),
        max_result_mb: float = typer.Option(100, "--max-result-mb", min=0.001, metavar="MB",
                                            help="Largest result a query may return (HTTP 503 beyond)."),
        query_memory_mb: int = typer.Option(2048, "--query-memory-mb", min=64, metavar="MB",
                                            help="Memory a query process may use (HTTP 503 beyond)."),
        store_dir: StoreOpt = None,
    ) -> None:
        """A read-only SPARQL endpoint at http://HOST:PORT/sparql; pages, views, query forms at http://HOST:PORT/."""
        from kg.serve import serve

        if host not in ("127.0.0.1", "localhost", "::1"):
            say(f"binding {host}: the endpoint is reachable from the network", label="warning:", style="yellow")

        def ready(url: str) -> None:  # only once the port is really ours
            say(f"SPARQL endpoint at {url} (Ctrl-C to stop); pages and views at {url.rsplit('/sparql', 1)[0]}/")

        run(lambda: _with_store(store_dir, lambda s: serve(
            s, host, port, query_timeout=query_timeout, on_ready=ready, allow_service=allow_service,
            allow_hosts=allow_host, max_result_mb=max_result_mb, query_memory_mb=query_memory_mb)))
