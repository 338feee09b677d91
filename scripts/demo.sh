#!/usr/bin/env bash
# The main job: ingest the bundled sample articles into the embedded store and ask
# the flagship question, "which countries pledged troops".
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/kg ingest samples/
.venv/bin/kg query countries-pledging-troops
