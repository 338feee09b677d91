"""What a user sees when the real world sends bad input, end to end through the ``kg`` command.

Every case is one clear line naming the file; a batch goes on with the rest and exits 1;
``kg extract`` on one bad file exits 2. docs/robustness.md maps each case to its test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from typer.testing import CliRunner

from kg.cli import app
from kg.model import Article
from kg.pipeline import article_graph
from kg.read import read_article, read_text
from kg.store import open_store
from kg.vocab import DIP

ROOT = Path(__file__).resolve().parents[1]
STORY = ("Pedro Sánchez meets Macron in Málaga\n\n"
         "Spanish Prime Minister Pedro Sánchez met French President Emmanuel Macron in Málaga on Friday.\n")


def story(day: str) -> str:
    """A story of its own (the key of an undated article is its headline), with accents to decode."""
    return STORY.replace("Málaga\n", f"Málaga on {day}\n").replace("Friday", day)


PROSE = ("French President Emmanuel Macron met British Prime Minister Keir Starmer in Paris on Friday to "
         "discuss security guarantees for Ukraine.")

#: file name -> (content, the message after "FILE: " that names what is wrong)
BAD: dict[str, tuple[bytes, str]] = {
    "empty.txt": (b"", "empty file (give an article with a title and body)"),
    "blank.md": (b" \n\t\r\n ", "empty file (give an article with a title and body)"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "binary file, not text"),
    "nul-bytes.txt": (b"Title\n\nBody \x00\x00 with NULs\x00", "binary file, not text"),
    "bad-utf16.txt": (b"\xff\xfe" + b"\x00\xd8" * 3, "invalid UTF-16 text after its byte-order mark"),
    "truncated-head.html": (b"<!DOCTYPE html><html><head><title>Summit ends</title><meta name=",
                            "no article text found in the HTML"),
    "scripts-only.html": (b"<html><head><script>var a = 1;</script></head><body><script>track()</script>"
                          b"<noscript>Enable JavaScript</noscript></body></html>", "no article text found in the HTML"),
    "invalid.json": (b'{"title": "T",\n "text": }', "invalid JSON: Expecting value"),
    "array.json": (b'[{"title": "T", "text": "B"}]', "expected a JSON object with 'title' and 'text', not a list"),
    "missing-title.json": (b'{"text": "Body."}', "missing required field 'title'"),
    "missing-text.json": (b'{"title": "T"}', "missing required field 'text'"),
    "number-title.json": (b'{"title": 3, "text": "Body."}', "field 'title' must be a string, not int"),
    "list-text.json": (b'{"title": "T", "text": ["a", "b"]}', "field 'text' must be a string, not list"),
    "object-author.json": (b'{"title": "T", "text": "Body.", "author": {"name": "X"}}',
                           "field 'author' must be a string, not dict"),
    "number-date.json": (b'{"title": "T", "text": "Body.", "published": 20250101}',
                         "field 'published' must be a string, not int"),
    "bool-url.json": (b'{"title": "T", "text": "Body.", "url": true}', "field 'url' must be a string, not bool"),
    "word-date.json": (b'{"title": "T", "text": "Body.", "published": "soon"}',
                       "field 'published' is not a date: 'soon'"),
}
#: file name -> content: odd but readable, each must be stored with its title intact
GOOD: dict[str, bytes] = {
    "latin-1.txt": story("Monday").encode("latin-1"),
    "cp1252.txt": story("Friday").replace("meets", "meets “quietly”").encode("cp1252"),
    "utf-16-bom.txt": story("Tuesday").encode("utf-16"),  # Python writes the byte-order mark
    "utf-16-be-bom.txt": b"\xfe\xff" + story("Wednesday").encode("utf-16-be"),
    "utf-8-bom.txt": story("Thursday").encode("utf-8-sig"),
    "truncated-body.html": ("<!DOCTYPE html><html><head><title>Leaders talk in Paris</title></head><body><article>"
                            f"<h1>Leaders talk in Paris</h1><p>{PROSE}</p><p>The two leaders agreed to hold fur"
                            ).encode(),
    "undated.json": json.dumps({"title": "Leaders meet in Paris", "text": PROSE}).encode(),
}


def _write(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)


def _kg(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def _rejected_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("rejected: ")]


# ---- every kind of bad input in one batch -------------------------------------------------------------

def test_a_batch_reports_each_bad_file_on_one_line_stores_the_rest_and_exits_1(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    _write(inputs, {name: content for name, (content, _) in BAD.items()})
    _write(inputs, GOOD)
    proc = _kg("ingest", str(inputs), "--store", str(tmp_path / "s"), "--workers", "2")
    assert proc.returncode == 1, proc.stderr
    lines = _rejected_lines(proc.stderr)
    assert len(lines) == len(BAD), proc.stderr
    for name, (_, message) in BAD.items():  # the message, then maybe how to fix it, on the file's one line
        prefix = f"rejected: {inputs / name}: read: {message}"
        assert sum(line == prefix or line.startswith(prefix + " (") for line in lines) == 1, (name, proc.stderr)
    assert f"{len(GOOD)} articles stored, {len(BAD)} rejected" in proc.stderr
    with open_store(tmp_path / "s", read_only=True) as st:
        assert len(st.article_keys()) == len(GOOD)
        titles = sorted(q.object.value for q in st.oxigraph.quads_for_pattern(
            None, ox.NamedNode("https://schema.org/headline"), None, None))
        quarantined = st.quarantine_file.read_text(encoding="utf-8").splitlines()
    assert len(quarantined) == len(BAD)
    # each encoding decoded right: accents and curly quotes intact
    assert set(titles) >= {"Pedro Sánchez meets “quietly” Macron in Málaga on Friday",
                           *(f"Pedro Sánchez meets Macron in Málaga on {day}"
                             for day in ("Monday", "Tuesday", "Wednesday", "Thursday"))}, titles


@pytest.mark.parametrize("name", sorted(BAD))
def test_extract_on_a_bad_file_is_one_line_naming_it_and_exit_2(tmp_path: Path, name: str) -> None:
    content, message = BAD[name]
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["extract", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: {path}{':2' if name == 'invalid.json' else ''}: "
                                                  f"{message}" + _rest(result.stderr, message)]
    assert result.stdout == ""


def _rest(stderr: str, message: str) -> str:
    """Whatever follows the asserted message on its line (a column number, a fix)."""
    line = stderr.strip()
    return line[line.index(message) + len(message):]


@pytest.mark.parametrize("name", sorted(GOOD))
def test_odd_but_readable_files_are_read_right(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(GOOD[name])
    article = read_article(path)
    if name.endswith(".txt"):
        encoding = {"latin-1.txt": "latin-1", "cp1252.txt": "cp1252", "utf-8-bom.txt": "utf-8-sig"}
        text = GOOD[name].decode(encoding.get(name, "utf-16")).lstrip("\ufeff")
        assert article.title == text.split("\n\n")[0] and "Sánchez" in article.title
        assert article.paragraphs == (text.split("\n\n")[1].strip(),)
    else:
        assert article.title.startswith("Leaders") and article.paragraphs[0] == PROSE
        if name.endswith(".html"):  # what the cut-off page holds is kept, the cut paragraph too
            assert article.paragraphs[1:] == ("The two leaders agreed to hold fur",)


# ---- an article without a date --------------------------------------------------------------------------

def test_without_a_date_relative_dates_stay_unknown_never_guessed() -> None:
    undated = read_text(json.dumps({"title": "Leaders meet in Paris", "text": PROSE}), fmt="json")
    dated = read_text(json.dumps({"title": "Leaders meet in Paris", "text": PROSE,
                                  "published": "2025-03-09T10:00:00Z"}), fmt="json")
    assert undated.published is None

    def meeting_dates(article: Article) -> tuple[int, list[str]]:
        g = article_graph(article)
        meetings = set(g.subjects(None, DIP.Meeting))
        return len(meetings), sorted(str(o) for m in meetings for o in g.objects(m, DIP.date))

    assert meeting_dates(dated) == (1, ["2025-03-07"])  # "on Friday" before Sunday 9 March
    assert meeting_dates(undated) == (1, [])  # the meeting is kept, its date stays unknown


# ---- unreadable files and folders, for real even as root ----------------------------------------------------

#: run in a new interpreter: ``kg WARM`` once as root on readable copies, output discarded (it imports
#: every module the command needs: 'nobody' may not read the interpreter's library under /root), then
#: drop to the 'nobody' user and group and run ``kg ARGS`` for real
AS_NOBODY = """
import json, os, sys
from kg.cli import app
warm, args = json.loads(sys.argv[1])
if os.geteuid() == 0:
    out, err = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = open(os.devnull, "w")
    try:
        app(warm, prog_name="kg")
    except SystemExit:
        pass
    sys.stdout, sys.stderr = out, err
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
    assert os.geteuid() == 65534
app(args, prog_name="kg")
"""


def kg_as_nobody(args: list[str], warm: list[str]) -> subprocess.CompletedProcess[str]:
    """``kg ARGS`` as the 'nobody' user when we are root (as CI is: root reads any file whatever its mode)."""
    return subprocess.run([sys.executable, "-c", AS_NOBODY, json.dumps([warm, args])], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder 'nobody' can use (pytest's tmp_path is under root's private folder)."""
    folder = Path(tempfile.mkdtemp(prefix="kg-nobody-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):  # give the test's chmod 0 folders back to the cleanup
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_unreadable_files_and_folders_in_a_batch(shared_dir: Path, tmp_path: Path) -> None:
    inputs = shared_dir / "in"
    _write(inputs, {"a-secret.txt": STORY.encode(), "b-open.txt": STORY.replace("Málaga", "Madrid").encode()})
    _write(inputs / "c-locked", {"inside.txt": STORY.encode()})
    (inputs / "a-secret.txt").chmod(0)
    (inputs / "c-locked").chmod(0)
    for path in (inputs, inputs / "b-open.txt"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    store = shared_dir / "store"
    warm = tmp_path / "warm"
    _write(warm, {"a.txt": STORY.encode(), "b.txt": b""})
    warm_ingest = ["ingest", str(warm), "--store", str(tmp_path / "warm-store"), "--workers", "1"]

    proc = kg_as_nobody(["ingest", str(inputs), "--store", str(store), "--workers", "1"], warm_ingest)
    assert proc.returncode == 1, proc.stderr
    assert _rejected_lines(proc.stderr) == [
        f"rejected: {inputs / 'a-secret.txt'}: read: permission denied (make the file readable)",
        f"rejected: {inputs / 'c-locked'}: read: permission denied: cannot list this folder, its articles were "
        "not read (make the folder readable (chmod +rx))",
    ], proc.stderr
    assert "1 articles stored, 2 rejected" in proc.stderr
    with open_store(store, read_only=True) as st:
        assert len(st.article_keys()) == 1

    proc = kg_as_nobody(["extract", str(inputs / "a-secret.txt")], ["extract", str(warm / "a.txt")])
    assert (proc.returncode, proc.stderr.strip()) == (
        2, f"error: {inputs / 'a-secret.txt'}: permission denied (make the file readable)")


# ---- size and number of files ------------------------------------------------------------------------------------

def test_a_50_mb_file_is_refused_and_the_batch_goes_on(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    _write(inputs, {"a-ok.txt": STORY.encode()})
    big = inputs / "big.txt"
    line = b"Leaders met again in Brussels to talk about the weather and nothing else at all.\n"
    with big.open("wb") as fh:  # a real 50 MB file, not a sparse one
        fh.write(line * (50 * 1024 * 1024 // len(line)))
        fh.write(b"x" * (50 * 1024 * 1024 - fh.tell()))
    assert big.stat().st_size == 50 * 1024 * 1024
    proc = _kg("ingest", str(inputs), "--store", str(tmp_path / "s"), "--workers", "1")
    assert proc.returncode == 1
    assert _rejected_lines(proc.stderr) == [
        f"rejected: {big}: read: file too large (52,428,800 bytes; the limit is 20,971,520) "
        "(split it into one file per article)"]
    assert "1 articles stored, 1 rejected" in proc.stderr
    result = CliRunner().invoke(app, ["extract", str(big)])
    assert result.exit_code == 2 and "big.txt: file too large (52,428,800 bytes" in result.stderr


@pytest.mark.slow
def test_a_folder_of_3000_files_goes_through_with_a_right_summary(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    bad = set()
    for i in range(3000):
        sub = inputs / f"part{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 100 == 7:
            (sub / f"a{i:04d}.txt").write_bytes(b"\x00\x01binary")
            bad.add(sub / f"a{i:04d}.txt")
        elif i % 100 == 8:
            (sub / f"a{i:04d}.json").write_text('{"title": 1, "text": "x"}')
            bad.add(sub / f"a{i:04d}.json")
        else:
            (sub / f"a{i:04d}.txt").write_text(f"Story {i}\n\nLeaders met for the {i}th time.\n")
    proc = _kg("ingest", str(inputs), "--store", str(tmp_path / "s"), "--workers", "2")
    assert proc.returncode == 1
    lines = _rejected_lines(proc.stderr)
    assert len(lines) == 60 and {line.split(": ")[1] for line in lines} == {str(p) for p in bad}
    assert "2940 articles stored, 60 rejected" in proc.stderr
    stats = _kg("stats", "--store", str(tmp_path / "s"), "--json")
    assert json.loads(stats.stdout)["articles"] == 2940 and json.loads(stats.stdout)["rejected"] == 60


def test_hostile_names_and_sentences_give_valid_rdf_in_every_format(tmp_path: Path) -> None:
    hostile = 'Zelensky "the \\ one" <b>&</b> {x} é 😀 ^`| met'
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"title": f'Summit: "{hostile}" > all', "published": "2025-03-07",
                                "text": f"French President Emmanuel Macron said \"no\\n\" {hostile}.\n\n{PROSE}"}))
    reference = None
    for fmt, parser in (("turtle", "turtle"), ("nt", "nt"), ("trig", "trig"), ("nquads", "nquads"),
                        ("jsonld", "json-ld")):
        result = CliRunner().invoke(app, ["extract", str(path), "--format", fmt])
        assert result.exit_code == 0, result.output
        ds = Dataset()
        ds.parse(data=result.stdout_bytes, format=parser)
        got = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            got.add((s, p, o))
        assert any(hostile in str(o) for o in got.objects())
        if reference is None:
            reference = got
        assert set(got) == set(reference), fmt
