#!/usr/bin/env bash
# The main job: ingest the bundled sample articles into the embedded store and ask
# the flagship question, "which countries pledged troops".
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
# The browser libraries of the site's views and kg serve (web/package-lock.json; none is in the repository).
if command -v npm >/dev/null 2>&1; then npm ci --prefix web --no-audit --no-fund --loglevel=error >&2
else echo "scripts/demo.sh: npm not found: the views (timeline, network, map) lack their libraries" >&2; fi
.venv/bin/kg ingest samples/
.venv/bin/kg query countries-pledging-troops
