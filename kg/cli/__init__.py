"""The ``kg`` command: a thin layer over the library.

Each command module registers its commands on ``app``; every command parses its
arguments, calls one public function and turns ``KgError`` into a message and an
exit code (see ``kg.cli.common.run``).
"""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

import typer

from kg import __version__
from kg.cli import articles_cmd, build_cmd, extract_cmd, publish_cmd, reason_cmd, store_cmd, table_cmd

#: metavars for options and arguments that do not set one, by parameter name
_METAVARS = {"fmt": "FORMAT", "out": "FILE", "out_dir": "DIR", "site": "DIR", "base_iri": "IRI", "store_dir": "DIR",
             "sparql": "URL", "site_url": "URL", "gsp": "URL", "update": "URL", "timeout": "SECONDS",
             "query_timeout": "SECONDS", "batch": "N", "retries": "N", "ca_bundle": "FILE", "password_env": "VAR",
             "token_env": "VAR", "data": "FILE", "file": "FILE"}


def _help_without_python_types() -> None:
    """typer 0.29 fills the help's type column with annotations (``<bool>``, ``<list[Path]>``):
    show an option's metavar (``DIR``, ``N``) instead, nothing for flags and arguments."""
    try:
        from typer.core import TyperArgument, TyperOption
    except ImportError:  # another typer: its own (click's) metavars
        return

    def option_type(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False):
            return None
        return self.metavar or _METAVARS.get(self.name or "", (self.name or "value").upper())

    if hasattr(TyperOption, "display_type_rich"):
        TyperOption.display_type_rich = option_type  # type: ignore[method-assign]
    if hasattr(TyperArgument, "display_type_rich"):
        TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]
    if isinstance(getattr(TyperArgument, "display_name_raw", None), property):  # OUT_DIR, not out_dir
        TyperArgument.display_name_raw = property(  # type: ignore[method-assign, assignment]
            lambda self: self.metavar or _METAVARS.get(self.name or "", (self.name or "arg").upper()))


_help_without_python_types()

app = typer.Typer(
    name="kg",
    help="Turn news articles about diplomacy into a validated RDF knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    epilog="Examples:\n\n  kg ingest samples/\n  kg query countries-pledging-troops\n  kg articles\n"
           "  kg export --format trig -o graph.trig\n\nEvery command has --help, with examples.",
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


for _module in (extract_cmd, reason_cmd, store_cmd, articles_cmd, publish_cmd, table_cmd, build_cmd):
    _module.register(app)


_signal_seen: list[int] = []


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM as Ctrl-C: the command unwinds (workers stopped, store closed), nothing is left running."""
    _signal_seen.append(signum)
    raise KeyboardInterrupt


def main() -> None:
    from kg.cli.common import say

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        app()
    except SystemExit as exc:
        if exc.code == 130:  # typer's answer to KeyboardInterrupt
            terminated = bool(_signal_seen)
            say("stopped by SIGTERM" if terminated else "interrupted",
                label="error:", style="red")
            sys.exit(143 if terminated else 130)
        raise
