#!/usr/bin/env bash
# The test command: a fresh virtualenv, the package with its test extras, lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# The real components the tests start, from Debian's packages: raptor2's rapper (an independent Turtle
# parser), OpenLink Virtuoso (a second triplestore), Chromium (the browser tests) and Apache Jena (its
# TDB2 loader). As root on a Debian-like system they are installed (said out loud); otherwise the tests
# that need a missing one are skipped, each with its reason. KG_TEST_NO_APT=1 skips the install.
DEBIAN_PACKAGES=(raptor2-utils virtuoso-opensource chromium libapache-jena-java)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${KG_TEST_NO_APT:-}" != 1 ]; then
    echo "scripts/test.sh: installing ${missing[*]} with apt-get, as root; set KG_TEST_NO_APT=1 to skip" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null) || echo "scripts/test.sh: apt-get failed; tests needing ${missing[*]} are skipped" >&2
  else
    echo "scripts/test.sh: ${missing[*]} not installed; the tests that need them are skipped" >&2
  fi
fi
# The browser libraries of the site's views and kg serve (web/package-lock.json; none is in the repository).
if command -v npm >/dev/null 2>&1; then npm ci --prefix web --no-audit --no-fund --loglevel=error >&2
else echo "scripts/test.sh: npm not found: the views (timeline, network, map) lack their libraries" >&2; fi
.venv/bin/ruff check
.venv/bin/mypy
.venv/bin/pytest -q "$@"
