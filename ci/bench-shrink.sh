#!/usr/bin/env bash
# Benchmark of the shrinker on the mutant catalogue: `gradfuzz fuzz --mutant NAME` for every
# mutant, one job, a fixed seed, in SwiftPM's default (debug) configuration, build excluded.
#
#   ci/bench-shrink.sh                      # 100 iterations per mutant, seed 1
#   ITERS=200 SEED=7 ci/bench-shrink.sh
#   RESULTS=after.tsv ci/bench-shrink.sh    # also keep the per-case results (default: none kept)
#   ci/bench-shrink.sh compare before.tsv after.tsv
#   BINARY=/path/to/gradfuzz ci/bench-shrink.sh   # another build (an older shrinker), not built here
#
# For each mutant: the failing cases shrunk, the distinct fixtures written, the candidates the
# shrinker checked per case (each an answer and an oracle's), the shrinking time per case (wall, as
# the fuzzer measures it, and CPU: the run's user + system time less that of the same run with
# --no-shrink, which a loaded machine disturbs less), and the
# mean size of the shrunk cases: parameters (Σ m_{l−1} m_l + m_l), batch, and the complexity of
# the numbers (Σ over X, Y, W, b of the shrinker's complexity: 0 for 0, 1…16 for the simple
# numbers, 16 + significant digits for any other). The cases are the same for any shrinker (case i
# is drawn from (seed, i)), so two runs' results compare case by case: `compare` counts the cases
# each made smaller, by (parameters, batch, activations that are not identity, loss that is not
# squared_error, number complexity), in that order.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "compare" ]]; then
    [[ $# -eq 3 ]] || { echo "usage: ci/bench-shrink.sh compare BEFORE.tsv AFTER.tsv" >&2; exit 2; }
    exec python3 - "$2" "$3" <<'EOF'
import sys
def load(path):
    rows = {}
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            rows[(r["mutant"], int(r["iteration"]))] = r
    return rows
before, after = load(sys.argv[1]), load(sys.argv[2])
def key(r):
    return tuple(int(r[k]) for k in ("parameters", "batch", "nonidentity", "nonsquared", "complexity"))
common = sorted(set(before) & set(after))
smaller = [c for c in common if key(after[c]) < key(before[c])]
larger = [c for c in common if key(after[c]) > key(before[c])]
print(f"{len(common)} cases in both: after smaller in {len(smaller)}, the same in {len(common) - len(smaller) - len(larger)}, larger in {len(larger)}")
for c in larger:
    print(f"  larger: {c[0]} iteration {c[1]}: {key(before[c])} -> {key(after[c])}")
for name, rows in (("before", before), ("after", after)):
    n = len(common)
    total = lambda k: sum(int(rows[c][k]) for c in common)
    print(f"{name}: candidates {total('candidates')} ({total('candidates') / max(n, 1):.1f} per case), "
          f"parameters {total('parameters') / max(n, 1):.2f}, batch {total('batch') / max(n, 1):.2f}, "
          f"number complexity {total('complexity') / max(n, 1):.2f} per case")
EOF
fi

iterations="${ITERS:-100}"
seed="${SEED:-1}"
if [[ -n "${BINARY:-}" ]]; then
    binary="$BINARY"
else
    swift build >/dev/null
    binary="$(swift build --show-bin-path)/gradfuzz"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mutants=$("$binary" mutants --list | grep -E '^[a-z_0-9]+$')
echo "gradfuzz fuzz --mutant NAME --iters $iterations --seed $seed --jobs 1, ${BINARY:-$(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes')} ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
for mutant in $mutants; do
    mkdir -p "$work/$mutant"
    # CPU seconds (user + system) with and without shrinking: on a loaded machine the wall time
    # (shrinkingSeconds) counts the waits for a core too, the CPU time does not.
    for run in shrink no-shrink; do
        status=0
        flags=(--out "$work/$mutant/found" --json "$work/$mutant/summary.json")
        [[ $run == no-shrink ]] && flags=(--no-shrink --out "$work/$mutant/unshrunk")
        /usr/bin/time -f "%U %S" -o "$work/$mutant/$run.cpu" "$binary" fuzz --mutant "$mutant" --iters "$iterations" \
            --seed "$seed" --jobs 1 "${flags[@]}" >"$work/$mutant/$run.stdout" 2>&1 || status=$?
        if [[ $status -gt 1 ]]; then
            echo "$mutant ($run): exit status $status: $(tail -1 "$work/$mutant/$run.stdout")" >&2
        fi
    done
done
python3 - "$work" "${RESULTS:-}" $mutants <<'EOF'
import json, os, sys
work, results, mutants = sys.argv[1], sys.argv[2], sys.argv[3:]
simple = [1, -1, 2, -2, 3, -3, 4, -4, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5]
def significant(x):
    mantissa = repr(abs(x)).lower().split("e")[0]
    digits = "".join(ch for ch in mantissa if ch.isdigit()).lstrip("0").rstrip("0")
    return max(1, len(digits))
def complexity(x):
    if x == 0: return 0
    if x in simple: return 1 + simple.index(x)
    return len(simple) + significant(x)
def flat(v):
    return [y for x in v for y in flat(x)] if isinstance(v, list) else [v]
rows = []
def cpu(mutant, run):
    with open(os.path.join(work, mutant, run + ".cpu")) as f:
        return sum(map(float, f.read().split()[-2:]))
print(f"{'mutant':36} {'shrunk':>6} {'fixtures':>8} {'cand/case':>9} {'ms/case':>8} {'cpu ms':>7} {'params':>6} {'batch':>5} {'numbers':>7}")
totals = dict(cases=0, candidates=0, seconds=0.0, cpu=0.0, parameters=0, batch=0, complexity=0, fixtures=0)
for mutant in mutants:
    path = os.path.join(work, mutant, "summary.json")
    if not os.path.exists(path): continue
    s = json.load(open(path))
    cases = []
    for f in s["failed"]:
        if f.get("shrinkCandidatesChecked") is None or not f.get("fixture"): continue
        fixture = json.load(open(os.path.join(work, mutant, "found", os.path.basename(f["fixture"]))))
        layers = fixture["layers"]
        cases.append(dict(
            mutant=mutant, iteration=f["iteration"], candidates=f["shrinkCandidatesChecked"],
            parameters=sum(layers[l - 1] * layers[l] + layers[l] for l in range(1, len(layers))),
            batch=len(fixture["X"]), nonidentity=sum(a != "identity" for a in fixture["activations"]),
            nonsquared=int(fixture["loss"] != "squared_error"),
            complexity=sum(complexity(x) for k in ("W", "b", "X", "Y") for x in flat(fixture[k])),
            layers=",".join(map(str, layers))))
    rows += cases
    n = max(len(cases), 1)
    mean = lambda k: sum(c[k] for c in cases) / n
    shrunk, seconds = s["casesShrunk"], s["shrinkingSeconds"]
    shrinkCPU = cpu(mutant, "shrink") - cpu(mutant, "no-shrink")
    print(f"{mutant:36} {shrunk:6d} {len(s['fixtures']):8d} {s['shrinkCandidatesChecked'] / max(shrunk, 1):9.1f} "
          f"{1000 * seconds / max(shrunk, 1):8.1f} {1000 * shrinkCPU / max(shrunk, 1):7.1f} "
          f"{mean('parameters'):6.2f} {mean('batch'):5.2f} {mean('complexity'):7.2f}")
    totals["cases"] += shrunk; totals["candidates"] += s["shrinkCandidatesChecked"]; totals["seconds"] += seconds
    totals["cpu"] += shrinkCPU
    totals["fixtures"] += len(s["fixtures"])
    for k in ("parameters", "batch", "complexity"): totals[k] += sum(c[k] for c in cases)
n = max(totals["cases"], 1)
print(f"{'all':36} {totals['cases']:6d} {totals['fixtures']:8d} {totals['candidates'] / n:9.1f} {1000 * totals['seconds'] / n:8.1f} "
      f"{1000 * totals['cpu'] / n:7.1f} {totals['parameters'] / max(len(rows), 1):6.2f} {totals['batch'] / max(len(rows), 1):5.2f} {totals['complexity'] / max(len(rows), 1):7.2f}")
print(f"total: {totals['candidates']} candidates checked, {totals['seconds']:.1f} s shrinking (wall), {totals['cpu']:.1f} s CPU")
if results:
    keys = ["mutant", "iteration", "candidates", "parameters", "batch", "nonidentity", "nonsquared", "complexity", "layers"]
    with open(results + ".tmp", "w") as out:
        out.write("\t".join(keys) + "\n")
        for r in rows: out.write("\t".join(str(r[k]) for k in keys) + "\n")
    os.replace(results + ".tmp", results)
EOF
