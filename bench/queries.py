"""Parameters the benchmark runs each stored query with (leaders and countries the generator uses often)."""

from __future__ import annotations

QUERY_PARAMS: dict[str, dict[str, str]] = {
    "countries-pledging-troops": {},
    "pledges-by-country": {"country": "FR"},
    "meetings-of-leader": {"leader": "Emmanuel Macron"},
    "meetings-between": {"a": "FR", "b": "DE"},
    "leaders-of-country": {"country": "FR"},
    "timeline": {"from": "2024-03-01", "to": "2024-03-31"},
    "most-active-leaders": {},
    "coalition-participants": {},
    "corroborated-meetings": {},
    # a page of it (issue 14): one leader's facts in one month, at most 100 rows; whole, it is a dump
    "facts-with-sources": {"leader": "Emmanuel Macron", "from": "2024-03-01", "to": "2024-03-31", "limit": "100"},
}
