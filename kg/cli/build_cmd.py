"""``kg build`` (the pipeline on a Dask cluster, to N-Quads shards) and ``kg load`` (shards into the store).

Exit codes: 0 success; 1 some inputs were rejected (build); 2 the command could not run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import StoreOpt, err, run, say
from kg.cli.extract_cmd import published_option
from kg.vocab import DEFAULT_BASE_IRI

BUILD_EXAMPLES = ("Examples:\n\n  kg build samples/ --out shards/\n"
                  "  kg build s3://bucket/news/ --out shards/ --scheduler tcp://10.0.0.5:8786\n"
                  "  kg load shards/ --store kg-data")
LOAD_EXAMPLES = "Examples:\n\n  kg load shards/\n  kg load shards/ --store big-kg"


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar on stderr when it is a terminal; None (silent) otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def register(app: typer.Typer) -> None:
    @app.command("build", epilog=BUILD_EXAMPLES)
    def build_cmd(
        paths: Annotated[list[str], typer.Argument(
            metavar="PATH", help="Article files or folders, or fsspec URLs (s3://…, gs://… with their extras).")],
        out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR",
                                          help="Folder for the shards (DIR/part-*.nq.gz), rejects and manifest.")],
        scheduler: Annotated[str | None, typer.Option(
            "--scheduler", metavar="URL",
            help="Dask scheduler address (tcp://HOST:PORT); default: a local cluster.")] = None,
        workers: Annotated[int | None, typer.Option(
            "--workers", "-w", min=1, metavar="N",
            help="Worker processes of the local cluster (default: CPU count).")] = None,
        base_iri: str = typer.Option(DEFAULT_BASE_IRI, "--base-iri", metavar="IRI", help="Base for minted IRIs."),
        published: str | None = typer.Option(
            None, "--published", metavar="DATE", callback=published_option,
            help="Publication date for articles that carry none (fills in only)."),
    ) -> None:
        """Read, extract, validate (SHACL) and merge articles on a Dask cluster; write canonical N-Quads shards.

        zcat DIR/part-*.nq.gz is what `kg export --format nquads` writes after `kg ingest` of the same input,
        zcat DIR/view-*.nt.gz what `kg export --format nt` writes (the merged view the stored queries read);
        rejects go to DIR/rejects.jsonl. Load with `kg load DIR`, or another store's loader (docs/SCALING.md).
        """
        from kg.build import BuildReport, build
        from kg.read import parse_published

        when = parse_published(published) if published else None

        def work() -> BuildReport:
            with _bar("building") as progress:
                return build(paths, out, scheduler=scheduler, workers=workers, base_iri=base_iri,
                             published=when, progress=progress)

        report = run(work)
        if report.rejected:
            say(f"{report.rejected} inputs rejected (see {out / 'rejects.jsonl'})", label="rejected:",
                style="yellow")
        say(report.summary())
        if report.rejected:
            raise typer.Exit(1)

    @app.command("load", epilog=LOAD_EXAMPLES)
    def load_cmd(
        folder: Annotated[Path, typer.Argument(metavar="DIR", help="The output folder of `kg build`.")],
        store: StoreOpt = None,
    ) -> None:
        """Bulk-load the shards of `kg build` into the store, which then answers as after `kg ingest`."""
        from kg.build import LoadReport, load
        from kg.build.shards import read_manifest
        from kg.store import open_store

        def work() -> LoadReport:
            base = read_manifest(folder).get("base_iri") or DEFAULT_BASE_IRI
            with open_store(store, base_iri=str(base)) as st, _bar("loading") as progress:
                return load(st, folder, progress)

        say(run(work).summary())
