#!/usr/bin/env bash
# The benchmark: 1k, 10k and 100k synthetic articles, each figure next to the rdflib/pyshacl baseline
# measured in the same run. Prints a table, writes bench/out/results.json. Pass --sizes 1000 for a quick run.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
exec .venv/bin/python -m bench.run "$@"
