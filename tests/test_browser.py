"""The views in a real browser: Debian's Chromium, driven by Playwright, over the published site
(opened from disk) and over `kg serve` (a real process on 127.0.0.1), for the development corpus.

Every page must load with no console error and ask nothing of any other machine; the timeline,
network and map draw the corpus's items; search finds leaders by surname and by spelling variant;
clicking a network node opens its page; a stored-query form returns a table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from kg.ingest import ingest
from kg.publish import publish_site
from kg.publish.views import missing_libraries
from kg.store import open_store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
VIEWS = ("timeline", "network", "map", "search")

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                       "(scripts/test.sh installs it when run as root)"),
    pytest.mark.timeout(300),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(store folder, published site folder) of the development corpus."""
    assert not missing_libraries(), f"run `npm ci --prefix web` first: missing {missing_libraries()}"
    root = tmp_path_factory.mktemp("corpus")
    with open_store(root / "store") as store:
        ingest(store, [SAMPLES])
    with open_store(root / "store", read_only=True) as store:
        publish_site(store, root / "site", base_iri=store.base_iri)
    return root / "store", root / "site"


@pytest.fixture(scope="module")
def served(corpus: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`kg serve` on a free port of 127.0.0.1; yields its root URL."""
    log = tmp_path_factory.mktemp("serve") / "stderr.txt"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", "0", "--store", str(corpus[0])],
                                stdout=subprocess.DEVNULL, stderr=err, env={**os.environ, "COLUMNS": "200"})
    try:
        deadline = time.monotonic() + 60
        while "SPARQL endpoint at" not in log.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.1)
        line = next(ln for ln in log.read_text().splitlines() if "SPARQL endpoint at" in ln)
        url = line.split("SPARQL endpoint at", 1)[1].split()[0]
        yield url.rsplit("/sparql", 1)[0] + "/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    pw = sync_api.sync_playwright().start()
    try:
        context = pw.chromium.launch_persistent_context(str(profile), executable_path=str(CHROMIUM), args=ARGS,
                                                        headless=True, viewport={"width": 1280, "height": 900})
        yield context
        context.close()
    finally:
        pw.stop()
        shutil.rmtree(profile, ignore_errors=True)


class Tab:
    """A page that records console errors, page errors and every URL it requests."""

    def __init__(self, context: Any, allowed: str) -> None:
        self.page = context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.allowed = allowed
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("request", lambda req: self.requests.append(req.url))

    def open(self, url: str) -> Any:
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        return self.page

    def check(self) -> None:
        assert self.errors == [], self.errors
        outside = [u for u in self.requests if not (u.startswith(self.allowed) or u.startswith("data:"))]
        assert outside == [], f"requests leaving {self.allowed}: {outside}"
        self.page.close()


@pytest.fixture(params=["site", "serve"])
def tab(request: pytest.FixtureRequest, corpus: tuple[Path, Path], browser: Any) -> Iterator[tuple[Tab, str]]:
    """A fresh tab and the root URL of the site (file://) or of kg serve (http://127.0.0.1)."""
    if request.param == "site":
        root = corpus[1].resolve().as_uri() + "/"
        allowed = corpus[1].resolve().as_uri()
    else:
        root = request.getfixturevalue("served")
        parts = urlsplit(root)
        allowed = f"{parts.scheme}://{parts.netloc}/"
    t = Tab(browser, allowed)
    yield t, root
    t.check()


def data(page: Any) -> dict[str, Any]:
    return page.evaluate("window.KG_DATA")  # type: ignore[no-any-return]


def test_pages_load_with_no_console_error_and_no_outside_request(tab: tuple[Tab, str]) -> None:
    t, root = tab
    for path in ("index.html", *(f"views/{v}.html" for v in VIEWS), "person/volodymyr-zelensky.html",
                 "country/FR.html", "place/paris.html", "ontology/index.html"):
        page = t.open(root + path)
        assert page.locator("h1").count() >= 1, path


def test_timeline_draws_every_dated_item_and_filters_by_leader(tab: tuple[Tab, str]) -> None:
    t, root = tab
    page = t.open(root + "views/timeline.html")
    events = data(page)["events"]
    dated = [e for e in events if e["date"]]
    assert len(dated) >= 20
    assert page.locator("circle.tl-item").count() == len(dated)
    assert page.locator("ul.events li").count() == len(events)
    page.select_option("select[name=leader]", label="Keir Starmer")
    shown = page.locator("ul.events li").count()
    assert 0 < shown < len(events)
    assert all("Keir Starmer" in text for text in page.locator("ul.events li").all_inner_texts()
               if "Meeting" in text or "call" in text)
    page.locator("a.tl-link").first.click()
    page.wait_for_load_state("load")
    assert "/meeting/" in page.url or "/pledge/" in page.url


def test_network_draws_who_met_whom_and_a_click_opens_the_page(tab: tuple[Tab, str]) -> None:
    t, root = tab
    page = t.open(root + "views/network.html")
    page.wait_for_function("window.kgNetwork && window.kgNetwork.nodes().length > 0")
    nodes = page.evaluate("window.kgNetwork.nodes().length")
    edges = page.evaluate("window.kgNetwork.edges().length")
    assert nodes >= 20 and edges >= nodes
    pos = page.evaluate("""() => { const n = window.kgNetwork.nodes().filter(n => n.data('label') ===
        'Volodymyr Zelensky')[0]; const p = n.renderedPosition(); const box = window.kgNetwork.container()
        .getBoundingClientRect(); return [box.left + p.x, box.top + p.y]; }""")
    page.mouse.click(pos[0], pos[1])
    page.wait_for_url("**/person/volodymyr-zelensky.html")
    assert page.locator("h1").inner_text() == "Volodymyr Zelensky"


def test_map_draws_the_meeting_places_on_country_outlines(tab: tuple[Tab, str]) -> None:
    t, root = tab
    page = t.open(root + "views/map.html")
    assert page.locator(".land path").count() > 150  # Natural Earth's countries
    places = {e["entity"] for e in data(page)["places"]}
    met = {e["place"] for e in data(page)["events"] if e["kind"] == "meeting" and "place" in e}
    assert page.locator("circle.place").count() == len(places & met) >= 5
    titles = page.locator("circle.place title").all_text_contents()
    assert any(title.startswith("Paris:") for title in titles)


@pytest.mark.parametrize("query", ["zelensky", "Zelenskyy", "ZELENSKIY", "zelenski", "Volodymyr Zelénskyy"])
def test_search_finds_a_leader_by_surname_and_by_variant(tab: tuple[Tab, str], query: str) -> None:
    t, root = tab
    page = t.open(root + "views/search.html")
    page.fill("#search-input", query)
    assert page.locator("#search-results li a").first.inner_text() == "Volodymyr Zelensky"


def test_search_box_of_every_page_opens_the_results(tab: tuple[Tab, str]) -> None:
    t, root = tab
    page = t.open(root + "country/FR.html")
    page.fill("nav input[name=q]", "starmer")
    page.press("nav input[name=q]", "Enter")
    page.wait_for_load_state("load")
    assert page.locator("#search-results li a").first.inner_text() == "Keir Starmer"


def test_stored_query_form_returns_a_table(served: str, browser: Any) -> None:
    t = Tab(browser, served)
    page = t.open(served + "queries/index.html")
    page.locator("a", has_text="pledges-by-country").first.click()
    page.wait_for_load_state("load")
    page.fill("input[name=country]", "GB")
    page.click("form.query button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("#results tr").count() >= 2  # a header and at least one pledge of the UK
    assert page.locator("a", has_text="CSV").count() == 1
    t.check()


def test_sparql_editor_runs_a_query_into_a_table(served: str, browser: Any) -> None:
    t = Tab(browser, served)
    page = t.open(served + "sparql-editor.html")
    assert page.locator(".CodeMirror").count() == 1  # the npm editor, not the bare textarea
    page.click("#sparql-run")
    page.wait_for_selector("#results")
    assert page.locator("#results tr").count() > 10
    t.check()
