"""Synthetic diplomacy news for benchmarks: every input format, deterministic from a seed.

Article ``i`` depends only on ``(seed, i)``, so the first 1,000 articles of a
10,000-article corpus are the 1,000-article corpus. Names come from the
project's own gazetteers (``kg/data/leaders.tsv``, ``demonyms.tsv``,
``places.tsv``), so the extractor meets real leaders, demonyms and cities; the
sentences mix calls, visits, summits, pledges, refusals, hypotheticals and
filler, and page dumps end with the site junk real pages carry.

    python -m bench.generate --n 1000 --seed 7 --out /tmp/corpus-1k
"""

from __future__ import annotations

import argparse
import json
import random
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from kg.datafiles import read_tsv

ROLE_TITLES = {"president": "President", "prime_minister": "Prime Minister", "chancellor": "Chancellor",
               "foreign_minister": "Foreign Minister", "defence_minister": "Defence Minister"}
FORMATS = ("dump", "wire", "readout", "html", "json")
MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
AUTHORS = ("Kateryna Hodunova", "Martin Fornusek", "Olena Goncharova", "Daniel Ruiz", "Amelia Hart",
           "Tomasz Nowak", "Ines Duarte", "Kenji Sato", "Priya Raman", "Lukas Berger")
AGENCIES = ("Reuters", "AFP", "AP", "dpa", "Kyodo")
RECIPIENTS = ("UA", "MD", "GE", "PS", "LB", "SD", "SO", "AM", "HT", "SY")
AMOUNTS = ("€{n} billion", "${n} billion", "£{n} million", "{n},000 troops", "{n} air defence systems")
FILLER = (
    "Officials said the discussions focused on energy security, trade and rebuilding damaged infrastructure.",
    "Markets were little changed after the announcement, with analysts saying the details were still unclear.",
    "The talks come amid growing pressure on governments to coordinate their response to the crisis.",
    "Opposition lawmakers criticised the government for not consulting parliament before the announcement.",
    "Diplomats cautioned that any agreement would take months to implement.",
    "A joint statement is expected to be published later, according to people familiar with the matter.",
)
JUNK = ("News Feed", "MORE NEWS", "Subscribe to our newsletter", "Read also: Markets close higher as oil slips",
        "Most popular", "Support independent journalism. Become a member today.")


@dataclass(frozen=True)
class Person:
    name: str
    iso: str
    title: str  # "French President"

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


@cache
def _people() -> tuple[Person, ...]:
    demonym: dict[str, str] = {}
    for row in read_tsv("demonyms.tsv"):
        demonym.setdefault(row["iso"], row["demonym"])
    people = []
    for row in read_tsv("leaders.tsv"):
        title = ROLE_TITLES.get(row["role"])
        if title and row["country"] in demonym and len(row["label"].split()) in (2, 3):
            people.append(Person(row["label"], row["country"], f"{demonym[row['country']]} {title}"))
    return tuple(people)


@cache
def _countries() -> dict[str, str]:
    return {row["iso"]: row["label"] for row in read_tsv("countries.tsv")}


@cache
def _cities() -> tuple[tuple[str, str], ...]:
    return tuple((row["label"], row["iso"]) for row in read_tsv("places.tsv") if row["iso"])


def _day(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}"


class Writer:
    """One article's text, from its own random stream."""

    def __init__(self, rng: random.Random, published: datetime) -> None:
        self.rng = rng
        self.published = published
        self.introduced: set[str] = set()

    def who(self, p: Person) -> str:
        if p.name in self.introduced:
            return p.surname
        self.introduced.add(p.name)
        return f"{p.title} {p.name}"

    def when(self) -> str:
        back = self.rng.randint(1, 6)
        d = self.published.date() - timedelta(days=back)
        relative = "yesterday" if back == 1 else f"on {_day(d)}"
        return self.rng.choice((f"on {d.strftime('%A')}", f"on {_day(d)}", relative))

    def later(self) -> str:
        d = self.published.date() + timedelta(days=self.rng.randint(3, 20))
        return f"on {_day(d)}"

    def meeting(self, a: Person, b: Person) -> str:
        city, _iso = self.rng.choice(_cities())
        forms = (
            lambda: f"{self.who(a)} spoke by phone with {self.who(b)} {self.when()}, discussing the front line.",
            lambda: f"{self.who(a)} met {self.who(b)} in {city} {self.when()} to discuss security cooperation.",
            lambda: f"{self.who(a)} and {self.who(b)} held talks in {city} {self.when()}.",
            lambda: f"{self.who(a)} will host {self.who(b)} at a summit in {city} {self.later()}.",
            lambda: f"{self.who(a)} held a video call with {self.who(b)} {self.when()}.",
        )
        return self.rng.choice(forms)()

    def pledge(self, iso: str) -> str:
        country = _countries()[iso]
        to = _countries()[self.rng.choice(RECIPIENTS)]
        amount = self.rng.choice(AMOUNTS).format(n=self.rng.randint(2, 9))
        forms = (
            f"{country} pledged {amount} in military aid to {to}, the government said.",
            f"{country} is ready to send troops to {to} as part of a reassurance force, officials said.",
            f"{country} will provide air defence systems to {to} before the winter.",
            f"{country} committed {amount} in humanitarian aid for {to}.",
        )
        return self.rng.choice(forms)

    def refusal(self, iso: str) -> str:
        country = _countries()[iso]
        return self.rng.choice((f"{country} has ruled out sending troops.",
                                f"{country} could send peacekeepers if a ceasefire holds, a minister suggested."))

    def body(self, n_people: int = 3) -> tuple[str, list[str]]:
        people = self.rng.sample(_people(), n_people)
        first = self.meeting(people[0], people[1])
        paras = [first]
        for _ in range(self.rng.randint(2, 5)):
            roll = self.rng.random()
            if roll < 0.35:
                paras.append(self.meeting(*self.rng.sample(people, 2)))
            elif roll < 0.6:
                paras.append(self.pledge(self.rng.choice(people).iso))
            elif roll < 0.7:
                paras.append(self.refusal(self.rng.choice(people).iso))
            else:
                paras.append(self.rng.choice(FILLER))
        headline = f"{people[0].surname} and {people[1].surname} discuss security as allies weigh support"
        return headline, paras


def _page_dump(w: Writer, title: str, paras: list[str], author: str) -> str:
    p = w.published
    byline = f"by {author} {p.strftime('%B')} {p.day}, {p.year} {p.strftime('%I:%M %p').lstrip('0')} 3 min read"
    caption = "Leaders arrive for talks. (Photo by staff photographer)"
    junk = w.rng.sample(JUNK, 3)
    return "\n\n".join([title, byline, caption, *paras, *junk, "Related: Ceasefire talks stall as winter nears"]) + "\n"


def _wire(w: Writer, title: str, paras: list[str], _author: str) -> str:
    city, _ = w.rng.choice(_cities())
    head = f"{city.upper()}, {w.published.strftime('%B')} {w.published.day} ({w.rng.choice(AGENCIES)}) - {paras[0]}"
    return "\n\n".join([title, head, *paras[1:], "(Reporting by staff; Editing by desk)"]) + "\n"


def _readout(w: Writer, title: str, paras: list[str], _author: str) -> str:
    p = w.published
    head = f"Readout: {title}: {p.day} {p.strftime('%B')} {p.year}"
    return "\n\n".join([head, "A spokesperson said:", *paras]) + "\n"


def _html(w: Writer, title: str, paras: list[str], author: str) -> str:
    body = "\n".join(f"<p>{x}</p>" for x in paras)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="author" content="{author}">'
            f'<meta property="article:published_time" content="{w.published.isoformat()}"></head><body>'
            '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
            f"<article><h1>{title}</h1>{body}</article>"
            f'<aside><h3>Most read</h3><ul><li>{w.rng.choice(JUNK)}</li></ul></aside>'
            "<footer>Cookies help us deliver our services.</footer></body></html>\n")


def _json(w: Writer, title: str, paras: list[str], author: str) -> str:
    doc = {"url": f"https://news.example/{w.published:%Y/%m/%d}/{zlib.crc32(title.encode()):08x}", "title": title,
           "author": author, "published": w.published.isoformat(), "text": "\n\n".join(paras)}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


WRITERS = {"dump": (_page_dump, ".txt"), "wire": (_wire, ".txt"), "readout": (_readout, ".txt"),
           "html": (_html, ".html"), "json": (_json, ".json")}


def article(seed: int, i: int) -> tuple[str, str]:
    """Article ``i``: (file name, content)."""
    rng = random.Random(seed * 1_000_003 + i)
    published = datetime(2023, 1, 1, 8) + timedelta(days=rng.randint(0, 1000), minutes=rng.randint(0, 600))
    w = Writer(rng, published)
    title, paras = w.body()
    fmt = FORMATS[i % len(FORMATS)]
    write, suffix = WRITERS[fmt]
    return f"a{i:06d}-{fmt}{suffix}", write(w, title, paras, rng.choice(AUTHORS))


def generate(out: Path, n: int, seed: int = 7) -> Path:
    """Write ``n`` articles into ``out/articles`` (folders of 1,000); returns that folder."""
    articles = out / "articles"
    for i in range(n):
        name, text = article(seed, i)
        folder = articles / f"{i // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    (out / "MANIFEST.json").write_text(json.dumps({"n": n, "seed": seed}) + "\n", encoding="utf-8")
    return articles


def ensure(out: Path, n: int, seed: int = 7) -> Path:
    """The articles folder of the corpus at ``out``, generated unless an identical one is there."""
    manifest = out / "MANIFEST.json"
    if manifest.is_file() and json.loads(manifest.read_text(encoding="utf-8")) == {"n": n, "seed": seed}:
        return out / "articles"
    return generate(out, n, seed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="number of articles")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    print(f"wrote {args.n} articles to {generate(args.out, args.n, args.seed)}")


if __name__ == "__main__":
    main()
