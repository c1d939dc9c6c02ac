#!/usr/bin/env bash
# Benchmark of the fuzzer, as the README states it: `swift run gradfuzz --iters N` in SwiftPM's
# default (debug) configuration, build excluded, default distribution, all cores.
#
#   ci/bench-fuzz.sh            # 10 000 iterations: the target is ≤ 30 s wall on 2 idle cores
#   ci/bench-fuzz.sh 100000     # memory: the target is < 100 MB peak resident memory
#
# Prints wall and CPU time, the rate, the peak resident memory (GNU time's "Maximum resident set
# size" of the gradfuzz process itself, not of `swift run`) and the load average, which on a shared
# machine says how far the wall time is from an idle machine's (≈ (user + sys) / cores).
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-10000}"
seed="${SEED:-1}"
swift build >/dev/null
binary="$(swift build --show-bin-path)/gradfuzz"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "gradfuzz --iters $iterations --seed $seed ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
status=0
/usr/bin/time -v "$binary" --iters "$iterations" --seed "$seed" --out "$out/found" --json "$out/summary.json" \
    >"$out/stdout" 2>"$out/time" || status=$?
grep -E "^iterations:|^failures:" "$out/stdout"
grep -E "Elapsed \(wall|User time|System time|Maximum resident" "$out/time" | sed 's/^\s*/  /'
echo "exit status $status (0: no failure, 1: failures found); load now $(cut -d' ' -f1-3 /proc/loadavg)"
