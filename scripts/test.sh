#!/usr/bin/env bash
# The test command: a fresh virtualenv, the package with its test extras, lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
if ! command -v rapper >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # raptor2's rapper is the independent Turtle parser the export tests check against
  (apt-get update -qq && apt-get install -y -qq raptor2-utils >/dev/null) || echo "note: raptor2-utils not installed; its test is skipped"
fi
.venv/bin/ruff check
.venv/bin/mypy
.venv/bin/pytest -q "$@"
