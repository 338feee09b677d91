"""Parameters the benchmark runs each stored query with (leaders and countries the generator uses often)."""

from __future__ import annotations

QUERY_PARAMS: dict[str, dict[str, str]] = {
    "countries-pledging-troops": {},
    "pledges-by-country": {"country": "FR"},
    # a page (issue 14): Macron's first 100 meetings of ~1,850 at 100k articles
    "meetings-of-leader": {"leader": "Emmanuel Macron", "limit": "100"},
    "meetings-between": {"a": "FR", "b": "DE"},
    "leaders-of-country": {"country": "FR"},
    # a page of it (issue 14): the first 100 of one month's rows (5,446 at 100k articles); whole, it grows
    "timeline": {"from": "2024-03-01", "to": "2024-03-31", "limit": "100"},
    "most-active-leaders": {},
    "coalition-participants": {},
    "corroborated-meetings": {},
    # a page of it (issue 14): one leader's facts in one month, at most 100 rows; whole, it is a dump
    "facts-with-sources": {"leader": "Emmanuel Macron", "from": "2024-03-01", "to": "2024-03-31", "limit": "100"},
}
