"""Shared fixtures: where the corpus and samples are, and a small store to publish and push."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return ROOT / "samples"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The development corpus beside the repo (``../shared/corpus``); tests needing it skip without it."""
    if not (CORPUS / "gold.json").is_file():
        pytest.skip("development corpus ../shared/corpus not present")
    return CORPUS


@pytest.fixture(scope="session")
def articles_dir(samples_dir: Path) -> Path:
    """The development corpus's articles when present, else the bundled samples (a subset of them)."""
    return CORPUS / "articles" if (CORPUS / "gold.json").is_file() else samples_dir


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A store holding the publish/push test data (``tests/data/publish/store.trig``)."""
    from kg.store import open_store

    with open_store(tmp_path / "store") as store:
        store.load(ROOT / "tests" / "data" / "publish" / "store.trig", format=ox.RdfFormat.TRIG)
    return tmp_path / "store"
