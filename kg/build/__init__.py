"""``kg build`` and ``kg load``: the pipeline as a map over a Dask cluster, its output loaded into a store.

``build(paths, out)`` runs read -> extract -> map -> SHACL gate on the workers of a Dask
cluster (``dask.distributed``: a scheduler address, or a local cluster), groups the article
graphs by key range into canonical, gzipped N-Quads shards, and computes the cross-article
``owl:sameAs`` links as a Dask group-by on the report signature. ``zcat OUT/part-*.nq.gz`` is
``kg export --format nquads`` of a ``kg ingest`` of the same input. ``load(store, out)``
bulk-loads the shards into the embedded store, which is then a store like any other.

Dask is an optional extra (``pip install 'diplomacy-kg[dask]'``): nothing here imports it
before a build starts.
"""

from __future__ import annotations

from kg.build.cluster import build
from kg.build.load import LoadReport, load
from kg.build.shards import BuildError, BuildReport

__all__ = ["BuildError", "BuildReport", "LoadReport", "build", "load"]
