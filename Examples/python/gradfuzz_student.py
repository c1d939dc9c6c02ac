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

Without numpy, requests() and reply() are the protocol alone, on Python 2.7 and 3:

    for request in requests():
        reply({"id": request["id"], "dW": ..., "db": ...})
"""
import json
import sys

try:
    import numpy as np
except ImportError:  # serve() and answer() need numpy; requests() and reply() do not
    np = None


def requests(stream=None):
    """The requests on stdin, each parsed as soon as its line arrives, until stdin closes.

    Lines are read with readline, not `for line in sys.stdin`: on Python 2 that reads a pipe ahead in
    blocks of 8 kB and would wait for more requests before handing over the first, which gradfuzz
    never sends before it has the answer.
    """
    stream = stream or sys.stdin
    for line in iter(stream.readline, ""):
        if line.strip():
            yield json.loads(line)


def reply(message):
    """Prints one answer line and flushes it."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def serve(backprop, dtype=None, family=None):
    """Answer requests from stdin until it closes. dtype=np.float32 computes in single precision.

    family states what backprop supports, so that `gradfuzz validate -- python3 mine.py` needs no
    options: a named family ("sigmoid-softmax-cross-entropy"; `gradfuzz validate --help` lists them)
    or a dict of family options, e.g. {"hidden_activations": ["sigmoid"], "output_activations":
    ["softmax"], "losses": ["cross_entropy"], "labels": "one-hot"} (docs/protocol.md).
    """
    for request in requests():
        if request.get("describe") and family is not None:
            reply({"id": request["id"], "family": family})
        else:
            reply(answer(request, backprop, dtype))


def answer(request, backprop, dtype=None):
    """The reply to one request, as a dict ready for json.dumps."""
    dtype = dtype or np.float64
    out = {"id": request["id"]}
    sizes = request["layers"]
    W = [np.array(w, dtype=dtype).reshape(sizes[l], sizes[l + 1]) for l, w in enumerate(request["W"])]
    b = [np.array(v, dtype=dtype).reshape(sizes[l + 1]) for l, v in enumerate(request["b"])]
    X = np.array(request["X"], dtype=dtype).reshape(-1, sizes[0])
    Y = np.array(request["Y"], dtype=dtype).reshape(-1, sizes[-1])
    try:
        result = backprop(W, b, X, Y, request["activations"], request["loss"])
    except NotImplementedError as unsupported:
        out["error"] = str(unsupported) or "not implemented"
        return out
    if not isinstance(result, dict):
        result = dict(zip(("dW", "db", "cost", "delta"), result))
    out["dW"] = [np.asarray(d, dtype=np.float64).tolist() for d in result["dW"]]
    out["db"] = [np.asarray(d, dtype=np.float64).reshape(-1).tolist() for d in result["db"]]
    if result.get("cost") is not None:
        out["cost"] = float(result["cost"])
    if result.get("delta") is not None:
        out["delta"] = [np.asarray(g, dtype=np.float64).tolist() for g in result["delta"]]
    return out
