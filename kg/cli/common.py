"""Helpers every command shares: error handling, output streams, progress."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from kg.errors import KgError

T = TypeVar("T")

#: messages and progress go to stderr; data goes to stdout
err = Console(stderr=True, highlight=False)

#: the ``--store`` option every store-backed command takes
StoreOpt = Annotated[Path | None, typer.Option(
    "--store", "-s", metavar="DIR", help="Store folder (default: $KG_STORE, else ./kg-data).")]


def _examples(*lines: str) -> str:
    return "Examples:\n\n" + "\n".join(f"  {line}" for line in lines)


#: the examples at the end of each command's --help
EXAMPLES = {
    "extract": _examples("kg extract samples/s003.txt", "kg extract page.json --format jsonld -o page.jsonld",
                         "cat page.html | kg extract -"),
    "ingest": _examples("kg ingest samples/", "kg ingest articles/ more/today.json --store my-kg --workers 2",
                        "kg ingest --watch inbox/"),
    "articles": _examples("kg articles", "kg articles --format csv > articles.csv"),
    "remove": _examples("kg remove s003.txt", "kg remove 94974b46e4ccc3f2"),
    "queries": _examples("kg queries"),
    "query": _examples("kg query countries-pledging-troops", "kg query pledges-by-country --param country=FR",
                       'kg query meetings-of-leader --param leader="Emmanuel Macron" --format csv',
                       "kg query my-question.rq --endpoint http://localhost:7878/query"),
    "stats": _examples("kg stats", "kg stats --json"),
    "export": _examples("kg export --format trig -o graph.trig", "kg export --article s003.txt -f turtle",
                        "kg export --format plover -o events.jsonl"),
    "publish": _examples("kg publish site/ --base-iri https://example.org/kg/"),
    "push": _examples("kg push --endpoint http://localhost:7878",
                      "kg push --endpoint http://localhost:7878 --dry-run",
                      "KG_PUSH_PASSWORD=dba kg push --endpoint http://localhost:8890 --user dba   # Virtuoso",
                      "KG_PUSH_PASSWORD=... kg push --endpoint https://host/sparql --user me"),
    "serve": _examples("kg serve --port 7878"),
    "validate": _examples("kg validate", "kg validate graph.ttl --format turtle"),
    "reason": _examples("kg reason", "kg reason graph.ttl"),
}


#: characters that would start a new line, move the cursor or change the terminal: shown as escapes
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if c in named:
        return named[c]
    code = ord(c)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(text: object) -> str:
    """``text`` as one printable line: newlines and other control characters escaped, never markup."""
    return _CONTROL.sub(_escape, str(text))


def say(message: object, *, label: str = "", style: str = "", console: Console | None = None) -> None:
    """Print one message line as plain text (``[/b]`` in a file name is text, not Rich markup);
    ``label`` (e.g. ``error:``) is shown in ``style``."""
    line = Text()
    if label:
        line.append(label, style=style or None)
        line.append(" ")
        line.append(plain(message))
    else:
        line.append(plain(message), style=style or None)
    (console or err).print(line, soft_wrap=True)


def fail(error: KgError) -> typer.Exit:
    say(error.message, label="error:", style="red")
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
