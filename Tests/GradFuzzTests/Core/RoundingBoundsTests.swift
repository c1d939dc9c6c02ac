import Foundation
import GradFuzzTestSupport
import Testing

@testable import GradFuzzCore

// The bound on a single-precision program's rounding (`Problem.roundingBounds`), against
// computations done here in Float.

private let float32Roundoff = 0x1p-24

/// One sigmoid unit, z = w·x + b, with squared_error against y.
private func sigmoidUnit(w: Double, b: Double, x: Double, y: Double) -> Problem {
    Problem(
        network: Network(layers: [1, 1], activations: [.sigmoid], W: [Matrix(rows: [[w]], columns: 1)], b: [[b]]),
        loss: .squaredError, X: Matrix(rows: [[x]], columns: 1), Y: Matrix(rows: [[y]], columns: 1))
}

@Test func aSaturatedSigmoidInSinglePrecisionLosesMoreThanRtolAndTheBoundHoldsIt() {
    // z = 14: σ = 1 − 8.3e-7, and f' = a(1 − a) keeps only the digits of a above its ulp near 1 (6e-8).
    let problem = sigmoidUnit(w: 1, b: 13, x: 1, y: -100_000)
    let exact = Reference.backprop(problem).delta[0][0, 0]
    // The same program in Float, as numpy computes it: σ = (1 + tanh(z/2))/2, g = a(1 − a)·(a − y).
    let z = Float(1) * Float(1) + Float(13)
    let a = Float(0.5) * (1 + tanhf(z / 2))
    let single = Double(a * (1 - a) * (a - Float(-100_000)))
    let bound = problem.roundingBounds(unitRoundoff: float32Roundoff).delta[0][0, 0]
    #expect(!Tolerance.float32.accepts(expected: exact, got: single), "single \(single) exact \(exact): within rtol, no test")
    #expect(abs(single - exact) <= bound, "error \(abs(single - exact)) bound \(bound)")
    #expect(Tolerance.float32.accepts(expected: exact, got: single, rounding: bound))
}

@Test func aReluUnitWithinRoundingOfItsKinkMayHaveEitherSlope() {
    // z = 1 − (1 − 1e-9): far below the rounding of its two terms of size 1, so a float32 program
    // may see z ≤ 0 and f' = 0: g may be anything from 0 to u = a − y.
    let problem = Problem(
        network: Network(layers: [1, 1], activations: [.relu], W: [Matrix(rows: [[1]], columns: 1)], b: [[-(1 - 1e-9)]]),
        loss: .squaredError, X: Matrix(rows: [[1]], columns: 1), Y: Matrix(rows: [[3]], columns: 1))
    let upstream = abs(Reference.forward(problem).a[0][0, 0] - 3)
    let bounds = problem.roundingBounds(unitRoundoff: float32Roundoff)
    #expect(bounds.delta[0][0, 0] >= upstream, "\(bounds.delta[0][0, 0]) < \(upstream)")
    #expect(bounds.db[0][0, 0] >= upstream)
    // In double precision the same unit is 1e-9 clear of a rounding of 2e-16: one slope only.
    #expect(problem.roundingBounds(unitRoundoff: 0x1p-53).delta[0][0, 0] < 1e-12)
}

@Test func whereNothingCancelsTheBoundIsAFewHundredUnitRoundoffsOfTheEntry() {
    // Positive weights, inputs and biases, increasing positive activations and a positive residual
    // a − 0: every sum adds terms of one sign, so an entry is the size of its terms and the bound
    // a small multiple of u·|entry|, far inside float32's rtol of 2e-3 ≈ 33 000 u.
    for seed: UInt64 in 1...20 {
        var problem = randomProblem([4, 5, 3, 2], [.softplus, .softplus, .identity], .squaredError, batch: 3, seed: seed)
        for l in 0..<3 {
            problem.network.W[l].storage = problem.network.W[l].storage.map { abs($0) }
            problem.network.b[l] = problem.network.b[l].map { abs($0) }
        }
        problem.X.storage = problem.X.storage.map { abs($0) }
        problem.Y.storage = problem.Y.storage.map { _ in 0 }
        let gradients = Reference.backprop(problem)
        let bounds = problem.roundingBounds(unitRoundoff: float32Roundoff)
        for l in 0..<3 {
            for (value, bound) in zip(gradients.dW[l].storage + gradients.db[l], bounds.dW[l].storage + bounds.db[l].storage) {
                #expect(value > 0 && bound <= 200 * float32Roundoff * value, "seed \(seed) layer \(l + 1): bound \(bound) for \(value)")
            }
        }
    }
}

@Test func aVerdictAgainstExpectedValuesAllowsTheProgramsRounding() {
    let problem = sigmoidUnit(w: 1, b: 11, x: 1, y: -1000)
    let exact = Reference.backprop(problem).answer
    var answer = exact
    answer.delta = nil
    answer.cost = nil
    let bounds = problem.roundingBounds(unitRoundoff: float32Roundoff)
    // Off by half the bound (and more than rtol): accepted with it, refused without it.
    answer.db[0][0] += bounds.db[0][0, 0] / 2
    #expect(bounds.db[0][0, 0] / 2 > Tolerance.float32.bound(expected: exact.db[0][0], got: answer.db[0][0]))
    #expect(Verdict(answer: answer, expected: exact, tolerance: .float32, rounding: bounds).passed)
    #expect(!Verdict(answer: answer, expected: exact, tolerance: .float32).passed)
    // Off by twice the bound: refused either way.
    answer.db[0][0] = exact.db[0][0] + 2 * bounds.db[0][0, 0] + Tolerance.float32.atol
    #expect(!Verdict(answer: answer, expected: exact, tolerance: .float32, rounding: bounds).passed)
    // The float32 preset brings the bound; float64 brings none.
    #expect(Tolerance.float32.programRounding(for: problem) == bounds)
    #expect(Tolerance.float64.programRounding(for: problem) == nil)
}

@Test func aTextbookSinglePrecisionBinaryCrossEntropyCostIsWithinTheBound() {
    // z = 15, y = 0: the cost is softplus(15) ≈ 15.0000003. Computed from a = σ(z) in Float,
    // −log(1 − a) keeps only the digits of 1 − a = 3e-7 above a's ulp near 1 (6e-8).
    let problem = Problem(
        network: Network(layers: [1, 1], activations: [.sigmoid], W: [Matrix(rows: [[1]], columns: 1)], b: [[14]]),
        loss: .binaryCrossEntropy, X: Matrix(rows: [[1]], columns: 1), Y: Matrix(rows: [[0]], columns: 1))
    let exact = Reference.backprop(problem).cost
    let a = 1 / (1 + expf(-(Float(1) * Float(1) + Float(14))))
    let single = Double(-log1pf(-a))
    let bound = problem.roundingBounds(unitRoundoff: float32Roundoff).cost
    #expect(!Tolerance.float32.accepts(expected: exact, got: single), "single \(single) exact \(exact): within rtol, no test")
    #expect(abs(single - exact) <= bound, "error \(abs(single - exact)) bound \(bound)")
    // Further out, a rounds to 1 in Float and the textbook cost is infinite: nothing can be told.
    var far = problem
    far.network.b = [[40]]
    #expect(far.roundingBounds(unitRoundoff: float32Roundoff).cost == EntryBounds.largest)
}

@Test func aSoftmaxOfManyUnitsInSinglePrecisionIsWithinTheBound() {
    // 200 outputs whose normalising sum is added up one after another in Float, which rounds it by
    // up to 200 u, not a few u. Every z is a Float (a multiple of 1/1024), so the program reads it
    // exactly: E(z) = 0, and what is measured is the softmax's own rounding.
    let n = 200
    for seed: UInt64 in 1...20 {
        var random = SplitMix64(seed: seed)
        let z = (0..<n).map { _ in (Double.random(in: -6...6, using: &random) * 1024).rounded() / 1024 }
        let exact = Activation.softmax.apply(z)
        let zf = z.map { Float($0) }, top = zf.max()!
        let e = zf.map { expf($0 - top) }
        var sum: Float = 0
        for x in e { sum += x }
        let bounds = Activation.softmax.valueBounds(z: z, a: exact, zBound: z.map { _ in 0 }, unitRoundoff: float32Roundoff)
        for k in 0..<n {
            let error = abs(Double(e[k] / sum) - exact[k])
            #expect(
                error <= bounds[k],
                "seed \(seed) unit \(k): error \(error / (float32Roundoff * exact[k])) u of s_k, bound \(bounds[k] / (float32Roundoff * exact[k])) u")
        }
    }
}

/// Each activation as a program may write it in Float: every textbook formula's error stays within
/// the bound on a (`valueBounds`, for z read exactly: E(z) = 0), from tiny to saturating z.
@Test func everyTextbookSinglePrecisionActivationIsWithinTheBound() {
    func sigmoid(_ z: Float) -> Float { 1 / (1 + expf(-z)) }
    let formulas: [(Activation, String, (Float) -> Float)] = [
        (.sigmoid, "1/(1 + e^-z)", sigmoid),
        (.sigmoid, "(1 + tanh(z/2))/2", { 0.5 * (1 + tanhf($0 / 2)) }),
        (.tanh, "tanh", tanhf),
        (.tanh, "1 − 2/(e^2z + 1)", { 1 - 2 / (expf(2 * $0) + 1) }),
        (.tanh, "(e^z − e^-z)/(e^z + e^-z)", { (expf($0) - expf(-$0)) / (expf($0) + expf(-$0)) }),
        (.elu, "e^z − 1", { $0 > 0 ? $0 : expf($0) - 1 }),
        (.elu, "expm1", { $0 > 0 ? $0 : expm1f($0) }),
        (.softplus, "log(1 + e^z)", { logf(1 + expf($0)) }),
        (.softplus, "log1p(e^z)", { log1pf(expf($0)) }),
        (.silu, "z/(1 + e^-z)", { $0 * sigmoid($0) }),
        (.gelu, "z(1 + erf(z/√2))/2", { $0 * (1 + erff($0 / Float(2).squareRoot())) / 2 }),
        (.softsign, "z/(1 + |z|)", { $0 / (1 + abs($0)) }),
        (.leakyReLU, "0.01 z", { $0 > 0 ? $0 : 0.01 * $0 }),
    ]
    let magnitudes: [Float] = [0x1p-20, 0x1p-12, 1e-3, 0.1, 0.5, 1, 2.5, 6, 12, 17, 30]
    let zs = magnitudes.flatMap { [Double($0), -Double($0)] }
    for (f, formula, single) in formulas {
        let exact = zs.map { f.value($0) }
        let bounds = f.valueBounds(z: zs, a: exact, zBound: zs.map { _ in 0 }, unitRoundoff: float32Roundoff)
        for (k, z) in zs.enumerated() where z < 40 {
            let got = Double(single(Float(z)))
            guard got.isFinite else { continue }  // log(1 + e^z) overflowing is a program's own failure
            #expect(abs(got - exact[k]) <= bounds[k], "\(f) as \(formula) at z = \(z): error \(abs(got - exact[k])), bound \(bounds[k])")
        }
    }
}

/// Each derivative as a program may write it in Float, from its own Float a: within the bound on
/// f' (`derivativeEvaluationSize`, for z read exactly).
@Test func everyTextbookSinglePrecisionDerivativeIsWithinTheBound() {
    func sigmoid(_ z: Float) -> Float { 1 / (1 + expf(-z)) }
    func halfTanh(_ z: Float) -> Float { 0.5 * (1 + tanhf(z / 2)) }
    let formulas: [(Activation, String, (Float) -> Float)] = [
        (
            .sigmoid, "a(1 − a), a = 1/(1 + e^-z)",
            {
                let a = sigmoid($0); return a * (1 - a)
            }
        ),
        (
            .sigmoid, "a(1 − a), a = (1 + tanh(z/2))/2",
            {
                let a = halfTanh($0); return a * (1 - a)
            }
        ),
        (
            .tanh, "1 − a², a = tanh",
            {
                let a = tanhf($0); return 1 - a * a
            }
        ),
        (
            .tanh, "1 − a², a = 1 − 2/(e^2z + 1)",
            {
                let a = 1 - 2 / (expf(2 * $0) + 1); return 1 - a * a
            }
        ),
        (.elu, "a + 1, a = e^z − 1", { $0 > 0 ? 1 : (expf($0) - 1) + 1 }),
        (.softplus, "σ(z)", sigmoid),
        (
            .silu, "σ(1 + z(1 − σ))",
            {
                let s = sigmoid($0); return s * (1 + $0 * (1 - s))
            }
        ),
        (.gelu, "Φ + zφ", { (1 + erff($0 / Float(2).squareRoot())) / 2 + $0 * expf(-$0 * $0 / 2) / Float(2 * Double.pi).squareRoot() }),
        (.softsign, "1/(1 + |z|)²", { 1 / ((1 + abs($0)) * (1 + abs($0))) }),
    ]
    let magnitudes: [Float] = [0x1p-20, 0x1p-12, 1e-3, 0.1, 0.5, 1, 2.5, 6, 12, 17, 30]
    let c = libraryUlps * float32Roundoff
    for (f, formula, single) in formulas {
        for z in magnitudes.flatMap({ [Double($0), -Double($0)] }) {
            let exact = f.derivative(z: z, a: f.value(z))
            let bound = c * f.derivativeEvaluationSize(z: z, a: f.value(z))
            let got = Double(single(Float(z)))
            #expect(abs(got - exact) <= bound, "\(f)' as \(formula) at z = \(z): error \(abs(got - exact)), bound \(bound)")
        }
    }
}
