"""``kg ingest``, ``kg queries``, ``kg query`` and ``kg stats``: the embedded store and its queries.

Exit codes: 0 success; 1 some articles were rejected (ingest); 2 a fatal error,
including "store is locked" when another kg process is writing the same store.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from kg.cli.common import EXAMPLES, StoreOpt, fail, progress, run, say
from kg.cli.extract_cmd import published_option
from kg.vocab import DEFAULT_BASE_IRI

if TYPE_CHECKING:
    from kg.ingest import IngestReport, Outcome
    from kg.store import Store

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


def _print_stats(stats: dict[str, object]) -> None:
    """Two aligned columns: the store's numbers, then instances per class."""
    classes = stats.get("classes")
    assert isinstance(classes, dict)
    rows: list[tuple[str, str]] = [
        ("store", str(stats["store"])),
        ("base IRI", str(stats["base_iri"])),
        ("articles", f"{stats['articles']:,}"),
        ("rejected", f"{stats['rejected']:,} (lines in quarantine.jsonl)"),
        ("statements", f"{stats['statements']:,} (what kg export writes as TriG or N-Quads)"),
        ("triples", f"{stats['triples']:,} (distinct: what kg export writes as Turtle or N-Triples)"),
        ("graphs", f"{stats['graphs']:,} (one per article, entities, merged reports, ontology)"),
        ("sameAs links", f"{stats['same_as_links']:,} (reports of one meeting or pledge in several articles)"),
    ]
    rows += [(f"dip:{name}", f"{count:,}") for name, count in classes.items()]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        say(f"{name:<{width}}  {value}", console=out)


def _watch(store: Store, folder: Path, report: IngestReport, settle: float, workers: int | None,
           published: datetime | None) -> None:
    """``--watch``: ingest what appears in ``folder`` until Ctrl-C or SIGTERM; adds to ``report``."""
    import signal

    from kg.watch import watch

    signals: list[int] = []

    def stop(signum: int, frame: object) -> None:
        if signals:  # a second Ctrl-C: stop now (the store stays consistent: its journal undoes a half batch)
            raise KeyboardInterrupt
        signals.append(signum)
        say("stopping after the batch being stored (Ctrl-C again to stop at once)")

    def shown(outcome: Outcome) -> None:
        if outcome.reject is not None:
            say(outcome.reject.line(), label="rejected:", style="yellow")
        else:
            say(f"{outcome.source} ({outcome.key})", label="stored:", style="green")

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    say(f"watching {folder} (Ctrl-C to stop)")
    try:
        done = watch(store, folder, settle=settle, workers=workers, published=published, on_outcome=shown,
                     stopped=lambda: bool(signals))
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    report.stored += done.stored
    report.rejects.extend(done.rejects)
    report.keys.extend(done.keys)
    report.seconds += done.seconds
    report.quads = store.quad_count()
    say(done.summary())


def register(app: typer.Typer) -> None:
    @app.command("ingest", epilog=EXAMPLES["ingest"])
    def ingest_cmd(
        paths: Annotated[list[Path] | None, typer.Argument(
            metavar="PATH", help="Article files or folders (read recursively).")] = None,
        store: StoreOpt = None,
        workers: Annotated[int | None, typer.Option(
            "--workers", "-w", min=1, metavar="N",
            help="Worker processes for extraction (default: CPU count).")] = None,
        base_iri: str = typer.Option(DEFAULT_BASE_IRI, "--base-iri", metavar="IRI", help="Base for minted IRIs."),
        published: str | None = typer.Option(
            None, "--published", metavar="DATE", callback=published_option,
            help="Publication date (e.g. 2025-03-05) for articles that carry none; fills in only, "
                 "never overrides a date an article gives."),
        watch_dir: Annotated[Path | None, typer.Option(
            "--watch", metavar="DIR",
            help="Then keep ingesting the files that appear in DIR (or change), until Ctrl-C or SIGTERM. "
                 "A file is read once its size and time stayed the same for --settle seconds; "
                 "dotfiles and .part/.tmp files are never read.")] = None,
        settle: Annotated[float, typer.Option(
            "--settle", min=0.0, metavar="SECONDS", help="With --watch: how long a file must stay unchanged.")] = 2.0,
    ) -> None:
        """Extract, validate (SHACL) and store articles; rejects go to <store>/quarantine.jsonl.

        Readers (kg serve, kg query, the Python API) keep working meanwhile and see each batch once committed.
        """
        from kg.api import open_store
        from kg.errors import ReadError
        from kg.ingest import Ingest, check_paths
        from kg.read import parse_published

        when = parse_published(published) if published else None
        if not paths and watch_dir is None:
            raise fail(ReadError("nothing to ingest", fix="give files or folders, or --watch DIR"))

        def work() -> IngestReport:
            check_paths([*(paths or []), *([watch_dir] if watch_dir else [])])  # a typo stops it first
            with open_store(store, base_iri=base_iri) as st:
                batch = Ingest(st.store, paths or [], workers=workers, published=when)
                for outcome in progress(batch, batch.total, "ingesting"):
                    if outcome.reject is not None:
                        say(outcome.reject.line(), label="rejected:", style="yellow")
                if watch_dir is not None:
                    _watch(st.store, watch_dir, batch.report, settle, workers, when)
                return batch.report

        report = run(work)
        say(report.summary())
        if report.rejects:
            raise typer.Exit(1)

    @app.command("queries", epilog=EXAMPLES["queries"])
    def queries_cmd() -> None:
        """List the stored queries: what each answers, its parameters and what they accept, an example."""
        from kg.query import list_queries

        for q in run(list_queries):
            say(q.name, style="bold", console=out)
            say(f"    {q.summary}", console=out)
            for p in q.params:
                need = "required" if p.required else (f"default: {p.default}" if p.default else "optional")
                say(f"    --param {p.name}=…  ({need}) {p.description}".rstrip(), console=out)
            say(f"    e.g. kg query {q.name} {q.example}".rstrip(), console=out)

    @app.command("query", epilog=EXAMPLES["query"])
    def query_cmd(
        query: str = typer.Argument(..., metavar="NAME|FILE.rq",
                                    help="A stored query name (see `kg queries`) or a .rq file."),
        param: Annotated[list[str] | None, typer.Option(
            "--param", "-p", metavar="KEY=VALUE",
            help="A value for the query's parameter KEY (see `kg queries`); repeatable.")] = None,
        endpoint: Annotated[str | None, typer.Option(
            "--endpoint", "-e", metavar="URL",
            help="Run on this SPARQL endpoint (its query URL, or a server's root URL) instead of the store.")] = None,
        fmt: Annotated[str, typer.Option(
            "--format", "-f", metavar="FORMAT", help="table | csv | tsv | json (SPARQL 1.1 JSON results).")] = "table",
        store: StoreOpt = None,
        allow_update: Annotated[bool, typer.Option(
            "--allow-update", help="Allow a SPARQL Update to change the data.")] = False,
        exact: Annotated[bool, typer.Option(
            "--exact", help="Compare name parameters as given (no surname, alias or spelling lookup).")] = False,
    ) -> None:
        """Run a stored or ad-hoc SPARQL query on the store or an endpoint.

        A name parameter (leader, country, org, a/b) may be a surname, alias or spelling variant in
        any case or accents; an ambiguous or unknown name is an error (exit 2) naming the candidates.
        """
        from kg.errors import QueryError
        from kg.query import FORMATS, execute

        if fmt not in FORMATS:
            raise fail(QueryError(f"unknown format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}"))
        params = run(lambda: _params(param or []))
        result = run(lambda: execute(query, params, store=store, endpoint=endpoint,
                                     allow_update=allow_update, resolve_names=not exact))
        if result.updated:
            say("update applied")
        elif fmt == "table":
            out.print(result.to_table())
            say(f"{len(result)} rows, {result.seconds * 1000:.0f} ms")
        else:
            sys.stdout.write(result.render(fmt))

    @app.command("stats", epilog=EXAMPLES["stats"])
    def stats_cmd(
        store: StoreOpt = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
    ) -> None:
        """Articles, rejects, statements and triples (as kg export counts them), graphs, instances per class."""
        from kg.api import open_store

        def work() -> dict[str, object]:
            with open_store(store, read_only=True) as st:  # the last committed batch, also while kg ingest runs
                return st.stats()

        stats = run(work)
        if as_json:
            sys.stdout.write(json.dumps(stats, indent=2) + "\n")
            return
        _print_stats(stats)
