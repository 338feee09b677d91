"""What a hostile tester and a new user found (issue 17), through the real ``kg`` command.

File names that are not UTF-8 or hold Rich markup or newlines, typos in paths, finding and
removing an article, the numbers of ``kg stats``, ``--help``, and the flagship question.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MERGE = Path(__file__).parent / "data" / "store" / "merge"


def kg(*args: str | bytes, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.fixture(scope="module")
def samples_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled samples ingested once, as the README's demo does."""
    store = tmp_path_factory.mktemp("samples") / "kg-data"
    done = kg("ingest", str(ROOT / "samples"), "--store", str(store), "--workers", "1")
    assert done.returncode == 0, done.stderr
    yield store


# ---- 7: a file name that is not UTF-8 ----------------------------------------------------------

def test_a_file_name_that_is_not_utf8_is_a_reject_of_that_file_only(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(MERGE / "call-a.json", inputs / "good.json")
    bad = os.fsencode(inputs) + b"/bad\xff.json"
    Path(os.fsdecode(bad)).write_bytes((MERGE / "call-b.json").read_bytes())
    odd_folder = os.fsencode(inputs) + b"/folder\xfe"
    os.mkdir(odd_folder)
    Path(os.fsdecode(odd_folder + b"/fine.json")).write_text(
        json.dumps({**json.loads((MERGE / "call-a.json").read_text()), "title": "Another report", "url": "x:2"}))
    store = tmp_path / "s"
    done = kg("ingest", str(inputs), "--store", str(store), "--workers", "2")
    assert done.returncode == 1
    assert "rejected: " + str(inputs) + "/bad\\xff.json: read: file name is not valid UTF-8" in done.stderr
    assert "2 articles stored, 1 rejected" in done.stderr  # the folder's odd name is no reason to reject its file
    [record] = [json.loads(line) for line in (store / "quarantine.jsonl").read_text("utf-8").splitlines()]
    assert record["file"].endswith("bad\\xff.json")


def test_kg_extract_names_a_file_name_that_is_not_utf8_with_escapes(tmp_path: Path) -> None:
    bad = os.fsencode(tmp_path) + b"/caf\xe9.json"
    Path(os.fsdecode(bad)).write_bytes((MERGE / "call-a.json").read_bytes())
    done = kg("extract", bad)
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {tmp_path}/caf\\xe9.json: file name is not valid UTF-8 (rename the file)"


# ---- 8: Rich markup and newlines in messages ------------------------------------------------------

def test_markup_in_file_and_folder_names_is_printed_as_text(tmp_path: Path) -> None:
    inputs = tmp_path / "[" / "b]"  # the folder's path reads .../[/b]
    inputs.mkdir(parents=True)
    (inputs / "empty.txt").write_text("")
    (inputs / "[red]x.txt").write_text("")
    done = kg("ingest", str(inputs), "--store", str(tmp_path / "s"))
    assert done.returncode == 1
    assert f"rejected: {tmp_path}/[/b]/empty.txt: read: empty file" in done.stderr
    assert f"rejected: {tmp_path}/[/b]/[red]x.txt: read: empty file" in done.stderr


def test_a_newline_in_a_file_name_cannot_forge_an_output_line(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a\nerror: store deleted.txt").write_text("")
    done = kg("ingest", str(inputs), "--store", str(tmp_path / "s"))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert not any(line.startswith("error: store deleted") for line in lines)
    assert any(line.endswith("a\\nerror: store deleted.txt: read: empty file (give an article with a title and body)")
               for line in lines)


def test_markup_in_a_param_key_is_printed_as_text(samples_store: Path) -> None:
    done = kg("query", "pledges-by-country", "--param", "[/]=x", "--store", str(samples_store))
    assert done.returncode == 2
    assert "unknown parameter '[/]' for query pledges-by-country" in done.stderr


def test_markup_in_a_server_error_is_printed_as_text() -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = b"broken [/] query [bold]here"
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = kg("query", "most-active-leaders", "--endpoint", f"http://127.0.0.1:{server.server_port}/q")
    finally:
        server.shutdown()
    assert done.returncode == 2
    assert "broken [/] query [bold]here" in done.stderr


# ---- 12: a key that is not one -------------------------------------------------------------------

def test_export_of_an_unknown_article_is_a_clear_error(samples_store: Path) -> None:
    done = kg("export", "--article", "x>", "--store", str(samples_store))
    assert done.returncode == 2
    assert "no article 'x>' in the store" in done.stderr and "kg articles" in done.stderr


# ---- 15: a typo in a path -------------------------------------------------------------------------

def test_a_missing_path_is_an_error_of_the_command_not_a_quarantined_article(tmp_path: Path) -> None:
    store = tmp_path / "kg-data"
    done = kg("ingest", str(ROOT / "samples"), "more-articles/", "--store", str(store))
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: more-articles: no such file or folder "
                                   "(check the path; nothing was ingested)")
    assert not (store / "quarantine.jsonl").exists()


# ---- 16: finding and removing articles -------------------------------------------------------------

def test_articles_are_listed_found_by_file_name_and_removed(samples_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg-data"
    shutil.copytree(samples_store, store)
    listed = kg("articles", "--store", str(store), "--format", "json")
    assert listed.returncode == 0, listed.stderr
    articles = json.loads(listed.stdout)
    assert {a["source"] for a in articles} == {p.name for p in (ROOT / "samples").iterdir()}
    s003 = next(a for a in articles if a["source"] == "s003.txt")
    assert s003["title"] and s003["date"].startswith("2025-") and s003["facts"] > 0
    table = kg("articles", "--store", str(store))
    assert s003["key"] in table.stdout and "s003.txt" in table.stdout
    by_key = kg("export", "--article", s003["key"], "--store", str(store))
    by_name = kg("export", "--article", "samples/s003.txt", "--store", str(store))
    assert by_key.returncode == 0 and by_key.stdout == by_name.stdout and "Article" in by_key.stdout
    d23 = next(a for a in articles if a["source"] == "d23.json")
    by_url = kg("export", "--article", d23["url"], "--store", str(store))
    assert by_url.stdout == kg("export", "--article", d23["key"], "--store", str(store)).stdout
    removed = kg("remove", "s003.txt", "--store", str(store))
    assert removed.returncode == 0, removed.stderr
    assert f"removed {s003['key']}" in removed.stderr
    after = json.loads(kg("articles", "--store", str(store), "--format", "json").stdout)
    assert len(after) == len(articles) - 1 and s003["key"] not in {a["key"] for a in after}
    again = kg("remove", "s003.txt", "--store", str(store))
    assert again.returncode == 2 and "no article 's003.txt' in the store" in again.stderr


# ---- 18: kg stats ---------------------------------------------------------------------------------

def test_stats_numbers_are_the_ones_export_writes(samples_store: Path, tmp_path: Path) -> None:
    stats = json.loads(kg("stats", "--store", str(samples_store), "--json").stdout)
    written = {}
    for fmt in ("trig", "turtle"):
        done = kg("export", "--format", fmt, "-o", str(tmp_path / f"x.{fmt}"), "--store", str(samples_store))
        written[fmt] = int(re.search(r"wrote (\d+) statements", done.stderr).group(1))  # type: ignore[union-attr]
    assert stats["statements"] == written["trig"]
    assert stats["triples"] == written["turtle"]
    assert stats["articles"] == len(list((ROOT / "samples").iterdir())) and stats["rejected"] == 0
    text = kg("stats", "--store", str(samples_store)).stdout.splitlines()
    assert any(line.startswith("dip:VideoConference") or line.startswith("dip:Organization") for line in text)
    columns = {len(m.group(1)) for line in text if (m := re.match(r"(\S+(?: \S+)?\s+)\S", line))}
    assert len(columns) == 1, f"values not aligned: {text}"
    assert not any(key in " ".join(text) for key in ("quads", "sameAs_links"))


# ---- 21: --help --------------------------------------------------------------------------------------

COMMANDS = ["extract", "ingest", "articles", "remove", "queries", "query", "stats", "validate", "reason",
            "export", "publish", "push", "serve"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_no_python_type_names_and_has_examples(command: str) -> None:
    done = subprocess.run([sys.executable, "-m", "kg", command, "--help"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0
    found = re.findall(r"<(?:bool|str|int|float|path|list\[[^>]*\]|[a-z]+ range)>", done.stdout)
    assert not found, f"kg {command} --help shows {found}"
    assert "Examples:" in done.stdout and f"kg {command}" in done.stdout.split("Examples:")[1]


def test_queries_say_what_each_parameter_accepts() -> None:
    done = kg("queries")
    text = done.stdout
    assert "--param country=…  (required) the pledging country: ISO 3166-1 alpha-2 code (FR), name (France)" in text
    assert "e.g. kg query pledges-by-country --param country=FR" in text
    assert "--param leader=…  (required) the leader's name" in text


# ---- 22: the flagship question -----------------------------------------------------------------------

def test_countries_pledging_troops_answers_with_countries_and_shows_organisations_apart(samples_store: Path) -> None:
    done = kg("query", "countries-pledging-troops", "--format", "json", "--store", str(samples_store))
    doc = json.loads(done.stdout)
    assert doc["head"]["vars"][:2] == ["pledger", "kind"]
    rows = [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]
    kinds = [r["kind"] for r in rows]
    assert kinds[0] == "country" and kinds == sorted(kinds, key=lambda k: k != "country")
    for r in rows:
        if r["kind"] == "country":
            assert "/country/" in r["pledger"] and re.fullmatch(r"[A-Z]{2}", r["iso"])
        else:
            assert "/country/" not in r["pledger"]
    coalition = [r for r in rows if r["pledger"].endswith("/org/coalition-of-the-willing")]
    assert coalition and coalition[0]["kind"] == "organisation"


def test_readme_demo_output_matches_the_demo(samples_store: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"The demo prints:\n\n```\n(.*?)```", readme, re.S)
    assert block
    shown = block.group(1).splitlines()
    done = subprocess.run([sys.executable, "-m", "kg", "query", "countries-pledging-troops", "--store",
                           str(samples_store)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})
    actual = done.stdout.splitlines()
    assert shown[:3] == actual[:3], "the README's table header is not the demo's"
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in actual[3:] if line.startswith("│")]
    for line in shown[3:]:
        if line.startswith("│") and "..." not in line:
            readme_cells = [c.strip() for c in line.split("│")[1:-1]]
            assert readme_cells[:4] in [c[:4] for c in cells], f"README row not in the demo's answer: {line}"


# ---- 20: the README stands alone; the test script says what it does as root ---------------------

def test_readme_links_only_to_files_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme
    for target in re.findall(r"\]\(([^)\s]+)\)", readme):
        if not re.match(r"[a-z]+:", target):
            assert (ROOT / target.split("#")[0]).exists(), f"README links to a missing file: {target}"


def test_test_script_announces_apt_get_and_can_skip_it(tmp_path: Path) -> None:
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    before_install = script.split("apt-get install")[0]
    assert "echo" in before_install.split("\n\n")[-1] and "KG_TEST_NO_APT" in script
    assert "skipped" in script
