#!/usr/bin/env bash
# Set up a development environment: a virtualenv in .venv with veerkracht and its test tools.
# Idempotent; safe to run again. Needs python3 (>= 3.11) and access to PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
# Byte-compile the (editable) sources now: with PYTHONDONTWRITEBYTECODE set, as on some
# machines, every command and every import worker would otherwise compile them again.
.venv/bin/python -m compileall -q src
# Browser tests and the PDF report need Debian packages; install them when we are root.
if [ "${VEERKRACHT_SKIP_APT:-}" != "1" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  need=""
  for pkg in $(cat scripts/apt-packages.txt); do
    dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
  done
  if [ -n "$need" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  fi
fi
# The web map app (MapLibre GL JS, bundled with esbuild) into src/veerkracht/web/static/.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  (cd web/frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
else
  echo "Let op: node/npm ontbreken; de kaart-app van 'veerkracht web' wordt niet gebouwd." >&2
fi
