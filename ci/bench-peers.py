#!/usr/bin/env python3
"""The benchmark networks of `gradfuzz bench` through gradfuzz's peers, in the same run.

For each shape (S, M, L) the script times one full entry-by-entry check of every weight and bias:
  - gradfuzz: `gradfuzz bench --json` (GSL's gsl_deriv_central with its error estimates: by default on each
    sample's loss by each pre-activation, dW and db summed from it; `--oracle entries` on each weight and bias);
  - numpy: a central-difference loop, 2 full forward passes per entry, eps = 1e-6;
  - torch: torch.autograd.gradcheck (slow mode, float64, 2 evaluations per entry), when torch imports.
The networks are the same: gradfuzz writes them (`bench --export`) and the peers read them.
Every peer runs on one thread, as the gradfuzz figures are for one job. It prints a markdown table,
the ratios peer time / gradfuzz time, and the largest relative error of each against the analytic
gradient, |numeric − analytic| / max(|analytic|, 1e-3 · largest |analytic| of the same matrix).

    python3 ci/bench-peers.py [--gradfuzz .build/release/gradfuzz] [--runs 3] [--shapes S,M,L] [--oracle units|entries]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
import numpy as np  # noqa: E402


def forward(W, b, X, Y):
    """Cost of the benchmark network: tanh hidden layers, sigmoid output, squared_error, mean over the batch."""
    a = X
    for l in range(len(W)):
        z = a @ W[l] + b[l]
        a = np.tanh(z) if l < len(W) - 1 else 1 / (1 + np.exp(-z))
    return 0.5 * np.sum((a - Y) ** 2) / X.shape[0]


def backprop(W, b, X, Y):
    """The analytic gradient (dW, db) of `forward`."""
    m = X.shape[0]
    acts = [X]
    for l in range(len(W)):
        z = acts[-1] @ W[l] + b[l]
        acts.append(np.tanh(z) if l < len(W) - 1 else 1 / (1 + np.exp(-z)))
    out = acts[-1]
    g = (out - Y) * out * (1 - out)
    dW, db = [None] * len(W), [None] * len(W)
    for l in reversed(range(len(W))):
        dW[l] = acts[l].T @ g / m
        db[l] = g.sum(axis=0) / m
        if l > 0:
            g = (g @ W[l].T) * (1 - acts[l] ** 2)
    return dW, db


def numpy_check(W, b, X, Y, eps=1e-6):
    dW = [np.zeros_like(w) for w in W]
    db = [np.zeros_like(v) for v in b]
    for params, grads in ((W, dW), (b, db)):
        for p, g in zip(params, grads):
            flat, out = p.reshape(-1), g.reshape(-1)
            for e in range(flat.size):
                old = flat[e]
                flat[e] = old + eps
                up = forward(W, b, X, Y)
                flat[e] = old - eps
                down = forward(W, b, X, Y)
                flat[e] = old
                out[e] = (up - down) / (2 * eps)
    return dW, db


def max_relative_error(numeric, analytic):
    worst = 0.0
    for n_list, a_list in zip(numeric, analytic):
        for n, a in zip(n_list, a_list):
            floor = np.maximum(np.abs(a), 1e-3 * np.max(np.abs(a)))
            with np.errstate(divide="ignore", invalid="ignore"):
                err = np.where(floor > 0, np.abs(n - a) / floor, np.where(n == a, 0.0, np.inf))
            worst = max(worst, float(np.max(err)))
    return worst


def median_time(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def load(path):
    with open(path) as f:
        raw = json.load(f)
    W = [np.array(w, dtype=np.float64) for w in raw["W"]]
    b = [np.array(v, dtype=np.float64) for v in raw["b"]]
    return W, b, np.array(raw["X"], dtype=np.float64), np.array(raw["Y"], dtype=np.float64)


def torch_check(W, b, X, Y, runs):
    try:
        import torch
    except ImportError as error:
        return None, f"torch not importable ({error})"
    torch.set_num_threads(1)
    Wt = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in W]
    bt = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in b]
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    depth = len(W)

    def cost(*params):
        a = Xt
        for l in range(depth):
            z = a @ params[l] + params[depth + l]
            a = torch.tanh(z) if l < depth - 1 else torch.sigmoid(z)
        return 0.5 * ((a - Yt) ** 2).sum() / Xt.shape[0]

    inputs = tuple(Wt + bt)
    ok = torch.autograd.gradcheck(cost, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=False, raise_exception=False)
    seconds = median_time(lambda: torch.autograd.gradcheck(cost, inputs, eps=1e-6, atol=1e-5, rtol=1e-3,
                                                           fast_mode=False, raise_exception=False), runs)
    return seconds, f"torch {torch.__version__}, gradcheck {'passed' if ok else 'FAILED'}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gradfuzz", default=".build/release/gradfuzz", help="the gradfuzz executable")
    parser.add_argument("--runs", type=int, default=3, help="runs per peer and shape (median)")
    parser.add_argument("--shapes", default="S,M,L")
    parser.add_argument("--oracle", default="units", choices=["units", "entries"], help="gradfuzz's oracle method")
    args = parser.parse_args()
    if not os.path.exists(args.gradfuzz):
        sys.exit(f"bench-peers: {args.gradfuzz} not found; expected the gradfuzz executable (swift build -c release)")

    with tempfile.TemporaryDirectory() as directory:
        report = subprocess.run([args.gradfuzz, "bench", "--json", "--shapes", args.shapes, "--oracle", args.oracle,
                                 "--export", directory],
                                check=True, capture_output=True, text=True).stdout
        ours = {r["shape"]["name"]: r for r in json.loads(report)}
        rows, notes = [], set()
        for name in args.shapes.split(","):
            W, b, X, Y = load(os.path.join(directory, f"{name}.json"))
            exact = backprop(W, b, X, Y)
            numeric = numpy_check(W, b, X, Y)
            numpy_seconds = median_time(lambda: numpy_check(W, b, X, Y), args.runs)
            torch_seconds, note = torch_check(W, b, X, Y, args.runs)
            notes.add(note)
            rows.append((name, ours[name], numpy_seconds, max_relative_error((numeric[0], numeric[1]), exact), torch_seconds))

    print(f"one thread each; gradfuzz oracle {args.oracle}; numpy {np.__version__}; " + "; ".join(sorted(notes)))
    print("| shape | parameters | gradfuzz | numpy central difference | torch gradcheck | numpy / gradfuzz | torch / gradfuzz "
          "| max rel. error gradfuzz | max rel. error numpy |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r, numpy_seconds, numpy_error, torch_seconds in rows:
        g = r["checkSeconds"]
        torch_cell = f"{torch_seconds:.3f} s" if torch_seconds is not None else "—"
        torch_ratio = f"{torch_seconds / g:.1f}×" if torch_seconds is not None else "—"
        print(f"| {name} | {r['parameters']} | {g:.4f} s | {numpy_seconds:.3f} s | {torch_cell} | {numpy_seconds / g:.1f}× "
              f"| {torch_ratio} | {r['maxRelativeError']:.1e} | {numpy_error:.1e} |")


if __name__ == "__main__":
    main()
