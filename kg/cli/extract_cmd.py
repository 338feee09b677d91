"""``kg extract``: one article to its RDF graph, no store needed."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kg.cli.common import run
from kg.vocab import DEFAULT_BASE_IRI


def register(app: typer.Typer) -> None:
    @app.command("extract")
    def extract_cmd(
        file: str = typer.Argument(..., help="Article file (.txt page dump, .html, .json), or - for stdin."),
        fmt: str = typer.Option("turtle", "--format", "-f", help="turtle | trig | nt | nquads | jsonld"),
        out: Path | None = typer.Option(None, "-o", "--output", help="Write here instead of stdout."),
        base_iri: str = typer.Option(DEFAULT_BASE_IRI, "--base-iri", help="Base for minted IRIs."),
    ) -> None:
        """Extract one article's leaders, countries, meetings and pledges as RDF."""
        from kg.pipeline import extract_file

        run(lambda: extract_file(file, out if out is not None else sys.stdout.buffer, fmt, base_iri))
        sys.stdout.flush()
