"""The browser views (timeline, network, map, search): their pages, data file and assets.

The same files serve the static site (``views/*.html`` beside ``views/data.js``) and
``kg serve`` (which answers ``views/data.js`` live from the store). Browser libraries are
npm packages (``web/package.json``, installed by ``npm ci`` into ``web/node_modules``, never
copied into the repository); ``asset_files`` copies the few files a page loads into
``assets/``, so a page never calls out of the machine. Our own script and stylesheet are
``web/src/``.
"""

from __future__ import annotations

import json
import os
from html import escape
from pathlib import Path
from typing import Any

from kg.publish.html import page

#: assets/lib/{name} <- web/node_modules/{path}
LIBS = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "d3-array.min.js": "d3-array/dist/d3-array.min.js",
    "d3-geo.min.js": "d3-geo/dist/d3-geo.min.js",
    "topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
    "countries-110m.js": "world-atlas/countries-110m.json",  # wrapped as a script: pages work from file:// too
    "codemirror.js": "codemirror/lib/codemirror.js",
    "codemirror.css": "codemirror/lib/codemirror.css",
    "sparql.js": "codemirror/mode/sparql/sparql.js",
}
OWN = ("kg-views.js", "kg.css", "sparql-editor.js")
#: name -> (title, what it shows, libraries it loads)
VIEWS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "timeline": ("Timeline", "Meetings and pledges on a time axis. Filter by leader, country, organisation, kind and "
                 "dates; click an item to open its page.", ()),
    "network": ("Network", "Who met whom (line width: number of meetings) and who pledged to whom (dashed arrows). "
                "Drag to move, scroll to zoom, click a name to open its page.", ("cytoscape.min.js",)),
    "map": ("Map", "Where meetings took place; circle size is the number of meetings. Click a place to open its page.",
            ("d3-array.min.js", "d3-geo.min.js", "topojson-client.min.js", "countries-110m.js")),
    "search": ("Search", "Find a leader, country, organisation or place by any name: surname, alias or spelling, in "
               "any case, with or without accents.", ()),
}


def web_dir() -> Path:
    """The project's ``web/`` folder (``$KG_WEB_DIR`` overrides, e.g. for an installed copy)."""
    env = os.environ.get("KG_WEB_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "web"


def missing_libraries() -> list[str]:
    """npm files the views need that are not installed (empty when ``npm ci`` has run in web/)."""
    modules = web_dir() / "node_modules"
    return [path for path in LIBS.values() if not (modules / path).is_file()]


def asset_files() -> dict[str, bytes]:
    """Site path (``assets/...``) -> bytes of every asset that is installed."""
    web = web_dir()
    out: dict[str, bytes] = {}
    for name in OWN:
        path = web / "src" / name
        if path.is_file():
            out[f"assets/{name}"] = path.read_bytes()
    for name, rel in LIBS.items():
        path = web / "node_modules" / rel
        if not path.is_file():
            continue
        data = path.read_bytes()
        if rel.endswith(".json"):
            data = b"window.KG_WORLD = " + data.strip() + b";\n"
        out[f"assets/lib/{name}"] = data
    return out


def data_js(data: dict[str, Any]) -> str:
    """``views/data.js``: the views' data as a script, so pages opened from disk can read it too."""
    return "window.KG_DATA = " + json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=True) + ";\n"


def view_page(name: str, nav: str | None = None) -> str:
    """``views/{name}.html``: a page that loads the data, the libraries of the view, and our script."""
    title, about, libs = VIEWS[name]
    current = f"views/{name}.html"
    scripts = "".join(f'<script src="../assets/lib/{escape(lib)}"></script>\n' for lib in libs)
    missing = missing_libraries()
    note = (f'<p class="missing">Browser libraries are missing ({escape(", ".join(missing))}): run '
            "<code>npm ci</code> in <code>web/</code> and publish again.</p>" if missing and libs else "")
    content = (f"<h1>{escape(title)}</h1><p class=\"sub\">{escape(about)}</p>{note}"
               f'<div id="view" data-view="{escape(name)}"></div>\n'
               f'<script src="data.js"></script>\n{scripts}<script src="../assets/kg-views.js"></script>')
    return page(current, f"{title} · diplomacy-kg", content, nav=nav)
