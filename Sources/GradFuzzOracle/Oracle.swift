import CGSL
import Dispatch
import Foundation
import GradFuzzCore

/// Numerical derivatives of one matrix of a gradient, entry by entry, with their error estimates.
public struct Estimates: Equatable, Sendable {
    /// The derivative of each entry.
    public var value: Matrix
    /// The error estimate of each entry: GSL's abserr plus the oracle's bound on the rounding inside the values GSL differences.
    public var error: Matrix
    /// The analytic side's allowance for each entry: a bound on how much an honest backward pass
    /// rounds it, from the sizes of the terms it sums (`PerturbedCost.analyticRounding`). Not an
    /// error of the oracle, and a function of the problem alone: a fixture does not store it.
    public var analyticRounding: Matrix
    /// Entries whose difference stencil moved a relu/leaky_relu unit across z = 0, an
    /// absolute_error output across a = y or a hinge output across y·a = 1: not checkable.
    public var kink: [Bool]

    package init(rows: Int, columns: Int) {
        value = Matrix(rows: rows, columns: columns)
        error = Matrix(rows: rows, columns: columns)
        analyticRounding = Matrix(rows: rows, columns: columns)
        kink = Array(repeating: false, count: rows * columns)
    }
}

/// What the oracle finds for a problem: ∂Cost/∂W^(l), ∂Cost/∂b^(l) (one row) and, per sample,
/// g^(i,l) = ∂L_i/∂z^(i,l) (m rows), each at index l − 1.
public struct OracleResult: Equatable, Sendable {
    public var dW: [Estimates]
    public var db: [Estimates]
    public var delta: [Estimates]
    /// Cost evaluations the oracle made (GSL calls the cost 4 times a derivative, 8 when it retries).
    /// Bookkeeping, not part of the result: a fixture does not store it and `==` ignores it.
    public var evaluations = 0

    package init(dW: [Estimates], db: [Estimates], delta: [Estimates]) {
        self.dW = dW
        self.db = db
        self.delta = delta
    }

    public static func == (lhs: OracleResult, rhs: OracleResult) -> Bool {
        lhs.dW == rhs.dW && lhs.db == rhs.db && lhs.delta == rhs.delta
    }
}

/// The GSL oracle: every entry of the gradient from `gsl_deriv_central`, by one of two methods.
///
/// - `.units` differentiates each sample's loss with respect to each pre-activation, g_k^(i,l) =
///   ∂L_i/∂z_k^(i,l), and obtains dW and db from the definition z = Wᵀa + b, which is linear in W
///   and b: ∂C/∂w_jk^(l) = (1/m) Σ_i a_j^(i,l−1) g_k^(i,l) and ∂C/∂b_k^(l) = (1/m) Σ_i g_k^(i,l),
///   each with an error bound that carries GSL's (`Oracle+Units.swift`). units × batch one-sample
///   derivatives: about m_{l−1} times less work per layer than `.entries`.
/// - `.entries` differentiates the batch cost with respect to each weight and bias on its own
///   (`Oracle+Entries.swift`): parameters × batch-wide derivatives.
///
/// Either way, GSL's central difference evaluates f at x ± h and x ± h/2 (a 5-point rule),
/// estimates its round-off and truncation errors, and retries once with the step that balances
/// them: 4 or 8 evaluations an entry. What it differentiates is C(w) − C(w₀) (or L_i(z) − L_i(z₀)),
/// summed over the units the move reaches and computed without cancellation (`PerturbedCost`):
/// each value is exact to a few ε of itself, whatever the step.
///
/// That frees the choice of step from round-off, and the oracle takes a small one: h = the power of
/// two at or below `step` (in z units; 2⁻²⁴ ≈ 6e-8 by default), where the 5-point rule's truncation
/// error (∝ h⁴) is far below ε. GSL is called at x₀ = 64·h, so that x₀ ± h and x₀ ± h/2 are exact
/// binary numbers and the moves x − x₀ carry no rounding at all. GSL still allows for a rounding of
/// x₀ ± h (its term |f'|·(x₀/h)·ε = 64ε|f'|); that allowance sits above the few-ulp noise of the
/// values, so GSL keeps its first step. (GSL's retry balances round-off against a 3-point estimate
/// of truncation, |r5 − r3|/h ∝ h²: from a larger first step it would move to a step chosen for the
/// 3-point rule and lose digits to the rounding of z + Δz, as the oracle did when it differenced L.)
/// The four stencil points are evaluated together, one SIMD lane each.
///
/// GSL estimates round-off from the size of the values it differences; the oracle adds its own
/// bound for the rounding inside them, (widest layer + m + 16)·ε·S, S a bound on Σ|terms|/|step|
/// carried through the evaluation (`PerturbedCost.lossChanges`).
///
/// Each entry also carries the analytic side's allowance (`Estimates.analyticRounding`, from
/// `PerturbedCost.analyticRounding`): how much an honest backward pass may round it, from the sizes
/// of the terms it sums, for the verdict to add to the oracle's error.
///
/// At a kink GSL returns a confidently wrong value (relu at 0: 0.5, abserr ≈ 4e-16), so kinks are
/// detected here, by watching each evaluation, and never left to abserr.
public struct Oracle: Sendable {
    /// The step, as a change of the pre-activation z that the entry moves, rounded down to a power
    /// of two. A weight w_jk^(l) is stepped by `step / max_i |a_j^(i,l−1)|`, so that no z moves by
    /// more than `step`.
    public var step: Double
    /// What GSL differentiates: each sample's loss by each pre-activation, or the cost by each entry.
    public var method: Method

    /// What the oracle hands to GSL.
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// g^(i,l) by GSL, one sample and one unit at a time; dW and db summed from it.
        case units
        /// Every weight and bias by GSL, on the cost of the whole batch; g^(i,l) as for `units`.
        case entries
    }

    public init(step: Double = 0x1p-24, method: Method = .units) {
        self.step = step
        self.method = method
    }

    /// Every entry of dW, db and, when `delta` is set, of each sample's g^(i,l).
    ///
    /// `jobs` threads share the work by unit (a column of dW, its db entry and its g entries), each
    /// with its own `PerturbedCost`; the result does not depend on `jobs`.
    public func differentiate(_ problem: Problem, delta: Bool = true, jobs: Int = 1) -> OracleResult {
        _ = gslErrorHandlerOff  // GSL's default handler aborts; the oracle reads status codes
        Oracle.differentiations?.add()
        let layers = problem.network.layers
        let m = problem.batchSize
        let units = (0..<problem.network.depth).flatMap { p in (0..<layers[p + 1]).map { (layer: p, unit: $0) } }
        let workers = max(1, min(jobs, units.count))
        let partials = UnsafeMutableBufferPointer<OracleResult>.allocate(capacity: workers)
        defer { partials.deallocate() }
        let shared = SharedResults(partials)
        let work: @Sendable (Int) -> Void = { worker in
            var result = OracleResult(
                dW: (0..<problem.network.depth).map { Estimates(rows: layers[$0], columns: layers[$0 + 1]) },
                db: (0..<problem.network.depth).map { Estimates(rows: 1, columns: layers[$0 + 1]) },
                delta: (0..<problem.network.depth).map { Estimates(rows: delta ? m : 0, columns: layers[$0 + 1]) })
            let probe = Probe(PerturbedCost(problem))
            for index in stride(from: worker, to: units.count, by: workers) {
                let (p, k) = units[index]
                switch method {
                case .units: differentiateThrough(unit: k, layer: p, delta: delta, probe: probe, into: &result)
                case .entries: differentiateEntries(unit: k, layer: p, delta: delta, probe: probe, into: &result)
                }
            }
            if worker == 0 { result.setAnalyticRounding(probe.cost.analyticRounding(delta: delta)) }
            result.evaluations = probe.evaluations
            (shared.results.baseAddress! + worker).initialize(to: result)
        }
        // Threads of its own: DispatchQueue.concurrentPerform ran the workers one after another
        // when called from the command line's async context.
        let finished = DispatchSemaphore(value: 0)
        for worker in 1..<workers {
            Thread {
                work(worker); finished.signal()
            }.start()
        }
        work(0)
        for _ in 1..<workers { finished.wait() }
        var result = partials[0]
        for worker in 1..<workers {
            let part = partials[worker]
            for index in stride(from: worker, to: units.count, by: workers) {
                let (p, k) = units[index]
                result.dW[p].copyColumn(k, from: part.dW[p])
                result.db[p].copyColumn(k, from: part.db[p])
                result.delta[p].copyColumn(k, from: part.delta[p])
            }
            result.evaluations += part.evaluations
        }
        _ = partials.deinitialize()
        return result
    }
}

extension Oracle {
    /// When set, counts the problems differentiated in this task and its child tasks: how a test
    /// sees that a command computes a problem's oracle once.
    @TaskLocal package static var differentiations: Counter?

    package final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var total = 0
        package init() {}
        package var count: Int { lock.withLock { total } }
        func add() { lock.withLock { total += 1 } }
    }
}

extension OracleResult {
    /// Stored values and error estimates (a fixture's) with the analytic allowance of `problem`
    /// recomputed: it is a function of the problem, so fixtures do not store it.
    public init(storedFor problem: Problem, dW: [Estimates], db: [Estimates]) {
        self.init(dW: dW, db: db, delta: problem.network.layers.dropFirst().map { Estimates(rows: 0, columns: $0) })
        setAnalyticRounding(PerturbedCost(problem).analyticRounding(delta: false))
    }

    /// Sets every matrix's analytic allowance.
    mutating func setAnalyticRounding(_ rounding: (dW: [Matrix], db: [Matrix], delta: [Matrix])) {
        for p in dW.indices {
            dW[p].analyticRounding = rounding.dW[p]
            db[p].analyticRounding = rounding.db[p]
            delta[p].analyticRounding = rounding.delta[p]
        }
    }
}

/// The workers' results, written each by its own worker.
private struct SharedResults: @unchecked Sendable {
    let results: UnsafeMutableBufferPointer<OracleResult>
    init(_ results: UnsafeMutableBufferPointer<OracleResult>) { self.results = results }
}

typealias Derivative = (value: Double, error: Double, kink: Bool)

extension Estimates {
    mutating func record(_ d: Derivative, row: Int, column: Int) {
        value[row, column] = d.value
        error[row, column] = d.error
        kink[row * value.columns + column] = d.kink
    }

    fileprivate mutating func copyColumn(_ k: Int, from other: Estimates) {
        for r in 0..<value.rows {
            value[r, k] = other.value[r, k]
            error[r, k] = other.error[r, k]
            kink[r * value.columns + k] = other.kink[r * value.columns + k]
        }
    }
}

/// What GSL's callback reaches through its `params` pointer: the entry being differentiated.
final class Probe {
    enum Target {
        /// `PerturbedCost.factors` holds a_j^(i,l−1) of every sample.
        case weight(layer: Int, row: Int, column: Int)
        /// `PerturbedCost.factors` holds 1 for every sample.
        case bias(layer: Int, unit: Int)
        case preActivation(layer: Int, sample: Int, unit: Int)
    }

    let cost: PerturbedCost
    var target = Target.bias(layer: 0, unit: 0)
    /// Where GSL is called: f(x) is the change for the move x − origin.
    var origin = 0.0
    /// Cost evaluations made (each lane of a four-lane evaluation counts).
    var evaluations = 0
    /// The last four-lane evaluation: the points x and f(x).
    var cachedPoints = Lanes(repeating: .nan)
    var cachedValues = Lanes.zero

    init(_ cost: PerturbedCost) { self.cost = cost }

    /// f(x): the change of the cost (of L_i, for a pre-activation) when the entry moves by x − origin.
    ///
    /// gsl_deriv_central asks for x₀ − h, x₀ + h, x₀ − h/2, x₀ + h/2 in that order: at the first of
    /// them all four are evaluated together and the next three calls are answered from them.
    func evaluate(_ x: Double) -> Double {
        for lane in 0..<4 where cachedPoints[lane] == x { return cachedValues[lane] }
        let d = x - origin
        cachedPoints = Lanes(x, origin - d, origin + d / 2, origin - d / 2)
        let steps = cachedPoints - origin
        evaluations += 4
        switch target {
        case let .weight(p, _, k), let .bias(p, k):
            cachedValues = cost.lossChanges(layer: p, unit: k, samples: 0..<cost.m, steps: steps) / Double(cost.m)
        case let .preActivation(p, i, k):
            cost.factors[i] = 1
            cachedValues = cost.lossChanges(layer: p, unit: k, samples: i..<(i + 1), steps: steps)
        }
        return cachedValues[0]
    }

    /// ∂f/∂Δ at Δ = 0 by gsl_deriv_central stepped by the power of two at or below `step`, at
    /// x₀ = 64 steps; with its error bound and whether a kink was crossed.
    func derivative(step: Double) -> Derivative {
        let h = Double(sign: .plus, exponent: step.exponent, significand: 1)
        origin = 64 * h
        cachedPoints = Lanes(repeating: .nan)
        cost.crossedKink = false
        cost.sizeRate = 0
        var result = 0.0, abserr = 0.0
        let status = withExtendedLifetime(self) {
            var function = gsl_function(
                function: { x, params in Unmanaged<Probe>.fromOpaque(params!).takeUnretainedValue().evaluate(x) },
                params: Unmanaged.passUnretained(self).toOpaque())
            return gsl_deriv_central(&function, origin, h, &result, &abserr)
        }
        var perSample = 1.0
        if case .preActivation = target {} else { perSample = 1 / Double(cost.m) }
        // Relative bounds miss underflow: a value in the subnormal range is rounded to a multiple of
        // η = 2⁻¹⁰⁷⁴, so each of up to `roundingFactor` roundings inside a value may be off by η
        // absolutely, and the 5-point rule weighs the four values by at most 3/h in all.
        let underflow = 3 * cost.roundingFactor * Double.leastNonzeroMagnitude / h
        let roundoff = (cost.roundingFactor * Double.ulpOfOne * cost.sizeRate + underflow) * perSample
        guard status == GSL_SUCCESS, result.isFinite else { return (.nan, .infinity, cost.crossedKink) }
        return (result, abserr + roundoff, cost.crossedKink)
    }
}

extension OracleResult {
    /// The first entry whose derivative, error estimate or analytic allowance is not finite, as "layer 2 dW[0, 3]".
    public var firstNonFinite: String? {
        let groups: [(Quantity, [Estimates])] = [(.dW, dW), (.db, db), (.delta, delta)]
        for (quantity, list) in groups {
            for (p, e) in list.enumerated() {
                for t in e.value.storage.indices
                where !e.value.storage[t].isFinite || !e.error.storage[t].isFinite || !e.analyticRounding.storage[t].isFinite {
                    let (r, c) = t.quotientAndRemainder(dividingBy: max(1, e.value.columns))
                    return Entry(layer: p + 1, quantity: quantity, row: r, column: c, expected: 0, got: 0, bound: 0).place
                }
            }
        }
        return nil
    }
}
