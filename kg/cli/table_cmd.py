"""``kg table``: see the command's help."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Registers the command on ``app`` (filled in by the table work)."""
