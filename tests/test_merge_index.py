"""The merge's signature index (``<store>/signatures.sqlite``): built when missing, never trusted blindly.

Every step of the random histories in tests/test_merge_incremental.py checks the index files each
report as filing them anew does; these are the cases around it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import merge, merge_index
from kg.errors import StoreError
from kg.merge import same_as_links, update
from kg.store import open_store
from tests.test_merge_incremental import B, filed, filed_anew, merged_links, ntriples

CALL = (0, "meeting", {0, 1}, 0, 0)


def test_a_store_without_the_index_gets_it_at_its_next_relink_not_a_full_pass(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(tmp_path / "s") as store:
        store.replace_article("a1", ntriples(1, [CALL]), {})
        update(store)  # the first pass: from scratch
        (store.path / merge_index.FILE).unlink()  # as a store from an older kg, or from kg build
        monkeypatch.setattr(merge, "recompute", lambda s: pytest.fail("a full pass"))
        store.replace_article("a2", ntriples(2, [(1, "meeting", {0, 1}, 0, 1)]), {})
        update(store)
        assert merged_links(store) == same_as_links(store) == [(f"{B}meeting/x1", f"{B}meeting/x0")]
        assert filed(store) == filed_anew(store)


def test_a_report_filed_under_the_same_hash_with_another_signature_is_not_its_peer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hash only says where to look: a collision (every signature filed under one hash) links nothing more."""
    monkeypatch.setattr(merge_index, "_key", lambda kind, items: b"same")
    with open_store(tmp_path / "s") as store:
        store.replace_article("a1", ntriples(1, [CALL]), {})
        store.replace_article("a2", ntriples(2, [(1, "meeting", {0, 2}, 0, 1), (2, "pledge", {0}, 0, 0)]), {})
        update(store)
        store.replace_article("a3", ntriples(3, [(3, "meeting", {0, 1}, 0, 1), (4, "pledge", {1}, 0, 0)]), {})
        update(store)
        assert merged_links(store) == same_as_links(store)
        assert (f"{B}meeting/x3", f"{B}meeting/x0") in merged_links(store)


def test_an_index_that_is_not_a_database_is_a_clear_error_that_says_how_to_fix_it(tmp_path: Path) -> None:
    with open_store(tmp_path / "s") as store:
        store.replace_article("a1", ntriples(1, [CALL]), {})
        update(store)
        (store.path / merge_index.FILE).write_bytes(b"not a database, just some bytes" * 100)
        store.replace_article("a2", ntriples(2, [(1, "meeting", {0, 1}, 0, 1)]), {})
        with pytest.raises(StoreError) as err:
            update(store)
        assert merge_index.FILE in str(err.value) and "delete the file" in str(err.value)
        assert store.merge_stale  # the next merge pass is a full one
        (store.path / merge_index.FILE).unlink()
        update(store)
        assert merged_links(store) == same_as_links(store) and filed(store) == filed_anew(store)
