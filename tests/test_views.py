"""What the views and the pages in words are built from: the model read from the graph, the search
keys, the gazetteer coordinates, and the pages' wording (no browser here; see test_browser.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from kg.datafiles import read_tsv
from kg.ingest import ingest
from kg.publish import publish_site
from kg.publish.gazetteer import capitals, fold, locate_all
from kg.publish.views import LIBS, missing_libraries
from kg.publish.views_data import Model, build_model, store_select, view_data
from kg.store import open_store

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Model, Path, str]:
    """(model, published site, base IRI) of the development corpus."""
    root = tmp_path_factory.mktemp("views")
    with open_store(root / "store") as store:
        ingest(store, [SAMPLES])
    with open_store(root / "store", read_only=True) as store:
        model = build_model(store_select(store.oxigraph, union=not store.merged_default))
        publish_site(store, root / "site", base_iri=store.base_iri)
        return model, root / "site", store.base_iri


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def test_names_fold_to_one_key_whatever_the_case_and_accents() -> None:
    assert fold("Volodymyr Zelénskyy") == fold("VOLODYMYR ZELENSKYY") == "volodymyr zelenskyy"
    assert fold("Sharm el-Sheikh") == "sharm el sheikh"
    assert fold("U.K.") == "u k"


def test_gazetteer_places_cities_in_their_country() -> None:
    found = locate_all({("Paris", "FR"), ("Kyiv", "UA"), ("Anchorage", "US"), ("Paris", "US")})
    assert km(found[("Paris", "FR")], (48.86, 2.35)) < 20
    assert km(found[("Kyiv", "UA")], (50.45, 30.52)) < 20
    assert km(found[("Anchorage", "US")], (61.22, -149.90)) < 20
    assert km(found[("Paris", "US")], (48.86, 2.35)) > 5000  # Paris, Texas is not Paris, France
    assert km(capitals({"GB"})["GB"], (51.51, -0.13)) < 20


def test_every_place_the_extractor_knows_can_be_drawn() -> None:
    wanted = {(row["label"], row["iso"]) for row in read_tsv("places.tsv")}
    assert wanted - set(locate_all(wanted)) == set()


def test_model_reads_meetings_pledges_and_their_evidence(corpus: tuple[Model, Path, str]) -> None:
    model, _, base = corpus
    zelensky = model.entities[base + "person/volodymyr-zelensky"]
    assert zelensky.kind == "leader" and zelensky.country == base + "country/UA"
    meetings = [e for e in model.events.values() if e.kind == "meeting"]
    pledges = [e for e in model.events.values() if e.kind == "pledge"]
    assert len(meetings) >= 30 and len(pledges) >= 10
    assert all(e.evidence and e.articles for e in model.events.values())
    for ev in model.events.values():
        for span in ev.evidence:
            assert span.article in ev.articles and 0 <= span.start < span.end


def test_view_data_indexes_are_consistent_and_events_are_by_date(corpus: tuple[Model, Path, str]) -> None:
    model, _, base = corpus
    data = view_data(model, lambda iri: None, base)
    n = len(data["entities"])
    for ev in data["events"]:
        assert all(0 <= p < n for p in ev["parties"])
        assert ev.get("place", 0) < n and ev.get("to", 0) < n
    dates = [ev["date"] or "9999" for ev in data["events"]]
    assert dates == sorted(dates)


def test_search_keys_hold_aliases_spellings_and_gazetteer_names(corpus: tuple[Model, Path, str]) -> None:
    model, _, base = corpus
    data = view_data(model, lambda iri: None, base)
    keys = {e["label"]: set(e["keys"]) for e in data["entities"]}
    assert {"volodymyr zelensky", "zelenskyy", "zelenskiy"} <= keys["Volodymyr Zelensky"]
    assert "u k" in keys["United Kingdom"] and "britain" in keys["United Kingdom"]
    assert "elysee palace" in keys["Paris"]


def test_published_site_carries_the_views_and_their_data(corpus: tuple[Model, Path, str]) -> None:
    _, site, _ = corpus
    for name in ("timeline", "network", "map", "search"):
        assert (site / "views" / f"{name}.html").is_file()
    text = (site / "views" / "data.js").read_text()
    assert text.startswith("window.KG_DATA = ") and text.endswith(";\n")
    data = json.loads(text[len("window.KG_DATA = "):-2])
    hrefs = [e["href"] for e in data["entities"]] + [e["href"] for e in data["events"]]
    assert all((site / h).is_file() for h in hrefs if h)
    if not missing_libraries():
        assert {f"assets/lib/{name}" for name in LIBS} <= {str(p.relative_to(site)) for p in site.rglob("*")}


def test_leader_page_speaks_in_words_with_events_by_date(corpus: tuple[Model, Path, str]) -> None:
    _, site, _ = corpus
    html = (site / "person" / "volodymyr-zelensky.html").read_text()
    words = html.split("<details>")[0]  # the raw statements are folded below the words
    assert "Met with" in words and "Reported by" in words and "President of" in words
    assert "prov:wasDerivedFrom" not in words and "dip:participant" not in words
    assert len(_dates(words)) > 5


def _dates(html: str) -> list[str]:
    import re

    return re.findall(r'<span class="date">([^<]*)</span>', html)


def test_country_page_gathers_its_leaders_meetings_and_pledges(corpus: tuple[Model, Path, str]) -> None:
    _, site, _ = corpus
    words = (site / "country" / "FR.html").read_text().split("<details>")[0]
    assert "Emmanuel Macron" in words and "Meetings of France and its leaders" in words
    assert "Pledged" in words and "Meetings held here" in words


def test_meeting_page_quotes_its_evidence_and_links_the_span(corpus: tuple[Model, Path, str]) -> None:
    model, site, base = corpus
    ev = next(e for e in model.events.values() if e.kind == "meeting" and e.evidence)
    span = ev.evidence[0]
    page = (site / (ev.iri[len(base):] + ".html")).read_text()
    assert "<blockquote>" in page and f"#{span.anchor}" in page
    article = (site / (span.article[len(base):] + ".html")).read_text()
    assert f'<mark id="{span.anchor}"' in article


def test_class_page_lists_meetings_by_date_not_by_name(corpus: tuple[Model, Path, str]) -> None:
    _, site, _ = corpus
    shown = _dates((site / "classes" / "dip-Meeting.html").read_text())
    assert len(shown) >= 30

    def key(text: str) -> tuple[int, int, int]:
        if text == "undated":
            return (9999, 0, 0)
        parts = text.split()
        months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        day = int(parts[0]) if len(parts) == 3 else 0
        return (int(parts[-1]), months.index(parts[-2]) + 1 if len(parts) > 1 else 0, day)

    assert [key(d) for d in shown] == sorted(key(d) for d in shown)
