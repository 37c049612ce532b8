#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS seconds each (default 60) with cargo-fuzz
# (libFuzzer) and prints, per target, the executions done, the corpus size reached and
# whether anything was found.
#
#   FUZZ_SECONDS=120 bash fuzz/run.sh                  # all targets
#   FUZZ_SECONDS=30 bash fuzz/run.sh simplex_command   # some of them
#   FUZZ_SANITIZER=none bash fuzz/run.sh               # without AddressSanitizer
#
# cargo-fuzz needs nightly compiler flags; on the stable toolchain RUSTC_BOOTSTRAP=1
# allows them. The committed seeds (fuzz/corpus/<target>/seed-*) are only read: new
# inputs go to fuzz/target/corpus/<target>, kept between runs and ignored by git.
# Crashes are written to fuzz/artifacts/<target>/ (ignored too).
set -euo pipefail

cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-60}
sanitizer=${FUZZ_SANITIZER:-address}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

# Build first, so that no target's time goes into compiling.
if [ "$#" -gt 0 ]; then
    for target in "${targets[@]}"; do
        cargo fuzz build -s "$sanitizer" "$target"
    done
else
    cargo fuzz build -s "$sanitizer"
fi

mkdir -p target/logs
found=0
summary=()
for target in "${targets[@]}"; do
    work="target/corpus/$target"
    log="target/logs/$target.log"
    mkdir -p "$work" "artifacts/$target"
    before=$(find "artifacts/$target" -type f | wc -l)
    echo "== $target: fuzzing for ${seconds}s (sanitizer: $sanitizer, log: fuzz/$log)"
    status=0
    cargo fuzz run -s "$sanitizer" "$target" "$work" "corpus/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1 | sed 's/corp: //')
    after=$(find "artifacts/$target" -type f | wc -l)
    if [ "$status" -eq 0 ] && [ "$after" -eq "$before" ]; then
        result="nothing found"
    else
        found=1
        result="FOUND something (exit $status): see fuzz/$log and fuzz/artifacts/$target/"
        grep -E '^(==[0-9]+==ERROR|thread .* panicked)' "$log" | head -n 3 || true
    fi
    line="$target: ${runs:-?} runs in ${seconds}s, corpus ${corpus:-?} (inputs/bytes), $result"
    echo "$line"
    summary+=("$line")
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$found"
