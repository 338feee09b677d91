"""Publishing under another base IRI: every IRI minted under the store's base moves under the new one.

``kg publish site/ --base-iri https://example.org/kg/`` on a store built with the default base
would otherwise find no resource under the new base (no page) and write dumps that keep the
old IRIs. Re-basing rewrites IRIs only (subjects, objects, graph names), never literals, into a
temporary on-disk store (a large store does not have to fit in memory), read by everything
downstream as it reads the original.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyoxigraph as ox

from kg.publish import source as src


class Rebased:
    """A source seen under another base: what ``kg.publish.source`` needs (``oxigraph``, ``merged_default``)."""

    def __init__(self, store: ox.Store, merged_default: bool, base_iri: str) -> None:
        self.oxigraph = store
        self.merged_default = merged_default
        self.base_iri = base_iri


def with_slash(base: str) -> str:
    return base if base.endswith(("/", "#")) else base + "/"


def rebase_iri(iri: str, old: str, new: str) -> str:
    return new + iri[len(old):] if iri.startswith(old) else iri


@contextmanager
def rebased(source: Any, old: str | None, new: str) -> Iterator[Any]:
    """``source`` itself when its IRIs are already under ``new`` (or ``old`` is unknown), else a re-based copy."""
    new = with_slash(new)
    if old is None or with_slash(old) == new:
        yield source
        return
    old = with_slash(old)
    store = src.as_oxigraph(source)

    def move(term: Any) -> Any:
        if isinstance(term, ox.NamedNode) and term.value.startswith(old):
            return ox.NamedNode(new + term.value[len(old):])
        return term

    folder = tempfile.mkdtemp(prefix="kg-rebase-")
    try:
        copy = ox.Store(folder)
        copy.bulk_extend(ox.Quad(move(q.subject), move(q.predicate), move(q.object), move(q.graph_name))
                         for q in store)
        yield Rebased(copy, src.merged_default(source), new)
        del copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)
