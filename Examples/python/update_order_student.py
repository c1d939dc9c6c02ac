"""A training step with two mistakes of very different sizes, for trying gradfuzz's shrinking.

It computes the gradient as some online-learning code does: from the output down, updating each
layer's weights as soon as their gradient is known (W <- W - rate * dW). Two things go wrong:

1. Big: the error of the layer below is propagated through the weights *after* their update,
   g^(l-1) = f'(z^(l-1)) * (g^(l) @ (W^(l) - rate * dW^(l))^T), where the weights before the
   update belong. The hidden layers' delta, dW and db are off by as much as the step moves the weights.
2. Small: an L2 penalty left in the gradient, dW^(l) + decay * W^(l) with decay = 1e-4: every dW
   is off by about 1e-4 of its weights.

    gradfuzz --impl 'python3 Examples/python/update_order_student.py' --iters 200

--fix-order propagates through the weights before the update; --fix-decay leaves the penalty out.
With both it is student.py's backprop.
"""
import sys

import numpy as np

from gradfuzz_student import serve
from student import LOSS, activate, backward, losses

RATE = 0.1
DECAY = 1e-4


def backprop(W, b, X, Y, activations, loss, fix_order=False, fix_decay=False):
    if loss not in LOSS:
        raise NotImplementedError("loss %s" % loss)
    L, m = len(W), X.shape[0]
    A, Z = [X], []
    for l in range(L):
        Z.append(A[-1] @ W[l] + b[l])
        A.append(activate(activations[l], Z[-1]))
    cost = losses(loss, Z[-1], A[-1], Y).mean()
    if loss == "cross_entropy":
        g = A[-1] * Y.sum(axis=1, keepdims=True) - Y
    elif loss == "binary_cross_entropy":
        g = A[-1] - Y
    else:
        g = backward(activations[-1], Z[-1], A[-1], LOSS[loss][1](A[-1], Y))

    W = [w.copy() for w in W]
    dW, db, delta = [None] * L, [None] * L, [None] * L
    for l in reversed(range(L)):
        delta[l] = g
        dW[l] = A[l].T @ g / m + (0 if fix_decay else DECAY * W[l])
        db[l] = g.mean(axis=0)
        before = W[l].copy()
        W[l] -= RATE * dW[l]  # the training step, taken at once
        if l > 0:
            through = before if fix_order else W[l]
            g = backward(activations[l - 1], Z[l - 1], A[l], g @ through.T)
    return {"dW": dW, "db": db, "cost": cost, "delta": delta}


if __name__ == "__main__":
    fix_order, fix_decay = "--fix-order" in sys.argv, "--fix-decay" in sys.argv
    serve(lambda *problem: backprop(*problem, fix_order=fix_order, fix_decay=fix_decay))
