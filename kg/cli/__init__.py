"""The ``kg`` command: a thin layer over the library.

Each command module registers its commands on ``app``; every command parses its
arguments, calls one public function and turns ``KgError`` into a message and an
exit code (see ``kg.cli.common.run``).
"""

from __future__ import annotations

import typer

from kg import __version__
from kg.cli import extract_cmd, publish_cmd, reason_cmd, store_cmd

app = typer.Typer(
    name="kg",
    help="Turn news articles about diplomacy into a validated RDF knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """diplomacy-kg: articles in, linked data out."""


for _module in (extract_cmd, reason_cmd, store_cmd, publish_cmd):
    _module.register(app)


def main() -> None:
    app()
