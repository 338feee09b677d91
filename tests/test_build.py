"""``kg build`` on a real Dask cluster and ``kg load``: the same graph as ``kg ingest``, however it is run.

The cluster is a ``distributed.LocalCluster`` of two worker processes on 127.0.0.1, started
and stopped by the fixture. "The same" is byte for byte: the ontology's blank nodes are named
from their graph and position (``kg.store.terms.stable_quads``), in the store and in the shards.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
MERGES = ROOT / "tests" / "data" / "build"  # one phone call and one troop pledge, reported by three articles


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local


@pytest.fixture
def client(cluster: Any) -> Iterator[Any]:
    with distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, articles_dir: Path) -> Path:
    """The development articles and three reports of one call and one pledge (sameAs links to make)."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(articles_dir, folder / "articles")
    shutil.copytree(MERGES, folder / "merges")
    return folder


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """``kg ingest`` of the corpus: the store every build is compared with."""
    path = tmp_path_factory.mktemp("ingest") / "store"
    done = kg("ingest", corpus, "--store", path, "--workers", "1")
    assert done.returncode == 0, done.stderr
    return path


def kg(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def export(store: Path, fmt: str = "nquads") -> bytes:
    from kg.publish import export as write
    from kg.store import open_store

    out = store.parent / f"{store.name}.{fmt}"
    with open_store(store, read_only=True) as st:
        write(st, out, fmt)
    return out.read_bytes()


def shards(folder: Path, pattern: str = "part-*.nq.gz") -> bytes:
    return b"".join(gzip.decompress(p.read_bytes()) for p in sorted(folder.glob(pattern)))


def assert_same_nquads(got: bytes, want: bytes) -> None:
    """Byte for byte, in order (blank nodes included: the ontology's have stable labels)."""
    assert b"_:" in want
    assert got.splitlines() == want.splitlines()
    assert got == want


def assert_same_up_to_blank_labels(got: bytes, want: bytes) -> None:
    """Byte for byte but for blank nodes, which another store's loader labels its own way (compared as graphs)."""
    def split(data: bytes) -> tuple[list[bytes], dict[str, Graph]]:
        lines = sorted(data.splitlines(keepends=True))
        graphs: dict[str, Graph] = {}
        blank = Dataset().parse(data=b"".join(line for line in lines if b"_:" in line).decode(), format="nquads")
        for s, p, o, g in blank.quads((None, None, None, None)):
            graphs.setdefault(str(g), Graph()).add((s, p, o))
        return [line for line in lines if b"_:" not in line], graphs

    (got_lines, got_blank), (want_lines, want_blank) = split(got), split(want)
    assert got_lines == want_lines
    assert sorted(got_blank) == sorted(want_blank) and want_blank
    for name, graph in want_blank.items():
        assert isomorphic(got_blank[name], graph), name


def same_as_links(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if line.endswith(b"/graph/merged> .")]


def test_build_on_the_cluster_writes_what_ingest_and_export_write(cluster: Any, corpus: Path, ingested: Path,
                                                                   tmp_path: Path) -> None:
    done = kg("build", corpus, "--out", tmp_path / "out", "--scheduler", cluster.scheduler_address)
    assert done.returncode == 0, done.stderr
    want = export(ingested)
    got = shards(tmp_path / "out")
    assert_same_nquads(got, want)
    assert len(same_as_links(got)) >= 2  # the cross-article merge ran: the call and the pledge
    assert_same_nquads(shards(tmp_path / "out", "view-*.nt.gz"), export(ingested, "nt"))  # the merged view
    manifest = json.loads((tmp_path / "out" / "build.json").read_text())
    assert manifest["quads"] == len(want.splitlines())
    assert manifest["rejected"] == 0 and (tmp_path / "out" / "rejects.jsonl").read_text() == ""
    assert "articles in" in done.stderr and done.stdout == ""  # messages on stderr, no bar off a terminal


def test_the_same_input_gives_the_same_shards(client: Any, corpus: Path, tmp_path: Path) -> None:
    from kg.build import build

    build([corpus], tmp_path / "one", client=client)
    build([corpus], tmp_path / "two", client=client, chunk=1)  # other task boundaries, same bytes
    one, two = sorted((tmp_path / "one").glob("part-*")), sorted((tmp_path / "two").glob("part-*"))
    assert [p.name for p in one] == [p.name for p in two]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two, strict=True))


def test_a_worker_killed_mid_build_is_retried_and_the_result_is_the_same(
        client: Any, corpus: Path, ingested: Path, tmp_path: Path) -> None:
    from kg.build import build

    before = client.run(os.getpid)  # worker address -> pid
    victim = sorted(before.values())[0]
    killed: list[int] = []

    def kill_once(done: int, total: int) -> None:
        if not killed and done < total:  # the map stage is under way: results held, tasks queued
            os.kill(victim, signal.SIGKILL)
            killed.append(done)

    report = build([corpus], tmp_path / "out", client=client, chunk=1, progress=kill_once)
    assert killed, "the worker was not killed before the map stage ended"
    with pytest.raises(ProcessLookupError):
        os.kill(victim, 0)
    client.wait_for_workers(2, timeout=60)  # the nanny started a new one
    assert victim not in client.run(os.getpid).values()
    assert report.rejected == 0
    assert_same_nquads(shards(tmp_path / "out"), export(ingested))


def test_a_bad_file_is_a_reject_and_an_article_read_twice_is_stored_once(cluster: Any, corpus: Path,
                                                                          tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(corpus, inputs)
    shutil.copy(MERGES / "call-monday.txt", inputs / "zz-call-monday.md")  # same key, read last: it wins
    (inputs / "empty.txt").write_text("")
    (inputs / "noise.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    ingest = kg("ingest", inputs, "--store", tmp_path / "ingest", "--workers", "1")
    assert ingest.returncode == 1 and ingest.stderr.count("rejected:") == 2
    done = kg("build", inputs, "--out", tmp_path / "out", "--scheduler", cluster.scheduler_address)
    assert done.returncode == 1, done.stderr
    rejects = [json.loads(line) for line in (tmp_path / "out" / "rejects.jsonl").read_text().splitlines()]
    want = [json.loads(line) for line in (tmp_path / "ingest" / "quarantine.jsonl").read_text().splitlines()]
    assert [{k: v for k, v in r.items() if k != "time"} for r in rejects] == \
           [{k: v for k, v in r.items() if k != "time"} for r in want]
    assert {r["file"].rsplit("/", 1)[-1] for r in rejects} == {"empty.txt", "noise.html"}
    assert_same_nquads(shards(tmp_path / "out"), export(tmp_path / "ingest"))
    assert_same_nquads(shards(tmp_path / "out", "view-*.nt.gz"), export(tmp_path / "ingest", "nt"))
    assert b'"zz-call-monday.md"' in shards(tmp_path / "out") and b'"call-monday.txt"' not in shards(tmp_path / "out")


def test_kg_load_gives_a_store_that_answers_as_after_ingest(client: Any, corpus: Path, ingested: Path,
                                                            tmp_path: Path) -> None:
    from kg.build import build

    build([corpus], tmp_path / "out", client=client)
    loaded = tmp_path / "loaded"
    done = kg("load", tmp_path / "out", "--store", loaded)
    assert done.returncode == 0, done.stderr
    for command in (["stats", "--json"], ["articles"], ["query", "countries-pledging-troops", "--format", "csv"],
                    ["query", "corroborated-meetings", "--format", "csv"]):
        got, want = kg(*command, "--store", loaded), kg(*command, "--store", ingested)
        assert got.returncode == want.returncode == 0, got.stderr
        assert got.stdout.replace(str(loaded), "STORE") == want.stdout.replace(str(ingested), "STORE")
    assert_same_nquads(export(loaded), export(ingested))
    assert kg("ingest", corpus / "merges", "--store", loaded, "--workers", "1").returncode == 0  # a normal store
    assert_same_nquads(export(loaded), export(ingested))


def test_oxigraph_server_cli_loads_the_shards_and_the_merged_view(client: Any, corpus: Path,
                                                                  tmp_path: Path) -> None:
    oxigraph = Path(sys.executable).parent / "oxigraph"
    if not oxigraph.exists():
        pytest.skip("the oxigraph CLI (PyPI package oxigraph) is not installed")
    from kg.build import build

    build([corpus], tmp_path / "out", client=client)
    files = sorted(str(p) for p in (tmp_path / "out").glob("*-*.n?.gz"))  # named graphs, then the merged view
    loaded = subprocess.run([str(oxigraph), "load", "--location", str(tmp_path / "db"), "--file", *files],
                            capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    dumped = subprocess.run([str(oxigraph), "dump", "--location", str(tmp_path / "db"), "--format", "nq"],
                            capture_output=True, timeout=300)
    assert dumped.returncode == 0, dumped.stderr
    assert_same_up_to_blank_labels(dumped.stdout, shards(tmp_path / "out") + shards(tmp_path / "out", "view-*.nt.gz"))


def test_a_file_url_reads_as_the_folder_does(client: Any, corpus: Path, tmp_path: Path) -> None:
    from kg.build import build

    build([corpus], tmp_path / "path", client=client)
    build([corpus.as_uri()], tmp_path / "url", client=client)
    assert shards(tmp_path / "url") == shards(tmp_path / "path")


def test_refusals_before_any_work(cluster: Any, tmp_path: Path) -> None:
    missing = kg("build", tmp_path / "nope", "--out", tmp_path / "out", "--scheduler", cluster.scheduler_address)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    assert not (tmp_path / "out").exists()
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    busy = kg("build", ROOT / "samples", "--out", tmp_path / "busy", "--scheduler", cluster.scheduler_address)
    assert busy.returncode == 2 and "holds no earlier build" in busy.stderr
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"
    not_built = kg("load", tmp_path / "busy", "--store", tmp_path / "store")
    assert not_built.returncode == 2 and "not the folder of a finished kg build" in not_built.stderr
