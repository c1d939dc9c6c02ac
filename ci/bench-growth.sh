#!/usr/bin/env bash
# How a full check grows with the width: `gradfuzz bench --layers w,w,w,w,10 --batch 8` (relu hidden
# layers, softmax output, cross_entropy) for each width, one job, one run each, with the fitted
# exponent k of time ∝ width^k (least squares on log time against log width).
#   ci/bench-growth.sh [--gradfuzz PATH] [--oracle units|entries] [WIDTH…]   (32 64 128 256 512 1024 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
gradfuzz=.build/release/gradfuzz oracle=units
while [ $# -gt 0 ]; do
    case $1 in
        --gradfuzz) gradfuzz=$2; shift 2 ;;
        --oracle) oracle=$2; shift 2 ;;
        *) break ;;
    esac
done
widths=("$@")
[ ${#widths[@]} -gt 0 ] || widths=(32 64 128 256 512 1024)
[ -x "$gradfuzz" ] || { echo "bench-growth: $gradfuzz not found; expected the gradfuzz executable (swift build -c release)" >&2; exit 2; }
results=$(for w in "${widths[@]}"; do
    "$gradfuzz" bench --layers "$w,$w,$w,$w,10" --batch 8 --runs 1 --oracle "$oracle" --json
done)
python3 - "$oracle" "$results" <<'PY'
import json, math, sys
oracle, text = sys.argv[1], sys.argv[2]
decoder, rows, at = json.JSONDecoder(), [], 0
while at < len(text):
    while at < len(text) and text[at].isspace():
        at += 1
    if at == len(text):
        break
    value, at = decoder.raw_decode(text, at)
    rows += value
print(f"oracle {oracle}: [w,w,w,w,10] batch 8, relu → softmax, cross_entropy, 1 job, 1 run each")
print("| width | parameters | check | check (CPU) |")
print("|---|---|---|---|")
for r in rows:
    print(f"| {r['shape']['layers'][0]} | {r['parameters']} | {r['checkSeconds']:.3f} s | {r['checkCPUSeconds']:.3f} s |")
xs = [math.log(r['shape']['layers'][0]) for r in rows]
for key in ("checkSeconds", "checkCPUSeconds"):
    ys = [math.log(r[key]) for r in rows]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    k = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    print(f"fitted exponent ({key}): {k:.2f}")
PY
