"""``kg validate`` (SHACL) and ``kg reason`` (OWL consistency).

Exit codes: 0 conforms / consistent, 1 violations / inconsistent, 2 error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import EXAMPLES, StoreOpt, fail, run


def register(app: typer.Typer) -> None:
    @app.command("validate", epilog=EXAMPLES["validate"])
    def validate_cmd(
        file: Annotated[Path | None, typer.Argument(
            help="RDF file (.ttl, .trig, .nt, .nq, .jsonld); without it, the whole store.")] = None,
        store: StoreOpt = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="text | turtle (the SHACL report graph)")] = "text",
    ) -> None:
        """SHACL report for a file or the store: exit 0 conforms, 1 violations, 2 error."""
        from kg.errors import KgError
        from kg.validate import Report, validate, validate_file

        if fmt not in ("text", "turtle"):
            raise fail(KgError(f"unknown report format {fmt!r}", fix="use text or turtle"))

        def _run() -> Report:
            if file is not None:
                return validate_file(file)
            from kg.store import open_store

            with open_store(store, read_only=True) as st:
                return validate(st.union_graph())

        report = run(_run)
        if fmt == "turtle":
            sys.stdout.buffer.write(report.report_graph.serialize(format="turtle", encoding="utf-8"))
        else:
            sys.stdout.write(report.text() + "\n")
        raise typer.Exit(0 if report.conforms else 1)

    @app.command("reason", epilog=EXAMPLES["reason"])
    def reason_cmd(
        data: Annotated[Path | None, typer.Argument(
            help="Optional RDF data file to check together with the ontology.")] = None,
    ) -> None:
        """OWL consistency (HermiT) of the ontology, or of the ontology plus a data graph."""
        from kg.reason import reason
        from kg.validate import load_graph

        report = run(lambda: reason(load_graph(data) if data is not None else None))
        (sys.stdout if report.ok else sys.stderr).write(report.text() + "\n")
        raise typer.Exit(0 if report.ok else 1)
