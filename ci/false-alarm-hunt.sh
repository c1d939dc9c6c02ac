#!/usr/bin/env bash
# The false-alarm hunt: the reference under the fuzzer at the strictest absolute tolerance (--atol 1e-12;
# fuzz defaults to the float64 preset's 1e-9), each activation alone (every layer uses it)
# with each loss it allows, and the README's own seeds. Every run must report 0 failures.
#   ci/false-alarm-hunt.sh [CASES]     (20000 per activation × loss by default)
# Prints one line per run and a total; exits 1 if any run failed or did not exit 0.
set -uo pipefail
cd "$(dirname "$0")/.."
cases=${1:-20000}
swift build -c release --product gradfuzz 2>&1 | tail -1
gradfuzz="$(swift build -c release --show-bin-path)/gradfuzz"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bad=0 total_cases=0 total_entries=0 seed=0

hunt() {  # name, then gradfuzz's arguments
    local name=$1; shift
    local log="$out/$name.log" status=0
    "$gradfuzz" "$@" --atol 1e-12 --out "$out/$name" >"$log" 2>&1 || status=$?
    local run entries failures
    run=$(sed -n 's/^iterations: \([0-9]*\) of.*/\1/p' "$log")
    entries=$(sed -n 's/^entries checked: \([0-9]*\);.*/\1/p' "$log")
    failures=$(sed -n 's/^failures: \([0-9]*\) cases.*/\1/p' "$log")
    printf '%-36s exit %s  cases %7s  entries %10s  failures %s\n' "$name" "$status" "${run:-?}" "${entries:-?}" "${failures:-?}"
    [ "$status" = 0 ] && [ "${failures:-1}" = 0 ] || { bad=$((bad + 1)); sed -n '/^failures:/,/^coverage/p' "$log" | head -20; }
    total_cases=$((total_cases + ${run:-0})); total_entries=$((total_entries + ${entries:-0}))
}

for act in identity sigmoid tanh relu leaky_relu elu softplus silu gelu softsign softmax; do
    for loss in squared_error absolute_error huber log_cosh hinge; do
        seed=$((seed + 1))
        hunt "$act-$loss" --activations "$act" --losses "$loss" --iters "$cases" --seed "$seed"
    done
done
hunt softmax-cross_entropy --activations softmax --losses cross_entropy --iters "$cases" --seed 101
hunt sigmoid-binary_cross_entropy --activations sigmoid --losses binary_cross_entropy --iters "$cases" --seed 102
hunt readme-seed-1 --iters 10000 --seed 1
hunt readme-seed-42 --iters 100000 --seed 42
hunt readme-seed-2026 --iters 100000 --seed 2026
echo "false-alarm hunt: $total_cases cases, $total_entries entries checked, $bad runs with failures"
[ "$bad" = 0 ]
