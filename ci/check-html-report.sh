#!/usr/bin/env bash
# The HTML reports in a real browser: builds gradfuzz, renders the reports of a passing student, a
# failing one, a mutant replayed on the curated set and a fuzz run with failures, and loads each in
# headless Chromium. Fails on a JavaScript error, on a page whose script did not run to its end,
# or on a heatmap cell missing from the DOM (cells in the DOM must equal the entries checked).
# Prints the screenshots' paths (CI artifacts, in .build/html-check/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/html-check
rm -rf "$out"
mkdir -p "$out"

if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet numpy

swift build --product gradfuzz 2>&1 | tail -1
gradfuzz="$(swift build --show-bin-path)/gradfuzz"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Runs a command that must exit with the given status (its output goes to a log).
expect_status() {
    local want=$1 name=$2; shift 2
    local status=0
    "$@" >"$out/$name.log" 2>&1 || status=$?
    [ "$status" = "$want" ] || fail "$name: exit status $status, expected $want (see $out/$name.log)"
}

chrome() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "$@"; }

# Loads a page, checks it, and takes its screenshot.
check_page() {
    local name=$1 page="$PWD/$out/$1.html" fixtures=${2:-}
    [ -s "$page" ] || { fail "$name: no report written"; return; }
    chrome --enable-logging=stderr --v=0 --virtual-time-budget=10000 --dump-dom "file://$page" \
        >"$out/$name.dom.html" 2>"$out/$name.console.log" || fail "$name: chromium could not load the page"
    local dom="$out/$name.dom.html"
    if grep -E 'CONSOLE.*(Uncaught|Error)' "$out/$name.console.log"; then fail "$name: JavaScript error in the console"; fi
    grep -q 'data-script="ok"' "$dom" || fail "$name: the page's script did not run to its end"
    local checked cells blocks dom_cells svg_checked
    checked=$(grep -o '<body[^>]* data-checked="[0-9]*"' "$dom" | grep -o 'data-checked="[0-9]*"' | grep -o '[0-9]*' || true)
    svg_checked=$(grep -o '<svg class="hm"[^>]*' "$dom" | grep -o ' data-checked="[0-9]*"' | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}' || true)
    cells=$(grep -o '<rect class="cell' "$dom" | wc -l || true)
    blocks=$(grep -o '<rect class="blk[^>]*' "$dom" | grep -o 'data-n="[0-9]*"' | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}' || true)
    dom_cells=$(grep -o 'data-dom-cells="[0-9]*"' "$dom" | grep -o '[0-9]*' || true)
    [ -n "$checked" ] || { fail "$name: no data-checked on the page"; checked=-1; }
    [ $((cells + blocks)) = "$checked" ] || fail "$name: $((cells + blocks)) heatmap cells in the DOM, $checked entries checked"
    [ "$svg_checked" = "$checked" ] || fail "$name: the heatmaps say $svg_checked entries checked, the page $checked"
    [ "$dom_cells" = "$checked" ] || fail "$name: the page's script counted ${dom_cells:-no} cells, $checked entries checked"
    if [ -n "$fixtures" ]; then
        local rows
        rows=$(grep -o '<tr class="row-' "$dom" | wc -l || true)
        [ "$rows" = "$fixtures" ] || fail "$name: $rows summary rows, expected $fixtures fixtures"
    fi
    chrome --screenshot="$PWD/$out/$name.png" --window-size=1280,2000 "file://$page" >/dev/null 2>&1 \
        || fail "$name: no screenshot"
    local ms
    ms=$(grep -o 'data-script-ms="[0-9]*"' "$dom" | grep -o '[0-9]*' || true)
    echo "$name: $(wc -c <"$page") bytes, $checked entries checked, $((cells + blocks)) cells in the DOM, loaded in ${ms:-?} ms; screenshot $out/$name.png"
}

# The checks themselves can fail: a page whose script throws is caught.
cat >"$out/broken.html" <<'HTML'
<!DOCTYPE html><html><body data-checked="0"><script>undefinedFunction(); document.body.setAttribute('data-script','ok');</script></body></html>
HTML
before=$failures
check_page broken >/dev/null
[ $failures -gt $before ] || { echo "FAIL: a page with a JavaScript error passed the checks"; exit 1; }
failures=$before

curated=$(find fixtures/curated -name '*.json' | wc -l)

# A passing student.
expect_status 0 validate-pass "$gradfuzz" validate --fixtures fixtures/curated --html "$out/validate-pass.html" -q \
    -- python3 Examples/python/student.py
check_page validate-pass "$curated"
size=$(wc -c <"$out/validate-pass.html")
[ "$size" -lt 5000000 ] || fail "the curated set's report is $size bytes, over 5 MB"

# A failing student: the example with the seed's eq. (110) as printed, f(z) where f'(z) belongs.
mkdir -p "$out/student"
cp Examples/python/gradfuzz_student.py "$out/student/"
original='g = backward(activations[l - 1], Z[l - 1], A[l], g @ W[l].T)'
mistaken='g = activate(activations[l - 1], Z[l - 1]) * (g @ W[l].T)'
python3 - "$original" "$mistaken" <Examples/python/student.py >"$out/student/mistaken.py" <<'PY' || fail "the example student no longer has the line the mistake replaces"
import sys
source = open("Examples/python/student.py").read()
assert sys.argv[1] in source
sys.stdout.write(source.replace(sys.argv[1], sys.argv[2]))
PY
expect_status 1 validate-fail "$gradfuzz" validate --fixtures fixtures/curated --html "$out/validate-fail.html" -q \
    -- python3 "$out/student/mistaken.py"
check_page validate-fail "$curated"
grep -q 'f_instead_of_fprime' "$out/validate-fail.html" || fail "validate-fail: the diagnosis does not name f_instead_of_fprime"
# The same, one fixture, with the tooltip of its first wrong entry shown.
expect_status 1 validate-fail-one "$gradfuzz" validate --fixtures fixtures/curated --only equal-widths \
    --html "$out/validate-fail-one.html" -q -- python3 "$out/student/mistaken.py"
check_page validate-fail-one 1
chrome --screenshot="$PWD/$out/validate-fail-one-tooltip.png" --window-size=1280,1000 --virtual-time-budget=3000 \
    "file://$PWD/$out/validate-fail-one.html?tip=first-wrong" >/dev/null 2>&1 || fail "no tooltip screenshot"
echo "validate-fail-one tooltip: screenshot $out/validate-fail-one-tooltip.png"

# A catalogued mistake replayed against the oracle.
expect_status 1 replay-mutant "$gradfuzz" replay --mutant no_one_over_m fixtures/curated --html "$out/replay-mutant.html"
check_page replay-mutant "$curated"

# A fuzz run with failures.
expect_status 1 fuzz "$gradfuzz" --mutant no_one_over_m --iters 50 --seed 1 --jobs 2 --out "$out/found" --html "$out/fuzz.html"
check_page fuzz
grep -q 'gradfuzz replay ' "$out/fuzz.html" || fail "fuzz: no replay command in the report"

if [ $failures -gt 0 ]; then
    echo "check-html-report: $failures problem(s)"
    exit 1
fi
echo "check-html-report: every report loads without a JavaScript error and draws every entry checked"
