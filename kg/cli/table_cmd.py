"""``kg table``: flat tables of meetings, pledges, participants or leaders (CSV, XLSX, Parquet).

Exit codes: 0 written; 2 an unknown table or format, a binary format without -o, or no store.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import StoreOpt, run, say

_EPILOG = ("Examples:\n\n  kg table meetings > meetings.csv\n  kg table pledges --format xlsx -o pledges.xlsx\n"
           "  kg table participants -f parquet -o participants.parquet\n\n"
           "One row per meeting/pledge report, participant of a meeting, or leader; merged reports share "
           "event_id. Columns, in order:\n\n")


def register(app: typer.Typer) -> None:
    """Registers ``kg table`` on ``app``."""
    from kg.publish.table_files import help_text

    @app.command("table", epilog=_EPILOG + help_text())
    def table_cmd(
        kind: str = typer.Argument(..., metavar="meetings|pledges|participants|leaders",
                                   help="Which table: one row per fact of that kind."),
        fmt: Annotated[str, typer.Option(
            "--format", "-f", metavar="FORMAT", help="csv (default, to stdout) | xlsx | parquet (need -o).")] = "csv",
        out: Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")] = None,
        store: StoreOpt = None,
    ) -> None:
        """Meetings, pledges, participants or leaders as a flat table for spreadsheets and pandas."""
        from kg.publish.tables import export_table

        report = run(lambda: export_table(kind, fmt, out, store=store))
        if report.text is not None:
            sys.stdout.write(report.text)
        else:
            say(f"wrote {report.rows} {kind} rows to {report.path}")
