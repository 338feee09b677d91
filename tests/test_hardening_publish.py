"""kg publish and export on a real file system (issue 17, items 5, 12, 13, 17): links, stale pages, bad URLs, modes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace

from kg.errors import PublishError
from kg.publish import publish_site
from tests.test_publish_site import DIP, B, local_store

VOID = Namespace("http://rdfs.org/ns/void#")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def kg(*args: str, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI in a shell, with the umask a user or a deploy script sets."""
    cmd = " ".join(["exec", sys.executable, "-m", "kg", *(f"'{a}'" for a in args)])
    if umask is not None:
        cmd = f"umask {umask:03o}; {cmd}"
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# ---- 5. links in the output folder are never followed; stale pages go -----------------------------------------------

def test_symlinks_planted_in_the_site_are_replaced_not_followed(tmp_path: Path) -> None:
    site, outside = tmp_path / "site", tmp_path / "outside"
    publish_site(local_store(), site, base_iri=B)
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("precious\n")
    page = site / "person" / "keir-starmer.html"
    page.unlink()
    page.symlink_to(victim)
    (outside / "dumps").mkdir()
    os.rename(site / "dumps", tmp_path / "old-dumps")
    (site / "dumps").symlink_to(outside / "dumps")

    publish_site(local_store(), site, base_iri=B)

    assert victim.read_text() == "precious\n" and list((outside / "dumps").iterdir()) == []
    assert not page.is_symlink() and "Keir Starmer" in page.read_text()
    assert not (site / "dumps").is_symlink() and (site / "dumps" / "diplomacy-kg.ttl").is_file()
    assert [p for p in site.rglob("*") if p.is_symlink()] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old-dumps", "outside", "site"]  # no temporary left


def test_pages_of_resources_the_data_no_longer_has_are_removed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    bigger = local_store()
    bigger.add(ox.Quad(ox.NamedNode(B + "person/gone-leader"), ox.NamedNode(RDF_TYPE), ox.NamedNode(DIP + "Leader"),
                       ox.NamedNode(B + "graph/entities")))
    publish_site(bigger, site, base_iri=B)
    assert (site / "person" / "gone-leader.html").is_file()
    publish_site(local_store(), site, base_iri=B)
    assert not (site / "person" / "gone-leader.html").exists()
    assert not (site / "person" / "gone-leader.ttl").exists()
    fresh = tmp_path / "fresh"
    publish_site(local_store(), fresh, base_iri=B)
    assert files_of(site) == files_of(fresh)  # exactly what a first publish writes


def test_a_folder_that_is_not_a_site_is_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("years of work\n")
    with pytest.raises(PublishError, match="not empty and holds no site written by kg publish"):
        publish_site(local_store(), home, base_iri=B)
    assert files_of(home) == {"thesis.tex": b"years of work\n"}


# ---- 12. bad URLs: a clear error before anything is written ---------------------------------------------------------

@pytest.mark.parametrize("option, value", [("--site-url", "https://x.org/a b"),
                                           ("--sparql-endpoint", "javascript:alert(document.cookie)"),
                                           ("--sparql-endpoint", "https://x.org/\"><script>"),
                                           ("--base-iri", "https://x.org/kg /")])
def test_a_bad_url_is_refused_and_the_old_site_is_untouched(store_dir: Path, tmp_path: Path, option: str,
                                                            value: str) -> None:
    site = tmp_path / "site"
    assert kg("publish", str(site), "--store", str(store_dir)).returncode == 0
    before = files_of(site)
    result = kg("publish", str(site), option, value, "--store", str(store_dir))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "is not a valid" in line and "Traceback" not in result.stderr
    assert files_of(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "store"]
    new = tmp_path / "new-site"
    assert kg("publish", str(new), option, value, "--store", str(store_dir)).returncode == 2
    assert not new.exists()


# ---- 13. another base IRI: everything re-based ----------------------------------------------------------------------

def test_publish_under_another_base_iri_rebases_pages_and_dumps(store_dir: Path, tmp_path: Path) -> None:
    site, new = tmp_path / "site", "https://example.org/kg/"
    result = kg("publish", str(site), "--base-iri", new, "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    assert "wrote 13 resource pages" in result.stderr
    assert "example.org/kg/person/keir-starmer" in (site / "person" / "keir-starmer.ttl").read_text()
    dump = (site / "dumps" / "diplomacy-kg.nq").read_text()
    assert B not in dump and dump.count(new) > 50
    void = Graph().parse(site / "void.ttl", format="turtle")
    assert str(next(void.objects(None, VOID.uriSpace))) == new
    exported = kg("export", "--format", "nt", "--base-iri", new, "--store", str(store_dir))
    assert exported.returncode == 0 and B not in exported.stdout and new in exported.stdout


def test_a_base_iri_the_data_does_not_use_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match=r"no resource of the data is under the base IRI https://example\.org/kg/"):
        publish_site(local_store(), tmp_path / "site", base_iri="https://example.org/kg/")
    assert not (tmp_path / "site").exists()
    report = publish_site(local_store(), tmp_path / "site", base_iri="https://example.org/kg/", source_base=B)
    assert report.resources == 13


# ---- 17. modes follow the umask like any file ---------------------------------------------------------------------

@pytest.mark.parametrize("umask, file_mode, dir_mode", [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)])
def test_dumps_pages_and_exports_get_the_umask_modes(store_dir: Path, tmp_path: Path, umask: int, file_mode: int,
                                                     dir_mode: int) -> None:
    site = tmp_path / "site"
    assert kg("publish", str(site), "--store", str(store_dir), umask=umask).returncode == 0
    for path in [site, site / "dumps", site / "person"]:
        assert stat.S_IMODE(path.stat().st_mode) == dir_mode, path
    for path in [site / "dumps" / "diplomacy-kg.ttl", site / "dumps" / "diplomacy-kg.nq.gz", site / "index.html",
                 site / "person" / "keir-starmer.html"]:
        assert stat.S_IMODE(path.stat().st_mode) == file_mode, path
    out = tmp_path / "graph.trig"
    assert kg("export", "-f", "trig", "-o", str(out), "--store", str(store_dir), umask=umask).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == file_mode
