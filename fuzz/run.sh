#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds each (default 60), one after the other, on seed
# corpora made from ../shared (fuzz/seed.py). Prints each target's executions; a crash stops the
# run with the target's name and leaves the input in fuzz/artifacts/<target>/.
#
#   fuzz/run.sh 30              # every target, 30 s each
#   fuzz/run.sh 600 zip         # one target
#
# Needs cargo-fuzz (cargo install cargo-fuzz). On the stable toolchain, RUSTC_BOOTSTRAP=1 lets it
# use the nightly-only flags; set FUZZ_SANITIZER=address for AddressSanitizer (slower to build).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/ecg-balance-lab/fuzz-target}"
sanitizer="${FUZZ_SANITIZER:-none}"
python3 fuzz/seed.py >/dev/null
cargo fuzz build --fuzz-dir fuzz --sanitizer "$sanitizer" -O
total=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/artifacts/$t" "fuzz/corpus/$t"
  log="$(mktemp)"
  status=0
  cargo fuzz run --fuzz-dir fuzz --sanitizer "$sanitizer" -O "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -malloc_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1 || status=$?
  execs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  total=$((total + execs))
  summary+=("$(printf '%-20s %12s executions' "$t" "$execs")")
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log"
    echo "fuzz target $t failed (exit $status); the input is in fuzz/artifacts/$t/"
    printf '%s\n' "${summary[@]}"
    exit 1
  fi
  rm -f "$log"
done
printf '%s\n' "${summary[@]}"
echo "total: $total executions over ${#targets[@]} targets, ${seconds} s each"
