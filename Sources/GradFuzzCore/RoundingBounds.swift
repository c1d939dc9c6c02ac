import RealModule

/// A bound per entry of dW, db (one row) and each sample's g, at index l − 1 as in `Gradients`,
/// and one for the cost.
public struct EntryBounds: Equatable, Sendable {
    public var dW: [Matrix]
    public var db: [Matrix]
    public var delta: [Matrix]
    public var cost = 0.0

    /// The bounds of layer l's (1-based) dW, db (a row) or g; the cost has none of its own matrix.
    public func matrix(_ quantity: Quantity, layer l: Int) -> Matrix {
        switch quantity {
        case .dW: return dW[l - 1]
        case .db: return db[l - 1]
        case .delta, .cost: return delta[l - 1]
        }
    }

    /// The largest bound: an entry about which nothing can be told at the program's precision.
    /// Finite, and far enough below the largest Double that what a verdict adds stays finite.
    public static let largest = 0x1p1000
}

/// How far a correct program computing in a coarser format than Double (float32: unit roundoff
/// u = 2⁻²⁴) may land from the exact gradient, entry by entry.
///
/// Such a program rounds W, b, X and Y as it reads them, rounds every sum of its own forward pass
/// and every value of f, then rounds its backward pass. Where a quantity is a small difference of
/// large terms — a residual a − y, a hidden g summed from large weighted terms, a saturated
/// sigmoid's a(1 − a) — it keeps few correct digits, and no tolerance relative to the result
/// allows for that. So this carries a running error bound E(q) ≥ |q̂ − q| (Wilkinson's running
/// error analysis) along both passes, from the reference's exact values, for sample i:
///
/// - reading: E(x_j) = u|x_j|; the roundings of w, b and y are folded into the steps below;
/// - eq. (*), z_k = Σ_j w_jk a_j + b_k over n inputs: E(z_k) = Σ_j |w_jk| E(a_j) + (n + 3)·u·S,
///   S = Σ_j |w_jk a_j| + |b_k| (the terms' sizes: summation, products and reading W and b);
/// - eq. (**), a = f(z): E(a) = max |f(z ± E(z)) − f(z)| + c·u·V_f, V_f the size of the terms
///   of a textbook formula for f (1 for σ as (1 + tanh(z/2))/2, 1 + |a| for tanh as
///   1 − 2/(e^(2z) + 1), |a| + |z| for gelu's z(1 + erf)/2);
///   softmax: s_k changes by at most the factor e^(±2 max E(z)), and its own evaluation
///   e^(z_k − z_max) / Σ_j e^(z_j − z_max) rounds by u(|z_k − z_max| + n + 3 + c) of itself:
///   E(s_k) = s_k(e^(2 max E(z)) − 1) + s_k·u(|z_k − z_max| + n + 3 + c);
/// - f'(z): its largest change over [z − E(z), z + E(z)] (the ends and 0, where sigmoid', tanh'
///   and softsign' peak) plus c·u·T_f, T_f the size of the terms of f' and of the library
///   functions it calls (`derivativeEvaluationSize`): a relu unit that E(z) can carry across
///   z = 0 gets the whole jump of f';
/// - eq. (108), output: ∂L/∂a at the corners (a ± E(a), y ± E(y)), which also crosses the
///   kinks of absolute_error and hinge; the simplified forms g = s·Σy − y after softmax with
///   cross_entropy and g = a − y after sigmoid with binary_cross_entropy term by term;
/// - eq. (110)/(4.2), g = f'(z) ⊙ u: E(g) = E(f')(|u| + E(u)) + |f'| E(u) + c·u·|f' u|;
///   softmax, g_k = s_k (u_k − σ), σ = Σ_j s_j u_j: E(σ) = Σ_j (E(s_j)(|u_j| + E(u_j)) +
///   s_j E(u_j)) + (n + 3)·u·Σ_j s_j|u_j| and E(g_k) = E(s_k)(|u_k − σ| + E(u_k) + E(σ)) +
///   s_k (E(u_k) + E(σ)) + c·u·s_k(|u_k| + |σ|);
/// - down a layer, u_j = Σ_k w_jk g_k: E(u_j) = Σ_k |w_jk| E(g_k) + (n + 3)·u·Σ_k |w_jk g_k|;
/// - eq. (100), (111), (4.3), over m samples: E(∂C/∂w_jk) = (1/m) Σ_i (|a_j| E(g_k) +
///   E(a_j)(|g_k| + E(g_k))) + (m + 3)·u·(1/m) Σ_i |a_j g_k|, and db likewise with a_j = 1;
/// - the cost (1/m) Σ_i L_i: each term's range over its inputs' bounds plus its own rounding
///   (`Loss.valueBound`), summed as above.
///
/// c = 4 (`libraryUlps`) allows a few ulps for each library function. The bound is first order in u except
/// where it takes a range (f and f' over z ± E(z), ∂L/∂a at the corners, softmax's factor), so it
/// holds across a kink and in saturation. It assumes every rounding goes the same way, which real
/// roundings rarely do: it says how many digits single precision can lose, not how many it does.
/// Where nothing cancels it is about n·u of the entry, far inside float32's rtol, so a mistake
/// (an error the size of the entry) still shows.
extension Problem {
    /// The bounds for a program whose every operation rounds with unit roundoff `u`.
    public func roundingBounds(unitRoundoff u: Double) -> EntryBounds {
        let net = network
        let (L, m) = (net.depth, batchSize)
        let reference = Reference.backprop(self)
        let c = libraryUlps * u
        var bounds = EntryBounds(
            dW: net.W.map { Matrix(rows: $0.rows, columns: $0.columns) },
            db: net.b.map { Matrix(rows: 1, columns: $0.count) },
            delta: net.b.map { Matrix(rows: m, columns: $0.count) })
        for i in 0..<m {
            // The forward pass: values[l] = a^(i,l) (values[0] = x^(i)) and their bounds.
            let values = [X.row(i)] + reference.a.map { $0.row(i) }
            let zs = reference.z.map { $0.row(i) }
            var valueBounds = [values[0].map { u * abs($0) }]
            var zBounds: [[Double]] = []
            for l in 0..<L {
                let W = net.W[l], input = values[l], inputBound = valueBounds[l]
                let zBound = (0..<W.columns).map { k in
                    sumBound(count: W.rows, constant: net.b[l][k], unitRoundoff: u) { j in (W[j, k], input[j], inputBound[j]) }
                }
                zBounds.append(zBound)
                valueBounds.append(net.activations[l].valueBounds(z: zs[l], a: values[l + 1], zBound: zBound, unitRoundoff: u))
            }
            // The backward pass, from the output.
            let y = Y.row(i), output = net.activations[L - 1]
            let (outputA, outputBound) = (values[L], valueBounds[L])
            let lossValue = loss.value(z: zs[L - 1], a: outputA, y: y, output: output)
            let lossBound = loss.valueBound(z: zs[L - 1], a: outputA, y: y, zBound: zBounds[L - 1], aBound: outputBound, output: output, unitRoundoff: u)
            bounds.cost += (lossBound + Double(m + 3) * u * abs(lossValue)) / Double(m)
            var g: [Double], gBound: [Double]
            if loss == .crossEntropy && output == .softmax {
                let total = y.reduce(0) { $0 + abs($1) }, spread = y.reduce(0) { $0 + u * abs($1) }
                g = reference.delta[L - 1].row(i)
                gBound = y.indices.map { k in
                    outputBound[k] * total + outputA[k] * spread + u * abs(y[k])
                        + Double(y.count + 3) * u * (outputA[k] * total + abs(y[k]))
                }
            } else if loss == .binaryCrossEntropy && output == .sigmoid {
                g = reference.delta[L - 1].row(i)
                gBound = y.indices.map { k in outputBound[k] + u * abs(y[k]) + c * (abs(outputA[k]) + abs(y[k])) }
            } else {
                let upstream = y.indices.map { loss.gradient(a: outputA[$0], y: y[$0]) }
                let upstreamBound = y.indices.map { k in
                    loss.gradientChange(a: outputA[k], y: y[k], aBound: outputBound[k], yBound: u * abs(y[k]))
                        + c * (abs(outputA[k]) + abs(y[k]) + abs(upstream[k]))
                }
                (g, gBound) = output.backwardBounds(
                    z: zs[L - 1], a: outputA, aBound: outputBound, zBound: zBounds[L - 1],
                    u: upstream, uBound: upstreamBound, unitRoundoff: u)
            }
            for l in stride(from: L, through: 1, by: -1) {
                let input = values[l - 1], inputBound = valueBounds[l - 1]
                for k in g.indices {
                    bounds.delta[l - 1][i, k] = gBound[k]
                    bounds.db[l - 1][0, k] += (gBound[k] + Double(m + 3) * u * abs(g[k])) / Double(m)
                    for j in input.indices {
                        let term = abs(input[j]) * gBound[k] + inputBound[j] * (abs(g[k]) + gBound[k])
                        bounds.dW[l - 1][j, k] += (term + Double(m + 3) * u * abs(input[j] * g[k])) / Double(m)
                    }
                }
                guard l > 1 else { break }
                let W = net.W[l - 1]
                let upstream = W.times(g)
                let upstreamBound = (0..<W.rows).map { j in
                    sumBound(count: W.columns, unitRoundoff: u) { k in (W[j, k], g[k], gBound[k]) }
                }
                (g, gBound) = net.activations[l - 2].backwardBounds(
                    z: zs[l - 2], a: values[l - 1], aBound: valueBounds[l - 1], zBound: zBounds[l - 2],
                    u: upstream, uBound: upstreamBound, unitRoundoff: u)
            }
        }
        // A bound that overflowed (or a range that reached a log's pole) says that nothing can be
        // told at this precision: the largest bound, finite so that a verdict can add to it.
        func capped(_ x: Double) -> Double { x.isNaN ? EntryBounds.largest : min(x, EntryBounds.largest) }
        bounds.cost = capped(bounds.cost)
        for l in 0..<L {
            bounds.dW[l].storage = bounds.dW[l].storage.map(capped)
            bounds.db[l].storage = bounds.db[l].storage.map(capped)
            bounds.delta[l].storage = bounds.delta[l].storage.map(capped)
        }
        return bounds
    }
}

/// c: the ulps allowed each library function (exp, tanh, erf, log) beyond correct rounding.
let libraryUlps = 4.0

/// E(Σ_j w_j x_j + b) over n terms, from each term's w_j, x_j and E(x_j):
/// Σ_j |w_j| E(x_j) + (n + 3)·u·(Σ_j |w_j x_j| + |b|) (summation, products and reading w and b).
func sumBound(count n: Int, constant b: Double = 0, unitRoundoff u: Double, _ term: (Int) -> (w: Double, x: Double, bound: Double)) -> Double {
    var propagated = 0.0, size = abs(b)
    for j in 0..<n {
        let t = term(j)
        propagated += abs(t.w) * t.bound
        size += abs(t.w * t.x)
    }
    return propagated + Double(n + 3) * u * size
}

extension Activation {
    /// E(a) for a layer, from E(z) (see `Problem.roundingBounds`).
    func valueBounds(z: [Double], a: [Double], zBound: [Double], unitRoundoff u: Double) -> [Double] {
        let c = libraryUlps * u
        if self == .softmax {
            let factor = Double.expMinusOne(min(2 * (zBound.max() ?? 0), 700))
            let top = z.max() ?? 0
            return a.indices.map { k in min(1, a[k] * factor) + a[k] * (u * (top - z[k] + Double(z.count + 3)) + c) }
        }
        return z.indices.map { k in
            let moved = max(abs(value(z[k] - zBound[k]) - a[k]), abs(value(z[k] + zBound[k]) - a[k]))
            return moved + c * evaluationSize(z: z[k], a: a[k])
        }
    }

    /// The size of the terms of a textbook formula for f(z), which bounds its rounding.
    func evaluationSize(z: Double, a: Double) -> Double {
        switch self {
        case .identity: return 0
        case .sigmoid: return 1  // (1 + tanh(z/2))/2 near 0 or 1/(1 + e^(−z)) near 1
        case .tanh: return 1 + abs(a)  // 1 − 2/(e^(2z) + 1), (e^z − e^(−z))/(e^z + e^(−z)) near 0
        case .elu: return z > 0 ? 0 : 1  // e^z − 1
        case .softplus: return 1 + abs(a)  // log(1 + e^z)
        case .silu, .gelu: return abs(a) + abs(z)  // z σ(z), z (1 + erf(z/√2))/2
        default: return abs(a)
        }
    }

    /// g = Jᵀu through a layer and E(g), from E(z), E(a) and E(u) (see `Problem.roundingBounds`).
    func backwardBounds(
        z: [Double], a: [Double], aBound: [Double], zBound: [Double], u: [Double], uBound: [Double], unitRoundoff: Double
    ) -> (g: [Double], bound: [Double]) {
        let g = backward(z: z, a: a, upstream: u)
        let c = libraryUlps * unitRoundoff
        if self == .softmax {
            var sigma = 0.0, sigmaBound = 0.0, size = 0.0
            for j in a.indices {
                sigma += a[j] * u[j]
                sigmaBound += aBound[j] * (abs(u[j]) + uBound[j]) + a[j] * uBound[j]
                size += a[j] * abs(u[j])
            }
            sigmaBound += Double(a.count + 3) * unitRoundoff * size
            return (
                g,
                a.indices.map { k in
                    aBound[k] * (abs(u[k] - sigma) + uBound[k] + sigmaBound) + a[k] * (uBound[k] + sigmaBound)
                        + c * a[k] * (abs(u[k]) + abs(sigma))
                }
            )
        }
        return (
            g,
            z.indices.map { k in
                let slope = derivative(z: z[k], a: a[k])
                let slopeBound = derivativeChange(z: z[k], zBound: zBound[k]) + c * derivativeEvaluationSize(z: z[k], a: a[k])
                return slopeBound * (abs(u[k]) + uBound[k]) + abs(slope) * uBound[k] + c * abs(slope * u[k])
            }
        )
    }

    /// The size of the terms of a textbook formula for f'(z), with the absolute error of the σ,
    /// e^z − 1 or erf it is built from (single-precision σ = (1 + tanh(z/2))/2 is off by up to u
    /// near 0, not u·σ): sigmoid a(1 − a), elu a + 1 and softplus σ(z) gain 1, gelu's (1 + erf)/2
    /// 1, silu's σ(1 + z(1 − σ)) its ∂/∂σ, up to 1 + |z|.
    func derivativeEvaluationSize(z: Double, a: Double) -> Double {
        let library: Double
        switch self {
        case .sigmoid, .softplus, .gelu: library = 1
        case .elu: library = z > 0 ? 0 : 1
        case .silu: library = 1 + abs(z)
        default: library = 0
        }
        return derivativeTermSize(z: z, a: a) + library
    }

    /// The largest change of f' over [z − e, z + e]: at its ends and, where it lies inside, at 0.
    func derivativeChange(z: Double, zBound e: Double) -> Double {
        let slope = derivative(z: z, a: value(z))
        var change = 0.0
        for point in [z - e, z + e, min(max(0, z - e), z + e)] {
            change = max(change, abs(derivative(z: point, a: value(point)) - slope))
        }
        return change
    }
}

extension Loss {
    /// E(L_i) for one sample, from E(z) and E(a) of the output layer (see `Problem.roundingBounds`).
    ///
    /// cross_entropy after softmax, −Σ y_k log s_k: through log-sum-exp, log s_k moves by at most
    /// 2 max E(z), and each t_k = −log s_k = (z_max − z_k) + log Σ e^(z_j − z_max) rounds by
    /// c·(t_k + 1); as the log of a computed s_k, by −log(1 − E(s_k)/s_k). Other losses term by
    /// term: the term's range over z ± E(z), a ± E(a), y ± u|y| (binary_cross_entropy both from z
    /// and, as −y log a − (1 − y) log(1 − a), from a), plus c·(|term| + |∂L/∂a|(|a| + |y|) + 1)
    /// for its own rounding (the 1: log cosh r as log(e^r + e^−r) − log 2 and the softplus of
    /// binary_cross_entropy round by u, not u·|term|), and the sum over n units by (n + 3)·u·Σ|term|.
    /// A range that reaches a pole of a log (a saturated a within E(a) of 0 or 1) is infinite.
    func valueBound(
        z: [Double], a: [Double], y: [Double], zBound: [Double], aBound: [Double], output: Activation, unitRoundoff u: Double
    ) -> Double {
        let c = libraryUlps * u
        if self == .crossEntropy && output == .softmax {
            let top = z.max() ?? 0
            let logSum = Double.log(z.reduce(0) { $0 + Double.exp($1 - top) })
            let moved = 2 * (zBound.max() ?? 0)
            return z.indices.reduce(0) { total, k in
                guard y[k] != 0 else { return total }
                let t = (top - z[k]) + logSum
                let ofComputedS = aBound[k] < a[k] ? -Double.log(onePlus: -aBound[k] / a[k]) : .infinity
                return total + abs(y[k]) * (max(moved, ofComputedS) + c * (t + 1) + Double(z.count + 4) * u * t)
            }
        }
        // The largest |change|, a NaN (a log of a negative value) counting as infinite.
        func widest(_ changes: [Double]) -> Double { changes.reduce(0) { $1.isNaN ? .infinity : max($0, abs($1)) } }
        var bound = 0.0, size = 0.0
        for k in a.indices {
            let value = term(z: z[k], a: a[k], y: y[k], output: output)
            var changes: [Double] = []
            for dz in [-zBound[k], zBound[k]] {
                for da in [-aBound[k], aBound[k]] {
                    for dy in [-u * abs(y[k]), u * abs(y[k])] {
                        changes.append(term(z: z[k] + dz, a: a[k] + da, y: y[k] + dy, output: output) - value)
                        // The same term as a program computes it from a: −y log a − (1 − y) log(1 − a).
                        if self == .binaryCrossEntropy { changes.append(term(z: z[k], a: a[k] + da, y: y[k] + dy, output: .identity) - value) }
                    }
                }
            }
            let moved = widest(changes)
            let gradientSize = self == .crossEntropy || self == .binaryCrossEntropy ? abs(z[k]) : abs(gradient(a: a[k], y: y[k]))
            bound += moved + c * (abs(value) + gradientSize * (abs(a[k]) + abs(y[k])) + 1)
            size += abs(value)
        }
        return bound + Double(a.count + 3) * u * size
    }

    /// The largest change of ∂L/∂a over a ± aBound, y ± yBound (the corners, and the kink's side).
    func gradientChange(a: Double, y: Double, aBound: Double, yBound: Double) -> Double {
        let slope = gradient(a: a, y: y)
        var change = 0.0
        for da in [-aBound, aBound] {
            for dy in [-yBound, yBound] { change = max(change, abs(gradient(a: a + da, y: y + dy) - slope)) }
        }
        return change
    }
}

extension Activation {
    /// The sum of the absolute values of the terms of the textbook f'(z) (`derivative(z:a:)`), which
    /// bounds its rounding: |f'| where the formula does not subtract.
    /// sigmoid a(1 − a): a(1 + a); tanh 1 − a²: 1 + a²; elu (z ≤ 0) a + 1: 1 + |a|;
    /// silu σ(1 + z(1 − σ)): σ(1 + |z|(1 + σ)); gelu Φ + zφ, Φ = (1 + erf(z/√2))/2: (1 + |erf|)/2 + |z|φ.
    @inlinable
    package func derivativeTermSize(z: Double, a: Double) -> Double {
        switch self {
        case .sigmoid: return abs(a) * (1 + abs(a))
        case .tanh: return 1 + a * a
        case .elu: return z > 0 ? 1 : 1 + abs(a)
        case .silu:
            let s = Self.sigmoid(z)
            return s * (1 + abs(z) * (1 + s))
        case .gelu:
            let phi = Double.exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            return (1 + abs(Double.erf(z / 2.0.squareRoot()))) / 2 + abs(z) * phi
        case .softmax: preconditionFailure("softmax has a Jacobian: its sizes are summed in analyticRounding")
        default: return abs(derivative(z: z, a: a))
        }
    }
}
