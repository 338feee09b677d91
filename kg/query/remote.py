"""Stored queries against a remote SPARQL 1.1 endpoint (SPARQLWrapper, JSON results)."""

from __future__ import annotations

import json
from collections.abc import Callable

from kg.errors import QueryError
from kg.query.result import Result


def run_remote(endpoint: str, text: str, *, allow_update: bool, timeout: float,
               is_update: Callable[[str], bool]) -> Result:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    from kg.query import result_from_json

    update = is_update(text)
    if update and not allow_update:
        raise QueryError("this is a SPARQL Update; kg query does not change the endpoint unless asked",
                         where=endpoint, fix="add --allow-update if you mean to modify it")
    client = SPARQLWrapper(endpoint, updateEndpoint=endpoint)
    client.setTimeout(int(timeout))
    client.setMethod(POST)
    client.setQuery(text)
    try:
        if update:
            client.query()
            return Result(updated=True)
        client.setReturnFormat(JSON)
        raw = client.query().response.read()
    except Exception as exc:  # SPARQLWrapper raises urllib and its own errors alike
        raise QueryError(f"the endpoint failed: {exc}", where=endpoint,
                         fix="check the URL (e.g. http://127.0.0.1:7878/query) and that the server runs") from exc
    try:
        return result_from_json(json.loads(raw))
    except (ValueError, AttributeError) as exc:
        raise QueryError("the endpoint did not answer with SPARQL JSON results", where=endpoint) from exc
