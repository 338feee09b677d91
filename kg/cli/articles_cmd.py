"""``kg articles`` and ``kg remove``: find a stored article by what a person knows of it, and drop it."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from typing import Annotated

import typer

from kg.cli.common import EXAMPLES, StoreOpt, fail, run, say


def register(app: typer.Typer) -> None:
    @app.command("articles", epilog=EXAMPLES["articles"])
    def articles_cmd(
        store: StoreOpt = None,
        fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table | csv | json")] = "table",
    ) -> None:
        """The stored articles: key, title, date, source file and facts (meetings and pledges) read from each."""
        from kg.errors import KgError
        from kg.store import open_store
        from kg.store.articles import ArticleInfo, list_articles

        if fmt not in ("table", "csv", "json"):
            raise fail(KgError(f"unknown format {fmt!r}", fix="use table, csv or json"))

        def work() -> list[ArticleInfo]:
            with open_store(store, read_only=True) as st:
                return list_articles(st)

        articles = run(work)
        if fmt == "json":
            sys.stdout.write(json.dumps([asdict(a) for a in articles], indent=2, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(["key", "title", "date", "source", "url", "facts"])
            writer.writerows([a.key, a.title, a.date, a.source, a.url, a.facts] for a in articles)
        else:
            from rich.console import Console
            from rich.table import Table
            from rich.text import Text

            table = Table()
            for name in ("key", "title", "date", "source", "facts"):
                table.add_column(name, overflow="fold", justify="right" if name == "facts" else "left")
            for a in articles:
                table.add_row(Text(a.key), Text(a.title), Text(a.date[:10]), Text(a.source), Text(str(a.facts)))
            Console(highlight=False, soft_wrap=True).print(table)
            say(f"{len(articles)} articles")

    @app.command("remove", epilog=EXAMPLES["remove"])
    def remove_cmd(
        articles: Annotated[list[str], typer.Argument(
            metavar="KEY|FILE", help="An article's key or the name of the file it was read from (see `kg articles`).")],
        store: StoreOpt = None,
    ) -> None:
        """Remove articles from the store (their graphs; facts other articles also state stay)."""
        from kg.api import open_store
        from kg.store.articles import ArticleInfo, find_article

        def work() -> list[ArticleInfo]:
            removed = []
            with open_store(store) as st:
                found = [find_article(st.store, name) for name in articles]  # all found before any is removed
                for info in found:
                    if st.remove_article(info.key):
                        removed.append(info)
            return removed

        for info in run(work):
            say(f"removed {info.key}: {info.title} ({info.source})")
