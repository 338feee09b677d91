"""``kg extract``: one article to its RDF graph, no store needed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from kg.cli.common import EXAMPLES, fail, run
from kg.errors import ReadError
from kg.vocab import DEFAULT_BASE_IRI


def published_option(value: str | None) -> str | None:
    """``--published``: refused with a usage error (exit 2) naming the option when it is not a date."""
    from kg.read import parse_published

    if value is not None:
        try:
            parse_published(value)
        except ReadError as exc:
            raise typer.BadParameter(f"{value!r} is not a date ({exc.fix})") from None
    return value


def register(app: typer.Typer) -> None:
    @app.command("extract", epilog=EXAMPLES["extract"])
    def extract_cmd(
        file: str = typer.Argument(..., metavar="FILE",
                                   help="Article file (.txt page dump, .html, .json), or - for stdin."),
        fmt: str = typer.Option("turtle", "--format", "-f", metavar="FORMAT",
                                help="turtle | trig | nt | nquads | jsonld | plover | schemaorg"),
        out: Path | None = typer.Option(None, "-o", "--output", metavar="FILE", help="Write here instead of stdout."),
        base_iri: str = typer.Option(DEFAULT_BASE_IRI, "--base-iri", metavar="IRI", help="Base for minted IRIs."),
        published: str | None = typer.Option(
            None, "--published", metavar="DATE", callback=published_option,
            help="Publication date (e.g. 2025-03-05) for an article that carries none; fills in only, "
                 "never overrides a date the article gives. Resolves 'on Monday', 'yesterday'."),
    ) -> None:
        """Extract one article's leaders, countries, meetings and pledges as RDF."""
        from kg.ingest import shown_path
        from kg.pipeline import extract_file
        from kg.read import parse_published

        try:
            os.path.basename(file.rstrip("/")).encode("utf-8")
        except UnicodeEncodeError:  # the name would be the article's source: refuse it, named with escapes
            raise fail(ReadError("file name is not valid UTF-8", where=shown_path(file),
                                 fix="rename the file")) from None
        when = parse_published(published) if published else None
        run(lambda: extract_file(file, out if out is not None else sys.stdout.buffer, fmt, base_iri, when))
        sys.stdout.flush()
