"""Screenshots of the views and a few pages, in Debian's headless Chromium (through Playwright).

    .venv/bin/kg ingest samples/ && .venv/bin/kg publish site/
    .venv/bin/python scripts/screenshots.py site/ --out shots/              # the published folder
    .venv/bin/kg serve --port 7878 &
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:7878/ --out shots/serve/   # kg serve

Writes one PNG per view (timeline, network, map, search for "zelensky") and per sample page
(a leader, a country, a meeting, an article; on kg serve also the stored-query form and the
SPARQL editor). Nothing leaves the machine: the browser runs with networking features off.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWS = {"timeline": "views/timeline.html", "network": "views/network.html", "map": "views/map.html",
         "search": "views/search.html?q=zelensky"}
PAGES = {"leader": "person/volodymyr-zelensky.html", "country": "country/FR.html"}
SERVE_ONLY = {"query-form": "queries/countries-pledging-troops.html?run=1", "sparql-editor": "sparql-editor.html"}


def _first(site: Path, folder: str) -> str | None:
    found = sorted((site / folder).glob("*.html"))
    return f"{folder}/{found[0].name}" if found else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("target", help="a published site folder, or the URL of kg serve (http://127.0.0.1:PORT/)")
    ap.add_argument("--out", type=Path, default=Path("shots"))
    ap.add_argument("--chromium", default=CHROMIUM)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    if args.target.startswith("http://"):
        base, shots = args.target.rstrip("/") + "/", {**VIEWS, **PAGES, **SERVE_ONLY}
    else:
        site = Path(args.target).resolve()
        base, shots = site.as_uri() + "/", {**VIEWS, **PAGES}
        for name, folder in (("meeting", "meeting"), ("article", "article")):
            first = _first(site, folder)
            if first:
                shots[name] = first
    args.out.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="kg-shots-")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(profile, executable_path=args.chromium, args=ARGS,
                                                            headless=True, viewport={"width": 1280, "height": 900})
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            for name, path in shots.items():
                page.goto(base + path)
                page.wait_for_load_state("load")
                page.wait_for_timeout(800 if name == "network" else 200)  # let the layout settle
                page.screenshot(path=str(args.out / f"{name}.png"), full_page=name not in ("network",))
                print(f"{name}: {args.out / (name + '.png')}")
            browser.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    for err in errors:
        print("console error:", err, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
