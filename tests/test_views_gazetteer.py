"""The map's gazetteer read in bulk: names folded all at once fold as one at a time, look-ups find the same city."""

from __future__ import annotations

from kg.publish.gazetteer import _cache, _fold_many, _names, fold, locate_all


def test_names_folded_in_bulk_are_folded_as_one_at_a_time() -> None:
    names = ["Sharm el-Sheikh", "--", "", " St. John's ", "Zürich", "x\ny", "São Paulo", "A  B", "..a..", "ÅLAND",
             "N'Djamena", " ", "Ho Chi Minh City", "Washington, D.C."]
    assert _fold_many(names) == [fold(n) for n in names]


def test_every_gazetteer_name_is_folded_as_fold_does() -> None:
    raw = [n for city in _cache().get_cities().values()  # type: ignore[attr-defined]
           for n in [city["name"], *(a for a in city.get("alternatenames") or () if a.isascii())]]
    folded, owners, entries = _names()
    assert len(folded) == len(raw) == len(owners) and max(owners) == len(entries) - 1
    assert all(folded[i] == fold(raw[i]) for i in range(0, len(raw), 7))


def test_the_most_populous_city_of_a_name_wins_within_its_country() -> None:
    found = locate_all({("Paris", "FR"), ("paris", ""), ("Paris", "US"), ("Nowhere Such Town", "FR")})
    assert abs(found[("Paris", "FR")][0] - 48.85) < 0.1 and found[("paris", "")] == found[("Paris", "FR")]
    assert found[("Paris", "US")] != found[("Paris", "FR")]
    assert ("Nowhere Such Town", "FR") not in found
