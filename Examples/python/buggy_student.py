"""A student's backprop, sigmoid hidden layers, a softmax output and cross-entropy, with the classic
mistake: f(z) where f'(z) belongs. `gradfuzz validate -- python3 buggy_student.py` names it (README).

The program states its family, so validate needs no options; the arrays are the protocol's
(docs/notation.md): A[0] = X, Z[k] = A[k] @ W[k] + b[k], A[k+1] = f(Z[k]), one row per sample.
"""
import numpy as np

from gradfuzz_student import serve


def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def backprop(W, b, X, Y, activations, loss):
    m, L = X.shape[0], len(W)
    A, Z = [X], []
    for k in range(L):
        Z.append(A[k] @ W[k] + b[k])
        A.append(softmax(Z[k]) if k == L - 1 else sigmoid(Z[k]))
    G = A[-1] - Y  # softmax with cross-entropy and one-hot Y
    dW, db = [None] * L, [None] * L
    for k in reversed(range(L)):
        dW[k] = A[k].T @ G / m
        db[k] = G.mean(axis=0)
        if k > 0:
            G = (G @ W[k].T) * sigmoid(Z[k - 1])  # the mistake: sigmoid itself, not its derivative
    return dW, db


serve(backprop, family="sigmoid-softmax-cross-entropy")
