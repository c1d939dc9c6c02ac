"""A correct backprop for the assignment "Neural Network By Hand", in numpy.

Run it under gradfuzz:  gradfuzz validate -- python3 Examples/python/student.py
(add --dtype float32 to compute in single precision, and validate with --tolerance float32;
add --family NAME to support one family only, as course implementations do, declining the rest).

Rows are samples: X is (m, m_0), and layer l has W^(l) of shape (m_{l-1}, m_l), as in the
assignment, so the forward pass (*) z^(i,l) = (W^(l))^T a^(i,l-1) + b^(l) for all samples at once
is Z = A_prev @ W + b.
"""
import math
import sys

import numpy as np

from gradfuzz_student import serve


def erf(z):
    """math.erf entry by entry (numpy has no erf)."""
    return np.vectorize(math.erf, otypes=[z.dtype])(z)


# f and f' for each activation, by the names of the contract. f'(z) is given z and a = f(z).
sigmoid = lambda z: 0.5 * (1 + np.tanh(z / 2))  # = 1 / (1 + e^-z), without overflow
F = {
    "identity":   (lambda z: z,                                  lambda z, a: np.ones_like(z)),
    "sigmoid":    (sigmoid,                                      lambda z, a: a * (1 - a)),
    "tanh":       (np.tanh,                                      lambda z, a: 1 - a ** 2),
    "relu":       (lambda z: np.maximum(z, 0),                   lambda z, a: (z > 0).astype(z.dtype)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z),       lambda z, a: np.where(z > 0, 1, 0.01).astype(z.dtype)),
    "elu":        (lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))), lambda z, a: np.where(z > 0, 1, a + 1)),
    "softplus":   (lambda z: np.logaddexp(0, z),                 lambda z, a: sigmoid(z)),
    "silu":       (lambda z: z * sigmoid(z),                     lambda z, a: sigmoid(z) * (1 + z * (1 - sigmoid(z)))),
    "gelu":       (lambda z: z * (1 + erf(z / math.sqrt(2))) / 2,
                   lambda z, a: (1 + erf(z / math.sqrt(2))) / 2 + z * np.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)),
    "softsign":   (lambda z: z / (1 + np.abs(z)),                lambda z, a: 1 / (1 + np.abs(z)) ** 2),
}


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))  # shifted: no overflow, same function
    return e / e.sum(axis=1, keepdims=True)


def activate(name, z):
    if name == "softmax":
        return softmax(z)
    if name not in F:
        raise NotImplementedError(f"activation {name}")
    return F[name][0](z)


def backward(name, z, a, u):
    """J_f(z)^T u, row by row: f'(z) ⊙ u for an element-wise f (eq. 4.2: ⊙, not ⊗)."""
    if name == "softmax":  # J = diag(s) - s s^T
        return a * (u - (a * u).sum(axis=1, keepdims=True))
    return F[name][1](z, a) * u


# L(a, y) per sample and dL/da, by the names of the contract.
LOSS = {
    "squared_error":  (lambda a, y: 0.5 * ((a - y) ** 2).sum(axis=1),       lambda a, y: a - y),
    "absolute_error": (lambda a, y: np.abs(a - y).sum(axis=1),              lambda a, y: np.sign(a - y)),
    "huber":          (lambda a, y: np.where(np.abs(a - y) <= 1, 0.5 * (a - y) ** 2, np.abs(a - y) - 0.5).sum(axis=1),
                       lambda a, y: np.clip(a - y, -1, 1)),
    "log_cosh":       (lambda a, y: (np.logaddexp(a - y, y - a) - math.log(2)).sum(axis=1), lambda a, y: np.tanh(a - y)),
    "cross_entropy":  (lambda a, y: -(y * np.log(a)).sum(axis=1),           lambda a, y: -y / a),
    "binary_cross_entropy": (lambda a, y: -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum(axis=1),
                             lambda a, y: -y / a + (1 - y) / (1 - a)),
    "hinge":          (lambda a, y: np.maximum(0, 1 - y * a).sum(axis=1),   lambda a, y: np.where(y * a < 1, -y, 0)),
}


def losses(loss, z, a, y):
    """L per sample; the cross-entropies from z, as a saturated a (1.0 in floating point) has no log."""
    if loss == "cross_entropy":  # log softmax(z) through log-sum-exp
        shifted = z - z.max(axis=1, keepdims=True)
        return -(y * (shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))).sum(axis=1)
    if loss == "binary_cross_entropy":  # log σ(z) = -softplus(-z), log(1 - σ(z)) = -softplus(z)
        return (y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)).sum(axis=1)
    return LOSS[loss][0](a, y)


def backprop(W, b, X, Y, activations, loss):
    if loss not in LOSS:
        raise NotImplementedError(f"loss {loss}")
    L, m = len(W), X.shape[0]
    # Forward: (*) Z = A_prev W + b and (**) A = f(Z), keeping every layer's z and a.
    A, Z = [X], []
    for l in range(L):
        Z.append(A[-1] @ W[l] + b[l])
        A.append(activate(activations[l], Z[-1]))
    cost = losses(loss, Z[-1], A[-1], Y).mean()

    # Eq. (108): delta^(i,L) = f'(z^(i,L)) ⊙ L'(a^(i,L), y^(i)); with softmax, J^T L'.
    if loss == "cross_entropy":          # after softmax: J^T(-y/a) = a Σy - y, no division by a tiny a
        g = A[-1] * Y.sum(axis=1, keepdims=True) - Y
    elif loss == "binary_cross_entropy":  # after sigmoid: a(1-a)(-y/a + (1-y)/(1-a)) = a - y
        g = A[-1] - Y
    else:
        g = backward(activations[-1], Z[-1], A[-1], LOSS[loss][1](A[-1], Y))

    dW, db, delta = [None] * L, [None] * L, [None] * L
    for l in reversed(range(L)):
        delta[l] = g
        # Eq. (100), (111), (4.3): dCost/dW^(l) = (1/m) Σ_i a^(i,l-1) (g^(i,l))^T, and db the mean of g.
        dW[l] = A[l].T @ g / m
        db[l] = g.mean(axis=0)
        if l > 0:
            # Eq. (110)/(4.2), corrected: g^(i,l-1) = f'(z^(i,l-1)) ⊙ (W^(l) g^(i,l)).
            g = backward(activations[l - 1], Z[l - 1], A[l], g @ W[l].T)
    return {"dW": dW, "db": db, "cost": cost, "delta": delta}


# --family NAME: behave like a course implementation that supports one family only, declining
# everything else with {"error": ...}. The names are gradfuzz's (gradfuzz fuzz --family NAME).
def one_hot(Y):
    return bool(np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1))


def binary(Y):
    return bool(np.all((Y == 0) | (Y == 1)))


FAMILIES = {
    # name: (hidden activations, output activations, losses, check of the output width and targets)
    "sigmoid-squared-error": ({"sigmoid"}, {"sigmoid"}, {"squared_error"}, lambda Y: True),
    "relu-softmax-cross-entropy": ({"relu"}, {"softmax"}, {"cross_entropy"}, lambda Y: Y.shape[1] >= 2 and one_hot(Y)),
    "relu-sigmoid-binary-cross-entropy": ({"relu"}, {"sigmoid"}, {"binary_cross_entropy"}, lambda Y: Y.shape[1] == 1 and binary(Y)),
    "tanh-sigmoid-squared-error": ({"tanh", "sigmoid"}, {"tanh", "sigmoid"}, {"squared_error"}, lambda Y: True),
    "sigmoid-softmax-cross-entropy": ({"sigmoid"}, {"softmax"}, {"cross_entropy"}, lambda Y: Y.shape[1] >= 2 and one_hot(Y)),
    "tanh-softmax-cross-entropy": ({"tanh"}, {"softmax"}, {"cross_entropy"}, lambda Y: Y.shape[1] >= 2 and one_hot(Y)),
    "sigmoid-binary-cross-entropy": ({"sigmoid"}, {"sigmoid"}, {"binary_cross_entropy"}, lambda Y: Y.shape[1] == 1 and binary(Y)),
    "relu-identity-squared-error": ({"relu"}, {"identity"}, {"squared_error"}, lambda Y: True),
    "same-sigmoid-or-tanh-squared-error": ({"sigmoid", "tanh"}, {"sigmoid", "tanh"}, {"squared_error"}, lambda Y: True),
}
# Families whose every layer must use one activation.
SAME_ACTIVATION = {"same-sigmoid-or-tanh-squared-error"}


def restricted(family):
    hidden, output, losses, targets = FAMILIES[family]

    def within(W, b, X, Y, activations, loss):
        tied = family not in SAME_ACTIVATION or len(set(activations)) == 1
        if not (set(activations[:-1]) <= hidden and activations[-1] in output and loss in losses and targets(Y) and tied):
            raise NotImplementedError(f"outside the family {family}: {','.join(activations)} + {loss}, {Y.shape[1]} outputs")
        return backprop(W, b, X, Y, activations, loss)
    return within


if __name__ == "__main__":
    single = "--dtype" in sys.argv and sys.argv[sys.argv.index("--dtype") + 1] == "float32"
    implementation, family = backprop, None
    if "--family" in sys.argv:
        family = sys.argv[sys.argv.index("--family") + 1]
        if family not in FAMILIES:
            sys.exit(f"student.py: unknown family {family}; expected one of {', '.join(FAMILIES)}")
        implementation = restricted(family)
    # --declare: the program states its family itself, so that validate needs no family options.
    serve(implementation, dtype=np.float32 if single else np.float64, family=family if "--declare" in sys.argv else None)
