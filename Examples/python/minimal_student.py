"""A complete gradfuzz-protocol/1 student in plain Python (no numpy), as docs/protocol.md shows it.

It handles identity, sigmoid and tanh with squared_error, and answers {"error": ...} for anything else.
"""
import json
import math
import sys

sigmoid = lambda z: 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
F = {  # f and f'(z), given z and a = f(z)
    "identity": (lambda z: z, lambda z, a: 1.0),
    "sigmoid": (sigmoid, lambda z, a: a * (1 - a)),
    "tanh": (math.tanh, lambda z, a: 1 - a * a),
}


def backprop(W, b, X, Y, f):
    L, m = len(W), len(X)
    dW = [[[0.0] * len(row) for row in Wl] for Wl in W]
    db = [[0.0] * len(bl) for bl in b]
    for x, y in zip(X, Y):
        a, z = [x], []
        for l in range(L):  # (*) z = W^T a + b and (**) a = f(z)
            z.append([b[l][k] + sum(W[l][j][k] * a[l][j] for j in range(len(a[l]))) for k in range(len(b[l]))])
            a.append([F[f[l]][0](v) for v in z[l]])
        # (108): delta = f'(z) ⊙ L'(a, y), with L' = a - y for the squared error
        g = [F[f[-1]][1](zk, ak) * (ak - yk) for zk, ak, yk in zip(z[-1], a[-1], y)]
        for l in reversed(range(L)):
            for j, aj in enumerate(a[l]):  # (100), (111), (4.3): dW += a g^T / m
                for k, gk in enumerate(g):
                    dW[l][j][k] += aj * gk / m
            for k, gk in enumerate(g):
                db[l][k] += gk / m
            if l > 0:  # (110)/(4.2) corrected: g = f'(z) ⊙ (W g)
                g = [F[f[l - 1]][1](z[l - 1][j], a[l][j]) * sum(W[l][j][k] * g[k] for k in range(len(g)))
                     for j in range(len(a[l]))]
    return dW, db


for line in iter(sys.stdin.readline, ""):  # line by line, never reading ahead
    request = json.loads(line)
    if request["loss"] != "squared_error" or any(name not in F for name in request["activations"]):
        reply = {"id": request["id"], "error": "only identity, sigmoid and tanh with squared_error"}
    else:
        dW, db = backprop(request["W"], request["b"], request["X"], request["Y"], request["activations"])
        reply = {"id": request["id"], "dW": dW, "db": db}
    print(json.dumps(reply), flush=True)
