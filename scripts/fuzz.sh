#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for SECONDS each (default 30) on its seed corpus
# (fuzz/seeds/<target>, committed, never modified), the inputs of past crashes
# (fuzz/regressions/<target>, committed) and what earlier runs found (fuzz/corpus/<target>,
# git-ignored). A crash stops the script with libFuzzer's report and the input saved under
# fuzz/artifacts/<target>/: copy it to fuzz/regressions/<target>/<what it guards> (the test
# suite replays it, tests/it/fuzz_replay.rs), fix, re-run.
#
# Needs a nightly toolchain (libFuzzer instrumentation); without one it says so and exits 0.
# Installs cargo-fuzz (pinned) when missing. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.1
seconds="${1:-30}"
shift || true

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "== fuzz: skipped: no nightly toolchain (rustup toolchain install nightly to run it)"
  exit 0
fi
if ! cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION"; then
  echo "== fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir fuzz)
fi

# No sanitizer: the code under test is safe Rust, and without ASan each target runs several
# times more inputs per second. Debug assertions on, so that overflows are found too.
# FUZZ_PROFILE=dev builds unoptimised targets: a third of the build time, for short runs (CI).
flags=(--fuzz-dir fuzz --sanitizer none --debug-assertions)
if [ "${FUZZ_PROFILE:-release}" = dev ]; then
  flags+=(--dev)
fi
echo "== fuzz: building ${#targets[@]} targets"
cargo +nightly fuzz build "${flags[@]}"

summary=()
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  echo "== fuzz: $target for ${seconds}s"
  log="$(mktemp)"
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a blow-up is a crash too.
  inputs=("fuzz/seeds/$target")
  [ -d "fuzz/regressions/$target" ] && inputs+=("fuzz/regressions/$target")
  if ! cargo +nightly fuzz run "${flags[@]}" "$target" "$corpus" "${inputs[@]}" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 >"$log" 2>&1; then
    # The panic message sits above the backtrace: show it, then libFuzzer's summary.
    grep -A 3 -m 1 'panicked at' "$log" || true
    grep -v '^ *[0-9]*: \|^ *at ' "$log" | tail -n 25
    echo "== fuzz: $target FAILED (input saved under fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo '?')
  summary+=("$target: $runs executions in ${seconds}s, coverage $cov, corpus $(ls "$corpus" | wc -l) inputs")
  rm -f "$log"
done
echo "== fuzz: no crash"
printf '   %s\n' "${summary[@]}"
