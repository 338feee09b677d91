"""Golden articles: a whole article through read -> entities -> events, compared with expected.json.

Each folder in tests/data/extract holds ``article.txt`` and ``expected.json`` listing the
meetings and pledges an editor would annotate (by entity key). To add a case, write the
article, check the facts by hand and write them down; never copy the output blindly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kg.extract import extract
from kg.model import Facts
from kg.read import read_article

CASES = sorted(p for p in (Path(__file__).parent / "data" / "extract").iterdir() if (p / "expected.json").is_file())


def observed(facts: Facts) -> dict[str, list[dict[str, Any]]]:
    meetings = [{"participants": sorted(p.key for p in m.participants), "date": m.date,
                 "location": m.location.key if m.location else None, "mode": m.mode, "status": m.status}
                for m in facts.meetings]
    pledges = [{"by": sorted(p.key for p in q.pledgers), "what": q.pledge_type, "amount": q.amount,
                "to": q.recipient.key if q.recipient else None, "conditional": q.conditional}
               for q in facts.pledges]
    return {"meetings": sorted(meetings, key=json.dumps), "pledges": sorted(pledges, key=json.dumps)}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden_article(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    got = observed(extract(read_article(case / "article.txt")))
    for kind in ("meetings", "pledges"):
        want = sorted(expected[kind], key=json.dumps)
        missing = [x for x in want if x not in got[kind]]
        extra = [x for x in got[kind] if x not in want]
        assert not missing and not extra, f"{case.name} {kind}\n  missing: {missing}\n  extra:   {extra}"
