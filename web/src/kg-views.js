/* diplomacy-kg views: timeline, network, map and name search over window.KG_DATA.
   Plain browser JavaScript, no build step. Libraries (cytoscape, d3-geo, topojson-client,
   world-atlas) come from npm (web/package.json) and are copied beside this file at publish time. */
(function () {
  "use strict";
  const DATA = window.KG_DATA || { entities: [], events: [], places: [] };
  const ENT = DATA.entities;
  const EVENTS = DATA.events;
  const ROOT = document.body.dataset.root || "";
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = { leader: "#1f6fb2", country: "#2e8b57", organisation: "#b5651d", place: "#7a4fa3" };

  function el(tag, attrs, ...kids) {
    const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
    }
    for (const kid of kids) {
      if (kid !== null && kid !== undefined) node.append(kid instanceof Node ? kid : String(kid));
    }
    return node;
  }
  function href(path) { return path ? ROOT + path : null; }
  function entLink(i) {
    const e = ENT[i];
    return e.href ? el("a", { href: href(e.href), class: "ent " + e.kind }, e.label) : el("span", {}, e.label);
  }
  function fold(s) {
    return s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  function when(date) {
    if (!date) return "undated";
    const [y, m, d] = date.split("-");
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    if (d) return `${+d} ${months[+m - 1]} ${y}`;
    if (m) return `${months[+m - 1]} ${y}`;
    return y;
  }
  function time(date) { // start of the period a date (YYYY, YYYY-MM, YYYY-MM-DD) names, in ms
    const [y, m, d] = date.split("-").map(Number);
    return Date.UTC(y, (m || 1) - 1, d || 1);
  }
  function say(ev) { // a meeting in words: its parties and place; a pledge: its own label
    if (ev.kind !== "meeting" || !ev.parties.length) return ev.label;
    return ev.parties.map((p) => ENT[p].label).join(", ") + (ev.place !== undefined ? " in " + ENT[ev.place].label : "");
  }
  function countryOf(i) { return ENT[i].in === undefined ? i : ENT[i].in; }

  /* ---------- timeline ---------- */
  function options(select, kind, used) {
    const items = [...used].filter((i) => ENT[i].kind === kind).sort((a, b) => ENT[a].label.localeCompare(ENT[b].label));
    for (const i of items) select.append(el("option", { value: i }, ENT[i].label));
  }
  function timeline(host) {
    const used = new Set();
    const types = new Set();
    for (const ev of EVENTS) {
      ev.parties.forEach((p) => { used.add(p); used.add(countryOf(p)); });
      if (ev.to !== undefined) used.add(ev.to);
      types.add(ev.type);
    }
    const f = {
      leader: el("select", { name: "leader", "aria-label": "leader" }, el("option", { value: "" }, "any leader")),
      country: el("select", { name: "country", "aria-label": "country" }, el("option", { value: "" }, "any country")),
      org: el("select", { name: "organisation", "aria-label": "organisation" }, el("option", { value: "" }, "any organisation")),
      kind: el("select", { name: "kind", "aria-label": "kind" }, el("option", { value: "" }, "meetings and pledges"),
        el("option", { value: "meeting" }, "meetings"), el("option", { value: "pledge" }, "pledges")),
      from: el("input", { type: "date", name: "from", "aria-label": "from" }),
      to: el("input", { type: "date", name: "to", "aria-label": "to" }),
    };
    options(f.leader, "leader", used);
    options(f.country, "country", used);
    options(f.org, "organisation", used);
    for (const t of [...types].sort()) f.kind.append(el("option", { value: "type:" + t }, t));
    const params = new URLSearchParams(location.search);
    for (const [k, input] of Object.entries(f)) if (params.get(input.name)) input.value = params.get(input.name);
    const form = el("form", { class: "filters" }, ...Object.values(f));
    const chart = el("div", { class: "chart", id: "timeline-chart" });
    const list = el("div", { class: "list" });
    host.append(form, chart, list);
    const draw = () => drawTimeline(chart, list, filterEvents(f));
    form.addEventListener("change", draw);
    window.addEventListener("resize", draw);
    draw();
  }
  function filterEvents(f) {
    const leader = f.leader.value === "" ? null : +f.leader.value;
    const country = f.country.value === "" ? null : +f.country.value;
    const org = f.org.value === "" ? null : +f.org.value;
    const kind = f.kind.value;
    return EVENTS.filter((ev) => {
      if (leader !== null && !ev.parties.includes(leader)) return false;
      if (org !== null && !ev.parties.includes(org)) return false;
      if (country !== null && !ev.parties.some((p) => p === country || countryOf(p) === country) && ev.to !== country) return false;
      if (kind === "meeting" || kind === "pledge") { if (ev.kind !== kind) return false; }
      else if (kind.startsWith("type:") && ev.type !== kind.slice(5)) return false;
      if ((f.from.value || f.to.value) && !ev.date) return false;
      if (f.from.value && ev.date < f.from.value.slice(0, ev.date.length)) return false;
      if (f.to.value && ev.date > f.to.value.slice(0, ev.date.length)) return false;
      return true;
    });
  }
  function drawTimeline(chart, list, events) {
    chart.textContent = "";
    list.textContent = "";
    const dated = events.filter((ev) => ev.date);
    const lanes = [...new Set(dated.map((ev) => ev.type))].sort();
    const width = Math.max(chart.clientWidth || 900, 500);
    const left = 150, right = 20, laneH = 28, top = 10;
    const height = top + lanes.length * laneH + 40;
    const svg = el("svg:svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": `${dated.length} dated meetings and pledges on a time axis` });
    chart.append(el("p", { class: "count" }, `${events.length} items (${dated.length} dated, ${events.length - dated.length} undated)`), svg);
    if (dated.length) {
      let lo = Math.min(...dated.map((ev) => time(ev.date)));
      let hi = Math.max(...dated.map((ev) => time(ev.date)));
      const pad = Math.max((hi - lo) * 0.03, 15 * 864e5);
      lo -= pad; hi += pad;
      const x = (t) => left + ((t - lo) / (hi - lo)) * (width - left - right);
      lanes.forEach((lane, i) => {
        const y = top + i * laneH + laneH / 2;
        svg.append(el("svg:line", { x1: left, x2: width - right, y1: y, y2: y, class: "lane" }),
          el("svg:text", { x: left - 8, y: y + 4, "text-anchor": "end", class: "lane-label" }, lane));
      });
      const axisY = top + lanes.length * laneH + 6;
      svg.append(el("svg:line", { x1: left, x2: width - right, y1: axisY, y2: axisY, class: "axis" }));
      const years = (hi - lo) / (365 * 864e5);
      const months = Math.max(1, years * 12);
      const fit = Math.max(1, Math.floor((width - left - right) / 80)); // a label every 80 px at most
      const step = [1, 2, 3, 6, 12, 24, 60].find((s) => months / s <= fit) || 120;
      const start = new Date(lo);
      for (let d = new Date(Date.UTC(start.getUTCFullYear(), 0, 1)); d.getTime() <= hi; d.setUTCMonth(d.getUTCMonth() + step)) {
        if (d.getTime() < lo) continue;
        const tx = x(d.getTime());
        const label = step >= 12 || d.getUTCMonth() === 0 ? String(d.getUTCFullYear()) : when(d.toISOString().slice(0, 7));
        svg.append(el("svg:line", { x1: tx, x2: tx, y1: top, y2: axisY + 4, class: "tick" }),
          el("svg:text", { x: tx, y: axisY + 18, "text-anchor": "middle", class: "tick-label" }, label));
      }
      const dense = dated.length > 400 ? " dense" : ""; // thousands of items: small see-through dots, none left out
      for (const ev of dated) {
        const y = top + lanes.indexOf(ev.type) * laneH + laneH / 2;
        const dot = el("svg:circle", { cx: x(time(ev.date)), cy: y, r: dense ? 3 : 6,
          class: `tl-item ${ev.kind}${ev.planned ? " planned" : ""}${dense}` },
          el("svg:title", {}, `${when(ev.date)}, ${ev.type}: ${say(ev)}`));
        svg.append(ev.href ? el("svg:a", { href: href(ev.href), class: "tl-link" }, dot) : dot);
      }
    }
    const rows = events.slice(0, 1000).map((ev) => el("li", { class: "event " + ev.kind },
      el("span", { class: "date" }, when(ev.date)), " ", el("span", { class: "type" }, ev.type), " ",
      ev.href ? el("a", { href: href(ev.href) }, say(ev)) : say(ev),
      ev.amount ? ` (${ev.amount})` : ""));
    list.append(el("ul", { class: "events" }, ...rows));
    if (events.length > 1000) list.append(el("p", {}, `… and ${events.length - 1000} more: narrow the filters.`));
  }

  /* ---------- network ---------- */
  function network(host) {
    const maxNodes = 300;
    const weight = new Map();
    const degree = new Map();
    const add = (a, b, kind) => {
      if (a === b) return;
      const key = kind === "met" ? (a < b ? `${a}-${b}` : `${b}-${a}`) : `${a}>${b}`;
      const edge = weight.get(key) || { a, b, kind, n: 0 };
      edge.n += 1;
      weight.set(key, edge);
      degree.set(a, (degree.get(a) || 0) + 1);
      degree.set(b, (degree.get(b) || 0) + 1);
    };
    for (const ev of EVENTS) {
      if (ev.kind === "meeting") {
        for (let i = 0; i < ev.parties.length; i++) for (let j = i + 1; j < ev.parties.length; j++) add(ev.parties[i], ev.parties[j], "met");
      } else if (ev.to !== undefined) {
        for (const p of ev.parties) add(p, ev.to, "pledged");
      }
    }
    const keep = new Set([...degree.entries()].sort((a, b) => b[1] - a[1]).slice(0, maxNodes).map(([i]) => i));
    const elements = [];
    for (const i of keep) {
      const e = ENT[i];
      elements.push({ data: { id: "n" + i, label: e.label, kind: e.kind, href: e.href,
        size: Math.min(12 + 5 * Math.log2(1 + degree.get(i)), 48) } });
    }
    const maxEdges = 1500; // the strongest links: beyond that a drawing is ink, not information
    const edges = [...weight.entries()].filter(([, e]) => keep.has(e.a) && keep.has(e.b)).sort((x, y) => y[1].n - x[1].n);
    for (const [key, edge] of edges.slice(0, maxEdges)) {
      elements.push({ data: { id: "e" + key, source: "n" + edge.a, target: "n" + edge.b, kind: edge.kind, n: edge.n,
        w: Math.min(1 + 1.2 * Math.log2(edge.n), 8) } });
    }
    const meetings = [...weight.values()].filter((e) => e.kind === "met").length;
    const shown = Math.min(edges.length, maxEdges);
    host.append(el("p", { class: "count" }, `${keep.size} of ${degree.size} parties, ${shown} of ${weight.size} links ` +
      `(${meetings} pairs who met; dashed arrows: who pledged to whom). Click a name to open its page.`));
    const box = el("div", { id: "network-graph", class: "graph" });
    host.append(box, el("p", { class: "legend" }, ...Object.entries(COLOURS).slice(0, 3).map(([k, c]) =>
      el("span", { style: `color:${c}` }, "● " + k + "  "))));
    if (typeof window.cytoscape !== "function") {
      box.append(el("p", { class: "missing" }, "The network library is not installed (run npm ci in web/ and publish again)."));
      return;
    }
    const cy = window.cytoscape({
      container: box, elements, wheelSensitivity: 0.3,
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 80, numIter: 1500 },
      style: [
        { selector: "node", style: { label: "data(label)", width: "data(size)", height: "data(size)", "font-size": 11,
          "text-valign": "bottom", "text-margin-y": 3, color: "#222", "text-outline-color": "#fff", "text-outline-width": 2 } },
        ...Object.entries(COLOURS).map(([k, c]) => ({ selector: `node[kind = "${k}"]`, style: { "background-color": c } })),
        { selector: "edge", style: { width: "data(w)", "line-color": "#9ab", opacity: 0.6, "curve-style": "haystack" } },
        { selector: 'edge[kind = "pledged"]', style: { "curve-style": "bezier", "line-color": "#d98b1f", "line-style": "dashed", "target-arrow-shape": "triangle",
          "target-arrow-color": "#d98b1f" } },
      ],
    });
    cy.on("tap", "node", (evt) => { const h = evt.target.data("href"); if (h) location.href = href(h); });
    window.kgNetwork = cy;
  }

  /* ---------- map ---------- */
  function map(host) {
    const counts = new Map();
    for (const ev of EVENTS) if (ev.kind === "meeting" && ev.place !== undefined) counts.set(ev.place, (counts.get(ev.place) || 0) + 1);
    const places = DATA.places.filter((p) => counts.has(p.entity)).map((p) => ({ ...p, n: counts.get(p.entity) }))
      .sort((a, b) => b.n - a.n);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    host.append(el("p", { class: "count" }, `${places.length} meeting places on the map, ${total} meetings with a known place. Circle size: number of meetings.`));
    const width = Math.max(host.clientWidth || 900, 500), height = Math.round(width * 0.52);
    const svg = el("svg:svg", { id: "map-svg", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "map of meeting places" });
    host.append(svg);
    if (!window.d3 || !window.d3.geoNaturalEarth1 || !window.topojson || !window.KG_WORLD) {
      host.append(el("p", { class: "missing" }, "The map libraries are not installed (run npm ci in web/ and publish again)."));
      return;
    }
    const world = window.topojson.feature(window.KG_WORLD, window.KG_WORLD.objects.countries);
    const projection = window.d3.geoNaturalEarth1().fitSize([width, height], { type: "Sphere" });
    const path = window.d3.geoPath(projection);
    svg.append(el("svg:path", { d: path({ type: "Sphere" }), class: "sphere" }));
    const land = el("svg:g", { class: "land" });
    for (const f of world.features) land.append(el("svg:path", { d: path(f) || "" }, el("svg:title", {}, f.properties.name || "")));
    svg.append(land);
    const dots = el("svg:g", { class: "places" });
    const most = places.length ? places[0].n : 1;
    for (const p of [...places].reverse()) {
      const xy = projection([p.lon, p.lat]);
      if (!xy) continue;
      const e = ENT[p.entity];
      const r = 3 + 15 * Math.sqrt(p.n / most); // area grows with the count; the busiest place gets 18 px
      const dot = el("svg:circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: r.toFixed(1), class: "place" },
        el("svg:title", {}, `${e.label}: ${p.n} meeting${p.n === 1 ? "" : "s"}`));
      dots.append(e.href ? el("svg:a", { href: href(e.href) }, dot) : dot);
    }
    for (const p of places.slice(0, 15)) {
      const xy = projection([p.lon, p.lat]);
      if (xy) dots.append(el("svg:text", { x: xy[0] + 6, y: xy[1] - 6, class: "place-label" }, ENT[p.entity].label));
    }
    svg.append(dots);
    host.append(el("table", { class: "places" }, el("tr", {}, el("th", {}, "place"), el("th", {}, "meetings")),
      ...places.map((p) => el("tr", {}, el("td", {}, entLink(p.entity)), el("td", {}, String(p.n))))));
  }

  /* ---------- search ---------- */
  function distance(a, b, max) { // Levenshtein, giving up past max
    if (Math.abs(a.length - b.length) > max) return max + 1;
    let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      let best = i;
      for (let j = 1; j <= b.length; j++) {
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        best = Math.min(best, cur[j]);
      }
      if (best > max) return max + 1;
      prev = cur;
    }
    return prev[b.length];
  }
  function score(entity, q) {
    let best = 99;
    for (const key of entity.keys) {
      if (key === q) return 0;
      if (key.startsWith(q)) best = Math.min(best, 1);
      const words = key.split(" ");
      if (words.some((w) => w.startsWith(q))) best = Math.min(best, 2);
      else if (q.length >= 3 && key.includes(q)) best = Math.min(best, 3);
      else if (q.length >= 4) {
        const max = q.length >= 7 ? 2 : 1;
        if (words.some((w) => distance(w, q, max) <= max) || distance(key, q, max) <= max) best = Math.min(best, 4);
      }
    }
    return best;
  }
  function search(host) {
    const input = el("input", { type: "search", id: "search-input", placeholder: "a name: surname, alias, any spelling", autofocus: true });
    const out = el("ol", { id: "search-results", class: "results" });
    host.append(el("p", {}, input), out);
    const run = () => {
      out.textContent = "";
      const q = fold(input.value);
      if (!q) return;
      const hits = [];
      ENT.forEach((e, i) => { const s = score(e, q); if (s < 99) hits.push([s, i]); });
      hits.sort((a, b) => a[0] - b[0] || ENT[a[1]].label.localeCompare(ENT[b[1]].label));
      for (const [, i] of hits.slice(0, 100)) {
        const e = ENT[i];
        const about = [e.kind, e.role, e.country].filter(Boolean).join(", ");
        out.append(el("li", { class: "hit" }, entLink(i), " ", el("span", { class: "dt" }, about),
          e.aliases ? el("span", { class: "aka" }, " also " + e.aliases.join(", ")) : null));
      }
      if (!hits.length) out.append(el("li", { class: "none" }, "No name matches."));
    };
    input.value = new URLSearchParams(location.search).get("q") || "";
    input.addEventListener("input", run);
    run();
  }

  const views = { timeline, network, map, search };
  const host = document.getElementById("view");
  if (host && views[host.dataset.view]) views[host.dataset.view](host);
})();
