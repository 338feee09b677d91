"""Shared fixtures: where the corpus and samples are."""

from __future__ import annotations

from pathlib import Path

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
