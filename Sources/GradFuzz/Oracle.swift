import CGSL

/// Numerical derivatives of one matrix of a gradient, entry by entry, with their error estimates.
public struct Estimates: Equatable, Sendable {
    /// The derivative of each entry.
    public var value: Matrix
    /// The error estimate of each entry: GSL's abserr plus the round-off of the differenced values.
    public var error: Matrix
    /// Entries whose difference stencil moved a relu/leaky_relu unit across z = 0, an
    /// absolute_error output across a = y or a hinge output across y·a = 1: not checkable.
    public var kink: [Bool]

    init(rows: Int, columns: Int) {
        value = Matrix(rows: rows, columns: columns)
        error = Matrix(rows: rows, columns: columns)
        kink = Array(repeating: false, count: rows * columns)
    }
}

/// What the oracle finds for a problem: ∂Cost/∂W^(l), ∂Cost/∂b^(l) (one row) and, per sample,
/// g^(i,l) = ∂L_i/∂z^(i,l) (m rows), each at index l − 1.
public struct OracleResult: Equatable, Sendable {
    public var dW: [Estimates]
    public var db: [Estimates]
    public var delta: [Estimates]
}

/// The GSL oracle: every entry of the gradient by `gsl_deriv_central`, on the cost as a function of
/// that one entry.
///
/// GSL's central difference evaluates f at x ± h and x ± h/2 (a 5-point rule), estimates its
/// round-off and truncation errors, and retries once with the step that balances them: 4 or 8
/// evaluations an entry. What it differentiates is C(w) − C(w₀), summed over the units the entry
/// moves (`PerturbedCost`): the same derivative as C(w), but with far less lost to cancellation.
/// GSL estimates round-off from the size of those differences, so the oracle adds its own bound for
/// the rounding of the terms that were differenced: 3ε·S/h, S = Σ|terms|, h the smallest step used.
///
/// GSL is called at x₀ = the size of the pre-activations that the entry moves, in the entry's units,
/// and f(x) is the cost change for the move x − x₀. GSL's round-off estimate models the rounding of
/// x₀ ± h; placed so, it models the rounding of z + Δz that the forward pass really suffers. Called at
/// 0 instead, GSL would see no round-off at all and shrink its step until that rounding dominated.
///
/// At a kink GSL returns a confidently wrong value (relu at 0: 0.5, abserr ≈ 4e-16), so kinks are
/// detected here, by watching each evaluation, and never left to abserr.
public struct Oracle: Sendable {
    /// The step, as a change of the pre-activation z that the entry moves. A weight w_jk^(l) is
    /// stepped by `step / max_i |a_j^(i,l−1)|`, so that no z moves by more than `step`.
    public var step: Double

    public init(step: Double = 1e-4) {
        self.step = step
    }

    /// GSL's default error handler aborts the process; gradfuzz reads the status codes instead.
    private static let errorHandlerOff: Void = { _ = gsl_set_error_handler_off() }()

    /// Every entry of dW, db and, when `delta` is set, of each sample's g^(i,l).
    public func differentiate(_ problem: Problem, delta: Bool = true) -> OracleResult {
        _ = Self.errorHandlerOff
        let cost = PerturbedCost(problem)
        let probe = Probe(cost)
        let layers = problem.network.layers
        let m = problem.batchSize
        var result = OracleResult(dW: [], db: [], delta: [])
        for p in 0..<problem.network.depth {
            var dW = Estimates(rows: layers[p], columns: layers[p + 1])
            var db = Estimates(rows: 1, columns: layers[p + 1])
            var g = Estimates(rows: delta ? m : 0, columns: layers[p + 1])
            for k in 0..<layers[p + 1] {
                var size = 0.0
                for i in 0..<m { size = max(size, abs(cost.preActivation(layer: p, sample: i, unit: k))) }
                for j in 0..<layers[p] {
                    var largest = 0.0
                    for i in 0..<m { largest = max(largest, abs(cost.input(layer: p, sample: i, unit: j))) }
                    probe.target = .weight(layer: p, row: j, column: k)
                    let d = largest > 0 ? probe.derivative(step: step / largest, at: size / largest)
                                        : probe.derivative(step: step, at: 0)
                    record(d, in: &dW, row: j, column: k)
                }
                probe.target = .bias(layer: p, unit: k)
                record(probe.derivative(step: step, at: size), in: &db, row: 0, column: k)
                guard delta else { continue }
                for i in 0..<m {
                    probe.target = .preActivation(layer: p, sample: i, unit: k)
                    record(probe.derivative(step: step, at: abs(cost.preActivation(layer: p, sample: i, unit: k))), in: &g, row: i, column: k)
                }
            }
            result.dW.append(dW)
            result.db.append(db)
            result.delta.append(g)
        }
        return result
    }

    private func record(_ d: (value: Double, error: Double, kink: Bool), in e: inout Estimates, row: Int, column: Int) {
        e.value[row, column] = d.value
        e.error[row, column] = d.error
        e.kink[row * e.value.columns + column] = d.kink
    }
}

/// What GSL's callback reaches through its `params` pointer: the entry being differentiated.
private final class Probe {
    enum Target {
        case weight(layer: Int, row: Int, column: Int)
        case bias(layer: Int, unit: Int)
        case preActivation(layer: Int, sample: Int, unit: Int)
    }

    let cost: PerturbedCost
    var target = Target.bias(layer: 0, unit: 0)
    var smallestStep = Double.infinity
    /// Where GSL is called: f(x) is the change for the move x − origin.
    var origin = 0.0

    init(_ cost: PerturbedCost) { self.cost = cost }

    /// f(Δ): the change of the cost (of L_i, for a pre-activation) when the entry moves by Δ.
    func evaluate(_ x: Double) -> Double {
        let step = x - origin
        if step != 0 { smallestStep = min(smallestStep, abs(step)) }
        let all = 0..<cost.m
        let perSample = 1 / Double(cost.m)
        switch target {
        case let .weight(p, j, k):
            return perSample * cost.lossChange(layer: p, unit: k, samples: all) { i in step * self.cost.input(layer: p, sample: i, unit: j) }
        case let .bias(p, k):
            return perSample * cost.lossChange(layer: p, unit: k, samples: all) { _ in step }
        case let .preActivation(p, i, k):
            return cost.lossChange(layer: p, unit: k, samples: i..<(i + 1)) { _ in step }
        }
    }

    /// ∂f/∂Δ at Δ = 0 by gsl_deriv_central, with its error bound and whether a kink was crossed.
    func derivative(step h: Double, at origin: Double) -> (value: Double, error: Double, kink: Bool) {
        self.origin = origin
        cost.crossedKink = false
        cost.magnitude = 0
        smallestStep = .infinity
        var result = 0.0, abserr = 0.0
        let status = withExtendedLifetime(self) {
            var function = gsl_function(
                function: { x, params in Unmanaged<Probe>.fromOpaque(params!).takeUnretainedValue().evaluate(x) },
                params: Unmanaged.passUnretained(self).toOpaque())
            return gsl_deriv_central(&function, origin, h, &result, &abserr)
        }
        var scale = 1.0
        if case .preActivation = target {} else { scale = 1 / Double(cost.m) }
        let roundoff = 3 * Double.ulpOfOne * cost.magnitude * scale / smallestStep
        guard status == GSL_SUCCESS, result.isFinite else { return (.nan, .infinity, cost.crossedKink) }
        return (result, abserr + roundoff, cost.crossedKink)
    }
}
