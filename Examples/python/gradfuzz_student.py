"""Speak gradfuzz-protocol/1, so that a student writes only backprop().

    from gradfuzz_student import serve

    def backprop(W, b, X, Y, activations, loss):
        ...
        return {"dW": dW, "db": db}          # optionally "cost" and "delta" too

    serve(backprop)

gradfuzz starts the program once and writes one JSON request per line on stdin:
{"id", "layers", "activations", "loss", "W", "b", "X", "Y"}. serve() turns each into numpy
arrays -- W[l] of shape (m_l, m_{l+1}) (W^(l+1) in the assignment's numbering), b[l] of shape
(m_{l+1},), X of shape (m, m_0), Y of shape (m, m_L) -- calls backprop, and prints one JSON line:
{"id", "dW", "db"} (+ "cost", "delta"). Raise NotImplementedError for an activation or a loss
you do not support: gradfuzz reports it as unsupported, not as wrong. Print debugging output
to stderr (print(..., file=sys.stderr)); stdout is for answers only.
"""
import json
import sys

import numpy as np


def serve(backprop, dtype=np.float64):
    """Answer requests from stdin until it closes. dtype=np.float32 computes in single precision."""
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(answer(json.loads(line), backprop, dtype)) + "\n")
            sys.stdout.flush()


def answer(request, backprop, dtype=np.float64):
    """The reply to one request, as a dict ready for json.dumps."""
    reply = {"id": request["id"]}
    sizes = request["layers"]
    W = [np.array(w, dtype=dtype).reshape(sizes[l], sizes[l + 1]) for l, w in enumerate(request["W"])]
    b = [np.array(v, dtype=dtype).reshape(sizes[l + 1]) for l, v in enumerate(request["b"])]
    X = np.array(request["X"], dtype=dtype).reshape(-1, sizes[0])
    Y = np.array(request["Y"], dtype=dtype).reshape(-1, sizes[-1])
    try:
        result = backprop(W, b, X, Y, request["activations"], request["loss"])
    except NotImplementedError as unsupported:
        reply["error"] = str(unsupported) or "not implemented"
        return reply
    if not isinstance(result, dict):
        result = dict(zip(("dW", "db", "cost", "delta"), result))
    reply["dW"] = [np.asarray(d, dtype=np.float64).tolist() for d in result["dW"]]
    reply["db"] = [np.asarray(d, dtype=np.float64).reshape(-1).tolist() for d in result["db"]]
    if result.get("cost") is not None:
        reply["cost"] = float(result["cost"])
    if result.get("delta") is not None:
        reply["delta"] = [np.asarray(g, dtype=np.float64).tolist() for g in result["delta"]]
    return reply
