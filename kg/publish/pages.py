"""Resource pages in words: "met with", "pledged", "reported by", dates instead of predicates.

Each kind of resource (leader, country, organisation, place, meeting, pledge, article,
evidence) gets its own page body built from the ``Model`` (``views_data``): events sorted by
date, counts, the evidence sentence quoted with its article and a link to its character
span, and on an article's page the spans of its facts highlighted. The raw statements stay
at the bottom of every page, folded, for readers who want the RDF.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from html import escape

from kg.publish.html import Renderer, rel
from kg.publish.views_data import Entity, Event, Evidence, Model, sort_key

MAX_LIST = 500
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MODES = {"phone": "by phone", "in_person": "in person", "virtual": "by video", "hybrid": "in person and by video"}


def when(date: str) -> str:
    """``2025-03-02`` -> ``2 Mar 2025``; ``2025-03`` -> ``Mar 2025``; empty -> ``undated``."""
    parts = date[:10].split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return escape(date)
    return escape(date) if date else "undated"


class Pages:
    """Indexes the model once, then renders the body of any resource's page."""

    def __init__(self, model: Model, r: Renderer) -> None:
        self.m, self.r = model, r
        self.by_party: dict[str, list[Event]] = {}
        self.held_in: dict[str, list[Event]] = {}
        self.received: dict[str, list[Event]] = {}
        self.by_article: dict[str, list[Event]] = {}
        self.leaders_of: dict[str, list[Entity]] = {}
        self.places_in: dict[str, list[Entity]] = {}
        self.mentions: dict[str, list[Entity]] = {}
        self.cites: dict[tuple[str, int, int], list[Event]] = {}
        self.spans: dict[str, dict[tuple[int, int], Evidence]] = {}
        for e in model.evidence.values():
            self.spans.setdefault(e.article, {}).setdefault((e.start, e.end), e)
        for ev in sorted(model.events.values(), key=sort_key):
            for p in ev.parties:
                self.by_party.setdefault(p, []).append(ev)
            if ev.kind == "meeting" and ev.place:
                self.held_in.setdefault(ev.place, []).append(ev)
                place = model.entities.get(ev.place)
                if place is not None and place.kind == "place" and place.country:
                    self.held_in.setdefault(place.country, []).append(ev)
            if ev.recipient:
                self.received.setdefault(ev.recipient, []).append(ev)
            for a in ev.articles:
                self.by_article.setdefault(a, []).append(ev)
            for e in ev.evidence:
                self.cites.setdefault(e.key, []).append(ev)
        for ent in sorted(model.entities.values(), key=lambda e: (e.label.lower(), e.iri)):
            if ent.kind == "leader" and ent.country:
                self.leaders_of.setdefault(ent.country, []).append(ent)
            if ent.kind == "leader" and ent.heads:
                self.leaders_of.setdefault(ent.heads, []).append(ent)
            if ent.kind == "place" and ent.country:
                self.places_in.setdefault(ent.country, []).append(ent)
            for a in ent.articles:
                self.mentions.setdefault(a, []).append(ent)

    # ---- pieces ----
    def link(self, cur: str, iri: str, text: str | None = None) -> str:
        return self.r.link(cur, iri, text or self.m.label(iri))

    def names(self, cur: str, iris: Iterable[str]) -> str:
        return ", ".join(self.link(cur, i) for i in iris) or "—"

    def event_line(self, cur: str, ev: Event, me: str | None = None) -> str:
        if ev.kind == "meeting":
            others = [p for p in ev.parties if p != me]
            what = ("with " if me and me in ev.parties else "") + self.names(cur, others)
            if ev.place:
                what += " in " + self.link(cur, ev.place)
        else:
            what = self.names(cur, ev.parties) + " pledged " + escape(ev.type_label[len("Pledge of "):])
            if ev.amount:
                what += f" ({escape(ev.amount)})"
            if ev.recipient:
                what += " to " + self.link(cur, ev.recipient)
        status = ' <span class="dt">planned</span>' if ev.status == "planned" else ""
        return (f'<li class="event {ev.kind}"><span class="date">{when(ev.date)}</span> '
                f'<span class="type">{escape(ev.type_label.replace("Pledge of ", "Pledge: "))}</span> {what}{status} '
                f'· {self.link(cur, ev.iri, "details")}</li>')

    def events(self, cur: str, title: str, evs: list[Event], me: str | None = None) -> str:
        if not evs:
            return ""
        items = "".join(self.event_line(cur, ev, me) for ev in evs[:MAX_LIST])
        more = (f"<p>… and {len(evs) - MAX_LIST} more: see the "
                f'<a href="{escape(rel(cur, "views/timeline.html"))}">timeline</a>.</p>' if len(evs) > MAX_LIST else "")
        return f'<h2>{escape(title)} <span class="dt">{len(evs)}</span></h2><ul class="events">{items}</ul>{more}'

    def met_with(self, cur: str, evs: list[Event], selves: set[str]) -> str:
        counts = Counter(p for ev in evs if ev.kind == "meeting" for p in set(ev.parties) - selves)
        if not counts:
            return ""
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], self.m.label(kv[0]).lower()))
        items = ", ".join(f"{self.link(cur, iri)} <span class=\"dt\">×{n}</span>" for iri, n in ranked[:MAX_LIST])
        return f'<h2>Met with <span class="dt">{len(counts)}</span></h2><p>{items}</p>'

    def reported_by(self, cur: str, articles: Iterable[str]) -> str:
        arts = sorted({a for a in articles}, key=lambda a: (self.m.articles[a].date if a in self.m.articles else "", a))
        if not arts:
            return ""
        items = "".join(f'<li><span class="date">{when(self.m.articles[a].date) if a in self.m.articles else ""}'
                        f"</span> {self.link(cur, a)}</li>" for a in arts[:MAX_LIST])
        n = f"{len(arts)} article" + ("s" if len(arts) != 1 else "")
        return f'<h2>Reported by <span class="dt">{n}</span></h2><ul class="events">{items}</ul>'

    def quote(self, cur: str, e: Evidence) -> str:
        art = self.m.articles.get(e.article)
        target = self.r.pages.get(e.article)
        span = (f'<a href="{escape(rel(cur, target))}#{e.anchor}">characters {e.start}–{e.end}</a>' if target
                else f"characters {e.start}–{e.end}")
        date = f", {when(art.date)}" if art and art.date else ""
        return (f"<blockquote>“{escape(e.text)}”<cite>{self.link(cur, e.article)}{date} · {span}</cite>"
                "</blockquote>")

    @staticmethod
    def counts(items: list[tuple[int, str]]) -> str:
        return '<ul class="counts">' + "".join(f"<li><b>{n}</b> {escape(w)}</li>" for n, w in items) + "</ul>"

    # ---- pages ----
    def body(self, iri: str, cur: str) -> tuple[str, str] | None:
        """(title, HTML body) of a resource's page in words; None when the model does not know it."""
        if iri in self.m.entities:
            return self.entity(iri, cur)
        if iri in self.m.events:
            return self.event(iri, cur)
        if iri in self.m.articles:
            return self.article(iri, cur)
        if iri in self.m.evidence:
            e = self.m.evidence[iri]
            facts = self.cites.get(e.key, [])
            return "Evidence", ("<h1>Evidence</h1>" + self.quote(cur, e)
                                + self.events(cur, "Facts read from it", facts))
        return None

    def entity(self, iri: str, cur: str) -> tuple[str, str]:
        ent = self.m.entities[iri]
        sub: list[str] = []
        if ent.kind == "leader":
            role = escape(ent.role.capitalize()) if ent.role else "Leader"
            sub.append(role + (" of " + self.link(cur, ent.country) if ent.country else "")
                       + (", " + self.link(cur, ent.heads) if ent.heads else ""))
        elif ent.kind == "country":
            sub.append("Country" + (f" · ISO {escape(ent.iso)}" if ent.iso else ""))
        elif ent.kind == "place":
            sub.append("Place" + (" in " + self.link(cur, ent.country) if ent.country else ""))
        else:
            sub.append("Organisation")
        for same in sorted(ent.same_as):
            if same.startswith("http://www.wikidata.org/entity/"):
                sub.append(f'<a href="{escape(same)}" class="iri">Wikidata {escape(same.rsplit("/", 1)[-1])}</a>')
        aliases = sorted(ent.aliases - {ent.label})
        if aliases:
            sub.append("also written " + escape(", ".join(aliases)))
        selves = {iri} | ({p.iri for p in self.leaders_of.get(iri, [])} if ent.kind == "country" else set())
        own = self.by_party.get(iri, [])
        if ent.kind == "country":
            members = [ev for s in sorted(selves) for ev in self.by_party.get(s, [])]
            own = sorted({ev.iri: ev for ev in members}.values(), key=sort_key)
        meetings = [ev for ev in own if ev.kind == "meeting"]
        pledged = [ev for ev in own if ev.kind == "pledge"]
        received = self.received.get(iri, [])
        held = self.held_in.get(iri, [])
        leaders = self.leaders_of.get(iri, [])
        articles = set(ent.articles) | {a for ev in own for a in ev.articles}
        counts = [(len(meetings), "meetings"), (len(pledged), "pledges made"), (len(received), "pledges received"),
                  (len(held), "meetings held here"), (len(leaders), "leaders"), (len(articles), "articles")]
        parts = [f"<h1>{escape(ent.label)}</h1>", f'<p class="sub">{" · ".join(sub)}</p>',
                 self.counts([c for c in counts if c[0]])]
        if leaders:
            parts.append("<h2>Leaders</h2><ul>" + "".join(
                f"<li>{self.link(cur, le.iri)} <span class=\"dt\">{escape(le.role)}</span></li>" for le in leaders)
                + "</ul>")
        parts.append(self.met_with(cur, meetings, selves))
        title = "Meetings of " + ent.label + (" and its leaders" if ent.kind == "country" and leaders else "")
        parts.append(self.events(cur, title, meetings, iri))
        parts.append(self.events(cur, "Pledged", pledged, iri))
        parts.append(self.events(cur, "Pledges received", received, iri))
        parts.append(self.events(cur, "Meetings held here", held))
        places = self.places_in.get(iri, [])
        if places:
            parts.append("<h2>Places</h2><p>" + self.names(cur, [p.iri for p in places]) + "</p>")
        parts.append(self.reported_by(cur, articles))
        return ent.label, "".join(parts)

    def event(self, iri: str, cur: str) -> tuple[str, str]:
        ev = self.m.events[iri]
        rows: list[tuple[str, str]] = []
        if ev.kind == "meeting":
            title = ev.type_label + (" in " + self.m.label(ev.place) if ev.place else "")
            rows.append(("Who", self.names(cur, ev.parties)))
        else:
            title = ev.label or ev.type_label
            rows += [("Pledged by", self.names(cur, ev.parties)), ("What", escape(ev.type_label[len("Pledge of "):]))]
            if ev.amount:
                rows.append(("Amount", escape(ev.amount)))
            if ev.recipient:
                rows.append(("To", self.link(cur, ev.recipient)))
            if ev.conditional:
                rows.append(("Condition", "conditional"))
        date = when(ev.date) + (f' <span class="dt">written “{escape(ev.date_text)}”</span>' if ev.date_text else "")
        rows.append(("When", date))
        if ev.place:
            rows.append(("Where", self.link(cur, ev.place)))
        if ev.mode:
            rows.append(("How", escape(MODES.get(ev.mode, ev.mode.replace("_", " ")))))
        if ev.status:
            rows.append(("Status", escape(ev.status)))
        if ev.same_as:
            rows.append(("Also reported as", self.names(cur, sorted(ev.same_as))))
        table = '<table class="props">' + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"
        quotes = "".join(self.quote(cur, e) for e in ev.evidence)
        body = (f"<h1>{escape(title)}</h1><p class=\"sub\">{when(ev.date)}</p>{table}"
                + (f"<h2>Evidence</h2>{quotes}" if quotes else "") + self.reported_by(cur, ev.articles))
        return title, body

    def article(self, iri: str, cur: str) -> tuple[str, str]:
        art = self.m.articles[iri]
        title = art.title or art.source or "Article"
        sub = [when(art.date)] if art.date else []
        if art.author:
            sub.append("by " + escape(art.author))
        if art.source:
            sub.append(f"file <code>{escape(art.source)}</code>")
        if art.url.lower().startswith(("http://", "https://")):
            sub.append(f'<a href="{escape(art.url)}" class="iri">original</a>')
        evs = self.by_article.get(iri, [])
        leaders = [e for e in self.mentions.get(iri, []) if e.kind == "leader"]
        meetings = [ev for ev in evs if ev.kind == "meeting"]
        pledges = [ev for ev in evs if ev.kind == "pledge"]
        parts = [f"<h1>{escape(title)}</h1>", f'<p class="sub">{" · ".join(sub)}</p>',
                 self.counts([c for c in ((len(meetings), "meetings"), (len(pledges), "pledges"),
                                          (len(leaders), "leaders")) if c[0]])]
        if leaders:
            parts.append("<h2>Leaders named</h2><p>" + self.names(cur, [e.iri for e in leaders]) + "</p>")
        parts.append(self.events(cur, "Meetings read from it", meetings))
        parts.append(self.events(cur, "Pledges read from it", pledges))
        parts.append(self.text(cur, iri))
        return title, "".join(parts)

    def text(self, cur: str, article: str) -> str:
        """The article's text as the graph holds it: each fact's sentence at its span, highlighted."""
        spans = self.spans.get(article, {})
        if not spans:
            return ""
        out, last = [], 0
        for (start, end), e in sorted(spans.items()):
            facts = self.cites.get(e.key, []) or [ev for ev in self.by_article.get(article, []) if e in ev.evidence]
            if start > last:
                out.append(f'<span class="gap" title="characters {last}–{start} are not in the graph">[…]</span> ')
            links = " ".join(self.link(cur, ev.iri, ev.type_label) for ev in facts)
            out.append(f'<mark id="{e.anchor}" title="characters {start}–{end}">{escape(e.text)}</mark> '
                       f'<span class="dt">{links}</span> ')
            last = max(last, end)
        return ("<h2>Text</h2><p class=\"dt\">The sentences facts were read from, at their places in the article "
                "(the graph keeps these sentences, not the whole text).</p>"
                f'<div class="articletext"><p>{"".join(out)}</p></div>')


def statements(rows: str, incoming: list[tuple[str, str]], cur: str, r: Renderer,
               label: Callable[[str], str], qname: Callable[[str], str], cap: int) -> str:
    """The raw statements, folded: for readers who want the RDF."""
    refs = sorted(incoming, key=lambda sp: (label(sp[0]).lower(), sp[0], sp[1]))
    items = "".join(f"<li>{r.link(cur, s, label(s))} <span class=\"dt\">{escape(qname(p))}</span></li>"
                    for s, p in refs[:cap])
    more = f"<p>… and {len(refs) - cap} more.</p>" if len(refs) > cap else ""
    back = f"<h3>Referenced by</h3><ul>{items}</ul>{more}" if refs else ""
    return (f'<details><summary>All statements (RDF)</summary><table class="props">{rows}</table>{back}'
            "</details>")
