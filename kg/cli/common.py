"""Helpers every command shares: error handling, output streams, progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from kg.errors import KgError

T = TypeVar("T")

#: messages and progress go to stderr; data goes to stdout
err = Console(stderr=True, highlight=False)

#: the ``--store`` option every store-backed command takes
StoreOpt = Annotated[Path | None, typer.Option(
    "--store", "-s", help="Store folder (default: $KG_STORE, else ./kg-data).")]


def fail(error: KgError) -> typer.Exit:
    err.print(f"[red]error:[/red] {error.message}", markup=True, soft_wrap=True)
    return typer.Exit(error.exit_code)


def run(fn: Callable[[], T]) -> T:
    """Call ``fn``; a ``KgError`` becomes a one-line message and its exit code."""
    try:
        return fn()
    except KgError as exc:
        raise fail(exc) from None


def progress(items: Iterable[T], total: int | None, label: str) -> Iterator[T]:
    """A progress bar on a terminal, nothing when stderr is not one."""
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)
