"""What the Dask workers run: one input to a record, a key range of records to a shard, the merge.

Every function here is a pure function of its arguments (plus the files it writes into the
output folder), so a task Dask re-runs on another worker after a worker died gives the same
result. The cross-article merge reuses ``kg.merge``'s pure pieces (``Report``, ``clusters``
and the date rules): ``kg.merge.same_as_links`` reads a store, so the reports are built here
from the article graphs, grouped by IRI, then by signature.
"""

from __future__ import annotations

import bisect
import hashlib
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.build.shards import TMP_PREFIX, Unit, graph_iris, lines_of, write_gz
from kg.merge import OWL_SAME_AS, Report, clusters, meeting_dates_match, pledge_dates_match
from kg.summary import Fact, from_report
from kg.summary_dates import counts_for
from kg.summary_leaders import Key

DIP = "https://w3id.org/diplomacy-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
DATE = DIP + "date"
MEETING, PLEDGE = DIP + "Meeting", DIP + "Pledge"
#: what identifies a report across articles (kg.merge's signature), besides its classes for meetings
MEETING_PROPS = (DIP + "participant",)
PLEDGE_PROPS = (DIP + "pledgedBy", DIP + "pledgeType", DIP + "recipient")
_KEPT = frozenset((RDF_TYPE, DERIVED, DATE, *MEETING_PROPS, *PLEDGE_PROPS))
_OWN = frozenset((*MEETING_PROPS, *PLEDGE_PROPS))  # stated only of meetings and pledges

#: a fragment's key for a date as an N-Triples literal (its value alone is under DATE)
DATE_TERM = "date-term"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: a fragment's key (value "") for "the fact has a label" (what the summary's date counts need of it)
LABELLED = "labelled"
#: (property IRI, value) pairs an article states about one meeting or pledge
Fragment = frozenset[tuple[str, str]]


@dataclass
class Record:
    """One input after the pipeline: an article graph as canonical N-Quads lines, or a reject."""

    index: int  # position in the input order (a key read twice: the last one wins, as in kg ingest)
    key: str = ""
    lines: bytes = b""  # zlib-compressed: the map's output waits in worker memory until the shuffle
    quads: int = 0
    entities: dict[str, str] = field(default_factory=dict)
    fragments: dict[str, Fragment] = field(default_factory=dict)
    reject: dict[str, Any] | None = None


def stable_hash(text: str) -> int:
    """A hash that is the same in every worker process (Python's ``hash`` of a str is not)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def bucket(key: str, digits: int) -> int:
    """The key range of an article: its key's first hex digits (keys are sha1 hex, spread evenly)."""
    return int(key[:digits], 16)


def _fragments(store: ox.Store, graph: ox.NamedNode) -> dict[str, Fragment]:
    """What the article says about its meetings and pledges: the properties kg.merge reads."""
    said: dict[str, set[tuple[str, str]]] = {}
    for q in store.quads_for_pattern(None, None, None, graph):
        if q.predicate.value in _KEPT and isinstance(q.subject, ox.NamedNode) and not isinstance(q.object, ox.Triple):
            said.setdefault(q.subject.value, set()).add((q.predicate.value, q.object.value))
            if q.predicate.value == DATE:  # the typed literal too, for the summary's index of dates
                said[q.subject.value].add((DATE_TERM, str(q.object)))
        elif q.predicate.value == LABEL and isinstance(q.subject, ox.NamedNode):
            said.setdefault(q.subject.value, set()).add((LABELLED, ""))
    return {iri: frozenset(pairs) for iri, pairs in said.items()
            if (RDF_TYPE, MEETING) in pairs or (RDF_TYPE, PLEDGE) in pairs or any(p in _OWN for p, _ in pairs)}


def make_record(item: tuple[int, str], base: str, published: datetime | None) -> Record:
    """Map task: one input through read -> extract -> map -> SHACL gate, as ``kg ingest`` runs it."""
    from kg.build.inputs import process_input

    index, ref = item
    outcome = process_input(ref, base, published)
    if outcome.reject is not None or outcome.key is None:
        reject = asdict(outcome.reject) if outcome.reject is not None else {"file": outcome.source}
        return Record(index, reject=reject)
    node = ox.NamedNode(graph_iris(base)["article"] + outcome.key)
    store = ox.Store()  # in memory: the terms come out as the export writes them from the on-disk store
    store.load(outcome.ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=node)
    lines = lines_of(store, node)
    return Record(index, outcome.key, zlib.compress(b"".join(lines), 1), len(lines), outcome.entities,
                  _fragments(store, node))


def entity_pairs(record: Record) -> list[tuple[str, tuple[int, str]]]:
    """(entity IRI, (input index, description)): the description stored last wins, as in ``kg ingest``."""
    return [(iri, (record.index, text)) for iri, text in record.entities.items()]


def later(a: tuple[int, str], b: tuple[int, str]) -> tuple[int, str]:
    return a if a[0] >= b[0] else b


@dataclass
class Shard:
    """A key range of article graphs written to a shard, with the merge fragments of its articles."""

    unit: Unit
    fragments: list[tuple[str, Fragment]]


def write_articles(group: tuple[int, list[Record]], out: str, base: str, digits: int) -> Shard:
    """Reduce task: the articles of one key range, sorted by key (a key read twice: the last read), gzipped."""
    number, records = group
    winners: dict[str, Record] = {}
    for record in sorted(records, key=lambda r: r.index):
        winners[record.key] = record
    keys = sorted(winners)
    hexed = f"{number:0{digits}x}"
    name = f"{TMP_PREFIX}articles-{hexed}-{stable_hash(out):x}.nq.gz"
    write_gz(Path(out) / name, (zlib.decompress(winners[k].lines) for k in keys))
    unit = Unit((graph_iris(base)["article"] + hexed, b""), name, "articles",
                sum(winners[k].quads for k in keys), len(keys))
    return Shard(unit, [(iri, frag) for k in keys for iri, frag in winners[k].fragments.items()])


def shard_fragments(shard: Shard) -> list[tuple[str, Fragment]]:
    return shard.fragments


def to_report(item: tuple[str, Fragment]) -> tuple[str, Report] | None:
    """One meeting or pledge IRI, all its articles' statements joined, as ``kg.merge`` collects it."""
    iri, pairs = item
    types = {v for p, v in pairs if p == RDF_TYPE}
    props: tuple[str, ...]
    if MEETING in types:
        kind, props = "meeting", (RDF_TYPE, *MEETING_PROPS)
    elif PLEDGE in types:
        kind, props = "pledge", PLEDGE_PROPS
        if not any(p in (*PLEDGE_PROPS, DATE, DERIVED) for p, _ in pairs):
            return None
    else:
        return None
    dates = [v for p, v in pairs if p == DATE]
    report = Report(iri, min(dates) if dates else None, {v for p, v in pairs if p == DERIVED},
                    {f"{p} {v}" for p, v in pairs if p in props})
    return kind, report


def summary_fact(item: tuple[str, Report]) -> Fact:
    """What ``kg.summary`` counts of one report."""
    kind, report = item
    return from_report(report, kind == "meeting")


def fact_dates(item: tuple[str, Fragment]) -> list[tuple[str, str]]:
    """(date, IRI) for each date (N-Triples literal) of a meeting or pledge, all its articles' statements
    joined; the IRI is "" unless the fact counts under its dates (``kg.summary_dates``) once not merged."""
    iri, pairs = item
    classes = {v for p, v in pairs if p == RDF_TYPE}
    if MEETING not in classes and PLEDGE not in classes:
        return []
    counted = counts_for(classes, (LABELLED, "") in pairs, [v for p, v in pairs if p == DERIVED], True)
    return [(v, iri if counted else "") for p, v in pairs if p == DATE_TERM]


def meeting_key(item: tuple[str, Fragment]) -> list[tuple[str, Key]]:
    """(IRI, label and dates) of a meeting, all its articles' statements joined: what the summary's index
    of each participant's meetings (``kg.summary_leaders``) needs of a merge key."""
    iri, pairs = item
    if (RDF_TYPE, MEETING) not in pairs:
        return []
    return [(iri, Key((LABELLED, "") in pairs, frozenset(v for p, v in pairs if p == DATE_TERM)))]


def signature_key(item: tuple[str, Report]) -> int:
    """The group-by key: the kind and signature (two signatures sharing a hash are still told apart)."""
    kind, report = item
    return stable_hash(kind + "\n" + "\n".join(sorted(report.signature)))


def same_as(group: tuple[int, list[tuple[str, Report]]]) -> list[tuple[str, str]]:
    """(duplicate, canonical) for every cluster of one signature group: ``kg.merge.clusters``."""
    _, items = group
    links: list[tuple[str, str]] = []
    for kind, match in (("meeting", meeting_dates_match), ("pledge", pledge_dates_match)):
        reports = [r for k, r in items if k == kind]
        for cluster in clusters(reports, match):
            canonical = min(r.iri for r in cluster)
            links.extend((r.iri, canonical) for r in cluster if r.iri != canonical)
    return links


def view_lines(record: Record) -> list[bytes]:
    """The article's statements as N-Triples lines, for the merged view (the graph IRI cut off each line)."""
    out = []
    for line in zlib.decompress(record.lines).splitlines(keepends=True):
        cut = line.rfind(b" <", 0, len(line) - 3)
        out.append(line[:cut] + b" .\n")
    return out


def link_triple(link: tuple[str, str]) -> bytes:
    dup, canonical = link
    return f"<{dup}> <{OWL_SAME_AS}> <{canonical}> .\n".encode()


def merged_line(link: tuple[str, str], base: str) -> bytes:
    """The canonical N-Quads line of one sameAs link (IRIs from the store are written as they are)."""
    dup, canonical = link
    return f"<{dup}> <{OWL_SAME_AS}> <{canonical}> <{graph_iris(base)['merged']}> .\n".encode()


#: one line in this many (chosen by its content, so whatever the partitions) samples the range boundaries
SAMPLE_EVERY = 64
#: lines per shard of the merged graph or of the merged view (~3 MB gzipped)
RANGE_LINES = 200_000


def sampled(line: bytes) -> bool:
    """In the sample that sets the range boundaries: a function of the line alone (the same in every run)."""
    return zlib.crc32(line) % SAMPLE_EVERY == 0


def boundaries(sample: list[bytes]) -> list[bytes]:
    """Range boundaries for about ``RANGE_LINES`` lines a range, from the sorted, distinct sample."""
    ranges = max(1, round(len(sample) * SAMPLE_EVERY / RANGE_LINES))
    return [sample[len(sample) * i // ranges] for i in range(1, ranges)]


def ranged(lines: Iterable[bytes], bounds: list[bytes]) -> list[tuple[int, bytes]]:
    """One partition's lines, each once, cut at the range boundaries: (range, its lines sorted and joined).

    A blob per range and partition crosses the shuffle, not an object per line (10x fewer to
    pickle), and a country's label stated by every article of the partition crosses it once.
    """
    parts: dict[int, list[bytes]] = {}
    for line in set(lines):
        parts.setdefault(bisect.bisect_right(bounds, line), []).append(line)
    return [(number, b"".join(sorted(found))) for number, found in sorted(parts.items())]


def range_number(pair: tuple[int, bytes]) -> int:
    return pair[0]


def write_range(group: tuple[int, list[tuple[int, bytes]]], out: str, kind: str, graph: str) -> Unit:
    """Reduce task: one range of lines (the merged graph's, or the merged view's) each once, sorted, gzipped."""
    number, blobs = group
    lines = sorted({line for _, blob in blobs for line in blob.splitlines(keepends=True)})
    name = f"{TMP_PREFIX}{kind}-{number:08d}-{stable_hash(out):x}.gz"
    write_gz(Path(out) / name, lines)
    return Unit((graph, lines[0]), name, kind, len(lines))
