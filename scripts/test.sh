#!/usr/bin/env bash
# The test command: a fresh virtualenv, the package with its test extras, lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# raptor2's rapper is the independent Turtle parser one export test checks against. As root on a
# Debian-like system it is installed (said out loud); otherwise that test is skipped with the reason.
if ! command -v rapper >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${KG_TEST_NO_APT:-}" != 1 ]; then
    echo "scripts/test.sh: installing raptor2-utils (rapper) with apt-get, as root; set KG_TEST_NO_APT=1 to skip" >&2
    (apt-get update -qq && apt-get install -y -qq raptor2-utils >/dev/null) \
      || echo "scripts/test.sh: raptor2-utils not installed; the rapper test is skipped" >&2
  else
    echo "scripts/test.sh: rapper not found; the rapper test is skipped (apt-get install raptor2-utils to run it)" >&2
  fi
fi
.venv/bin/ruff check
.venv/bin/mypy
.venv/bin/pytest -q "$@"
