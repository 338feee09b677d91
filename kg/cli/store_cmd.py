"""``kg ingest``, ``kg queries``, ``kg query`` and ``kg stats``: the embedded store and its queries.

Exit codes: 0 success; 1 some articles were rejected (ingest); 2 a fatal error,
including "store is locked" when another kg process is writing the same store.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kg.cli.common import StoreOpt, err, fail, progress, run
from kg.vocab import DEFAULT_BASE_IRI

out = Console(highlight=False, soft_wrap=True)


def _params(pairs: list[str]) -> dict[str, str]:
    from kg.errors import QueryError

    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {pair!r} is not KEY=VALUE", fix="e.g. --param country=FR")
        params[key.strip()] = value
    return params


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        paths: Annotated[list[Path], typer.Argument(help="Article files or folders (read recursively).")],
        store: StoreOpt = None,
        workers: Annotated[int | None, typer.Option(
            "--workers", "-w", min=1, help="Worker processes for extraction (default: CPU count).")] = None,
        base_iri: str = typer.Option(DEFAULT_BASE_IRI, "--base-iri", help="Base for minted IRIs."),
    ) -> None:
        """Extract, validate (SHACL) and store articles; rejects go to <store>/quarantine.jsonl."""
        from kg.ingest import Ingest, IngestReport
        from kg.store import open_store

        def work() -> IngestReport:
            with open_store(store, base_iri=base_iri) as st:
                batch = Ingest(st, paths, workers=workers)
                for outcome in progress(batch, batch.total, "ingesting"):
                    if outcome.reject is not None:
                        err.print(f"[yellow]rejected:[/yellow] {outcome.reject.line()}", soft_wrap=True)
                return batch.report

        report = run(work)
        err.print(report.summary(), soft_wrap=True)
        if report.rejects:
            raise typer.Exit(1)

    @app.command("queries")
    def queries_cmd() -> None:
        """List the stored queries with their summaries and parameters."""
        from kg.query import list_queries

        for q in run(list_queries):
            params = " ".join(f"{p.name}=" + ("VALUE" if p.required else f"[{p.default or 'optional'}]")
                              for p in q.params)
            out.print(f"[bold]{q.name}[/bold] {params}".rstrip())
            out.print(f"    {q.summary}")

    @app.command("query")
    def query_cmd(
        query: str = typer.Argument(..., help="A stored query name (see `kg queries`) or a .rq file."),
        param: Annotated[list[str] | None, typer.Option(
            "--param", "-p", help="KEY=VALUE for a ?_KEY parameter; repeatable.")] = None,
        endpoint: Annotated[str | None, typer.Option(
            "--endpoint", "-e", help="Run on this SPARQL endpoint URL instead of the store.")] = None,
        fmt: Annotated[str, typer.Option(
            "--format", "-f", help="table | csv | tsv | json (SPARQL 1.1 JSON results).")] = "table",
        store: StoreOpt = None,
        allow_update: Annotated[bool, typer.Option(
            "--allow-update", help="Allow a SPARQL Update to change the data.")] = False,
    ) -> None:
        """Run a stored or ad-hoc SPARQL query on the store or an endpoint."""
        from kg.errors import QueryError
        from kg.query import FORMATS, execute

        if fmt not in FORMATS:
            raise fail(QueryError(f"unknown format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}"))
        params = run(lambda: _params(param or []))
        result = run(lambda: execute(query, params, store=store, endpoint=endpoint,
                                     allow_update=allow_update))
        if result.updated:
            err.print("update applied")
        elif fmt == "table":
            out.print(result.to_table())
            err.print(f"{len(result)} rows, {result.seconds * 1000:.0f} ms")
        else:
            sys.stdout.write(result.render(fmt))

    @app.command("stats")
    def stats_cmd(
        store: StoreOpt = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
    ) -> None:
        """Graphs, statements, articles and instances per class in the store."""
        from kg.store import open_store

        def work() -> dict[str, object]:
            with open_store(store, read_only=True) as st:
                return st.stats()

        stats = run(work)
        if as_json:
            sys.stdout.write(json.dumps(stats, indent=2) + "\n")
            return
        classes = stats.pop("classes")
        for key, value in stats.items():
            out.print(f"{key:>14}  {value}")
        assert isinstance(classes, dict)
        for key, value in classes.items():
            out.print(f"{'dip:' + key:>14}  {value}")
