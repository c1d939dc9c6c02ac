import RealModule

/// A per-sample loss L(a, y), by the exact name used in fixtures and the student protocol.
///
/// These names and formulas are a public contract: they never change meaning.
public enum Loss: String, CaseIterable, Codable, Sendable {
    case squaredError = "squared_error"
    case absoluteError = "absolute_error"
    case huber
    case logCosh = "log_cosh"
    case crossEntropy = "cross_entropy"
    case binaryCrossEntropy = "binary_cross_entropy"
    case hinge

    /// The output activation this loss requires, or nil when any will do.
    public var requiredOutput: Activation? {
        switch self {
        case .crossEntropy: return .softmax
        case .binaryCrossEntropy: return .sigmoid
        default: return nil
        }
    }

    /// Why `y` is outside this loss's domain, or nil when it is inside.
    public func targetProblem(_ y: [Double]) -> String? {
        switch self {
        case .crossEntropy:
            if let bad = y.first(where: { $0 < 0 }) { return "cross_entropy targets must be ≥ 0, found \(bad)" }
            let sum = y.reduce(0, +)
            if abs(sum - 1) > 1e-9 { return "cross_entropy targets must sum to 1, they sum to \(sum)" }
        case .binaryCrossEntropy:
            if let bad = y.first(where: { !(0...1).contains($0) }) {
                return "binary_cross_entropy targets must lie in [0, 1], found \(bad)"
            }
        case .hinge:
            if let bad = y.first(where: { $0 != 1 && $0 != -1 }) { return "hinge targets must be −1 or +1, found \(bad)" }
        default: break
        }
        return nil
    }

    /// Whether the loss of a sample is a sum of one term per output unit that depends on that
    /// unit alone (all but cross_entropy after softmax, whose stable form couples the units).
    public func isSeparable(after output: Activation) -> Bool {
        !(self == .crossEntropy && output == .softmax)
    }

    /// L(a, y) for one sample, from the output layer's z and a = f_L(z).
    ///
    /// After their required activation the cross-entropies are computed from z, which avoids
    /// log of an a that has rounded to 0 or 1: the same function, without the cancellation.
    public func value(z: [Double], a: [Double], y: [Double], output: Activation) -> Double {
        if self == .crossEntropy && output == .softmax {
            // −Σ y_k log s_k = Σ y_k (logsumexp(z) − z_k) = Σ y_k ((z_max − z_k) + log(1 + Σ_{j≠max} e^(z_j − z_max))):
            // log1p of the rest, not z_max + log(sum) − z_k, whose rounding (ε·|z_max|) swamps a small loss.
            var top = 0
            for k in z.indices where z[k] > z[top] { top = k }
            let shift = z[top]
            var rest = 0.0
            for k in z.indices where k != top { rest += Double.exp(z[k] - shift) }
            let logSum = Double.log(onePlus: rest)
            var loss = 0.0
            for k in z.indices where y[k] != 0 { loss += y[k] * ((shift - z[k]) + logSum) }
            return loss
        }
        var loss = 0.0
        for k in a.indices { loss += term(z: z[k], a: a[k], y: y[k], output: output) }
        return loss
    }

    /// The term of a separable loss for one output unit.
    @inlinable
    public func term(z: Double, a: Double, y: Double, output: Activation) -> Double {
        let r = a - y
        switch self {
        case .squaredError: return r * r / 2
        case .absoluteError: return abs(r)
        case .huber:
            return abs(r) <= 1 ? r * r / 2 : abs(r) - 0.5
        case .logCosh:
            // log cosh r = |r| + log(1 + e^(−2|r|)) − log 2 for |r| ≥ 1: cosh never overflows.
            // For |r| < 1 that form cancels (a result ~r²/2 from terms ~0.7): log(1 + 2 sinh²(r/2)) instead.
            let m = abs(r)
            if m < 1 {
                let s = Double.sinh(m / 2)
                return Double.log(onePlus: 2 * s * s)
            }
            return m + Double.log(onePlus: Double.exp(-2 * m)) - Double.log(2)
        case .crossEntropy:
            return y == 0 ? 0 : -y * Double.log(a)
        case .binaryCrossEntropy:
            if output == .sigmoid {
                // log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z)
                let p = y == 0 ? 0 : y * Activation.softplus.value(-z)
                let q = y == 1 ? 0 : (1 - y) * Activation.softplus.value(z)
                return p + q
            }
            let p = y == 0 ? 0 : -y * Double.log(a)
            let q = y == 1 ? 0 : -(1 - y) * Double.log(onePlus: -a)
            return p + q
        case .hinge:
            let margin = 1 - y * a
            return margin > 0 ? margin : 0
        }
    }

    /// ∂L/∂a_k for one output unit of the general (unfused) form.
    @inlinable
    public func gradient(a: Double, y: Double) -> Double {
        let r = a - y
        switch self {
        case .squaredError: return r
        case .absoluteError: return r > 0 ? 1 : (r < 0 ? -1 : 0)
        case .huber: return abs(r) <= 1 ? r : (r > 0 ? 1 : -1)
        case .logCosh: return Double.tanh(r)
        case .crossEntropy: return y == 0 ? 0 : -y / a
        case .binaryCrossEntropy: return -y / a + (1 - y) / (1 - a)
        case .hinge: return y * a < 1 ? -y : 0
        }
    }

    /// δ^(i,L) = J_{f_L}(z)ᵀ ∇_a L(a, y): eq. (108) of docs/notation.md.
    ///
    /// After their required activation the cross-entropies use the simplified forms
    /// s·Σy − y (softmax) and a − y (sigmoid): the same values, with no division by a tiny a.
    public func outputDelta(z: [Double], a: [Double], y: [Double], output: Activation) -> [Double] {
        if self == .crossEntropy && output == .softmax {
            let total = y.reduce(0, +)
            return a.indices.map { a[$0] * total - y[$0] }
        }
        if self == .binaryCrossEntropy && output == .sigmoid {
            return a.indices.map { a[$0] - y[$0] }
        }
        return output.backward(z: z, a: a, upstream: a.indices.map { gradient(a: a[$0], y: y[$0]) })
    }
}
