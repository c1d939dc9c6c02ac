import GradFuzzCore
import GradFuzzFixtures
import GradFuzzTestSupport
import Testing

@testable import GradFuzzOracle

// A softmax output with one unit within 1e-16 of 1. Moving that unit's z changes every output by
// a tiny amount, and s_k' − s_k = s_k (E_k − S)/(1 + S) (E_k = e^(Δz_k) − 1, S = Σ_j s_j E_j) then
// subtracts two changes of size |Δz| to leave one of size (1 − s_k)·|Δz|. On the analytic side the
// backward pass s ⊙ (u − s·u) cancels the same way, by ε·|u| rather than ε·|g|.
//
// The exact values below were computed with Python's mpmath at 60 digits: each problem's doubles
// read exactly, the forward pass and backpropagation evaluated in that precision (for the first
// case checked against a central difference of step 1e-25 at the same precision); 20 digits shown.

/// Hand-given: layers [1, 1, 2], identity then softmax, squared_error: z^(2) = (0, 36), the second output is 1 − 2.3e-16.
private func nearOneSoftmax(target: Double = -200) -> Problem {
    Problem(
        network: Network(
            layers: [1, 1, 2], activations: [.identity, .softmax],
            W: [Matrix(rows: [[0.0]], columns: 1), Matrix(rows: [[0.0, -90.0]], columns: 2)],
            b: [[-0.4], [0, 0]]),
        loss: .squaredError, X: Matrix(rows: [[0]], columns: 1), Y: Matrix(rows: [[0, target]], columns: 2))
}

/// The fuzzer's seed 42, iteration 53152, shrunk: layers [1, 1, 1, 1, 2], identity ×3 then softmax,
/// squared_error: z^(4) = (46.2, 14), the first output is 1 − 1e-14.
private let seed42Case = Problem(
    network: Network(
        layers: [1, 1, 1, 1, 2], activations: [.identity, .identity, .identity, .softmax],
        W: [
            Matrix(rows: [[0.0]], columns: 1), Matrix(rows: [[20.0]], columns: 1),
            Matrix(rows: [[2.0]], columns: 1), Matrix(rows: [[3.3, 1.0]], columns: 2),
        ],
        b: [[0.3], [0.0], [2.0], [0.0, 0.0]]),
    loss: .squaredError, X: Matrix(rows: [[0]], columns: 1), Y: Matrix(rows: [[-50, 0]], columns: 2))

/// Exact dW and db of a case, layer by layer (batch 1, so g^(1,l) = db^(l)).
private struct Exact {
    var problem: Problem
    var dW: [[[Double]]]
    var db: [[Double]]
}

private let exactCases: [(name: String, exact: Exact)] = [
    (
        "hand-given [1, 1, 2]",
        Exact(
            problem: nearOneSoftmax(),
            dW: [[[0.0]], [[1.8648963555158252955e-14, -1.8648963555158252955e-14]]],
            db: [[-4.1960167999106066819e-12], [-4.6622408887895629799e-14, 4.6622408887895629799e-14]])
    ),
    (
        "hand-given, target ×1000",
        Exact(
            problem: nearOneSoftmax(target: -200_000),
            dW: [[[0.0]], [[1.8556275422861720188e-11, -1.8556275422861720188e-11]]],
            db: [[-4.1751619701438868106e-9], [-4.6390688557154297895e-11, 4.6390688557154297895e-11]])
    ),
    (
        "seed 42, iteration 53152",
        Exact(
            problem: seed42Case,
            dW: [
                [[0.0]], [[7.2973797168087797731e-13]], [[7.2973797168087797731e-12]],
                [[7.4031388431393424097e-12, -7.4031388431393424097e-12]],
            ],
            db: [
                [4.8649198112058533621e-11], [2.4324599056029266811e-12], [1.2162299528014633405e-12],
                [5.287956316528101889e-13, -5.287956316528101889e-13],
            ])
    ),
]

@Test func theOracleGivesTheBiasesOfANearlySaturatedSoftmaxOutputOppositeGradients() {
    // Σ_k s_k = 1 whatever b is, so ∂C/∂b_1 + ∂C/∂b_2 = 0 exactly.
    for (name, problem) in [("hand-given", nearOneSoftmax()), ("seed 42", seed42Case)] {
        let db = Oracle().differentiate(problem).db.last!.value
        expectClose(db[0, 0] + db[0, 1], 0, within: 1e-9 * abs(db[0, 0]), "\(name): db[0] + db[1] (db = \(db.row(0)))")
    }
}

@Test func theOracleIsWithinItsClaimedErrorOfTheExactGradientWhenASoftmaxOutputIsNearOne() {
    for (name, exact) in exactCases {
        let oracle = Oracle().differentiate(exact.problem)
        for p in exact.db.indices {
            for (k, want) in exact.db[p].enumerated() {
                for (what, estimates, row) in [("db", oracle.db[p], 0), ("delta", oracle.delta[p], 0)] {
                    expectClose(
                        estimates.value[row, k], want, within: Tolerance.oracle.errorFactor * estimates.error[row, k],
                        "\(name): layer \(p + 1) \(what)[\(k)] (claimed error \(estimates.error[row, k]))")
                }
            }
            for (j, row) in exact.dW[p].enumerated() {
                for (k, want) in row.enumerated() {
                    let estimates = oracle.dW[p]
                    expectClose(
                        estimates.value[j, k], want, within: Tolerance.oracle.errorFactor * estimates.error[j, k],
                        "\(name): layer \(p + 1) dW[\(j), \(k)] (claimed error \(estimates.error[j, k]))")
                }
            }
        }
    }
}

@Test func theReferencePassesANearlySaturatedSoftmaxOutputOnAnAllowanceFromItsTermsNotTheAbsoluteFloor() {
    // The reference's s ⊙ (u − s·u) is off by ≈ 0.1 ε·|u| (9e-13 on the hand-given case, 1.2e-11 on
    // its ×1000 twin): within the allowance an honest backward pass needs, but not by grace of atol.
    let noFloor = Tolerance(rtol: Tolerance.oracle.rtol, atol: 0, errorFactor: Tolerance.oracle.errorFactor)
    for (name, exact) in exactCases {
        let verdict = Verdict(
            answer: Reference.backprop(exact.problem).answer, oracle: Oracle().differentiate(exact.problem),
            tolerance: noFloor)
        #expect(verdict.passed, "\(name):\n\(verdict.table())\n\(verdict.failureDetails())")
    }
}

// Float80 exists on x86 only: elsewhere these references cannot be computed.
#if arch(x86_64) || arch(i386)
    /// `Activation.softmaxChanges` against Float80 by an identity that does not cancel:
    /// s_k' − s_k = s_k Σ_{j≠k} s_j (e^(Δz_k) − e^(Δz_j)) / Σ_i s_i e^(Δz_i), with
    /// e^x − e^y = 2 e^((x+y)/2) sinh((x − y)/2). Each change must be within a few ε of the sizes of its
    /// terms, including the unit near 1, whose change is down to ~1e-16 of the moves, and the size
    /// bound it reports must cover those sizes.
    @Test func softmaxChangesAreExactToAFewEpsilonOfTheirSizeBoundsNearSaturation() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<2000 {
            let width = Int.random(in: 2...5, using: &rng)
            let top = Int.random(in: 0..<width, using: &rng)
            var z = (0..<width).map { _ in Double.random(in: -3...3, using: &rng) }
            z[top] += Double.random(in: 0...40, using: &rng)
            var a = Activation.softmax.apply(z), c = [Double](repeating: 0, count: width)
            Activation.softmaxComplements(&a, count: width, into: &c)
            let d = (0..<width).map { _ in
                (Bool.random(using: &rng) ? 1.0 : -1.0) * Double.random(in: 0...1, using: &rng)
                    * [1e-9, 0x1p-24, 1e-5, 1e-3][Int.random(in: 0..<4, using: &rng)]
            }
            let lanes: Lanes = [1, -1, 0.5, -0.5]
            var dz = d.map { lanes * $0 }, size = d.map(abs)
            var da = [Lanes](repeating: .zero, count: width), daSize = [Double](repeating: 0, count: width)
            _ = Activation.softmaxChanges(a: &a, c: &c, dz: &dz, size: &size, into: &da, daSize: &daSize, count: width)
            for lane in 0..<4 {
                let moves = d.map { Float80($0 * lanes[lane]) }
                let s = a.map { Float80($0) }
                let total = zip(s, moves).reduce(Float80(0)) { $0 + $1.0 * Float80.exp($1.1) }
                for k in 0..<width {
                    var sum = Float80(0)
                    for j in 0..<width where j != k {
                        sum += s[j] * 2 * Float80.exp((moves[k] + moves[j]) / 2) * Float80.sinh((moves[k] - moves[j]) / 2)
                    }
                    let expected = s[k] * sum / total
                    // The sizes of the terms: s_k ((1 − s_k)|Δz_k| + Σ_{j≠k} s_j |Δz_j|), 1 − s_k summed exactly.
                    var others = Float80(0), moved = Float80(0)
                    for j in 0..<width where j != k { others += s[j]; moved += s[j] * abs(moves[j]) }
                    let terms = Double(s[k] * (others * abs(moves[k]) + moved))
                    let error = abs(Double(Float80(da[k][lane]) - expected))
                    let allowed = 16 * Double.ulpOfOne * terms + 4 * Double.ulpOfOne * abs(Double(expected))
                    #expect(
                        error <= allowed, "z = \(z), Δz = \(d) (lane \(lane)), unit \(k): expected \(expected), got \(da[k][lane]), error \(error) > \(allowed)"
                    )
                    #expect(terms <= 2 * daSize[k] * abs(lanes[lane]), "unit \(k): the reported size bound \(daSize[k]) is below the terms' sizes \(terms)")
                }
            }
        }
    }
#endif

/// The false-alarm hunt's gelu case (seed 1, `--activations gelu --losses huber`, iteration 14536,
/// shrunk): six gelu layers of width 1, batch 8, the output z ≈ 220. A move of b^(4) reaches the
/// output as a move above 1e-5, where gelu's change is a plain difference f(z + d) − f(z) that
/// rounds by ε·|f(z)|; at the output layer that rounding must be in the oracle's claimed error.
/// Exact db by mpmath at 60 digits, as above.
@Test func theOracleCountsThePlainDifferenceOfAGeluOutputInItsClaimedError() {
    let problem = Problem(
        network: Network(
            layers: [1, 1, 1, 1, 1, 1, 1], activations: Array(repeating: .gelu, count: 6),
            W: [-39.66, -1.284, 0.451, 0.67048657, 3.29913, 108.5808].map { Matrix(rows: [[$0]], columns: 1) },
            b: [[0.21826], [-0.0], [1.515072], [-0.135578], [-0.01939], [0.377]]),
        loss: .huber,
        X: Matrix(rows: [[-0.038955], [0.08], [0.0], [-0.06], [-0.07], [0.06], [0.0], [0.099]], columns: 1),
        Y: Matrix(rows: [[220.4], [230.0], [0.0], [230.0], [0.0], [0.0], [220.0], [226.1]], columns: 1))
    let exact = [
        1.6094939428822052906, -5.8399327699309612301, 0.016345763098180555365, 0.022234575488276522036,
        0.010389398412654711614, 0.000065039582659167900096,
    ]
    let oracle = Oracle().differentiate(problem, delta: false)
    for (p, want) in exact.enumerated() {
        let estimates = oracle.db[p]
        expectClose(
            estimates.value[0, 0], want, within: Tolerance.oracle.errorFactor * estimates.error[0, 0],
            "layer \(p + 1) db[0] (claimed error \(estimates.error[0, 0]))")
    }
    let verdict = Verdict(answer: Reference.backprop(problem).answer, oracle: Oracle().differentiate(problem))
    #expect(verdict.passed, "\(verdict.failureDetails())")
}

/// The false-alarm hunt's gelu case (seed 42, `--activations gelu --losses absolute_error`, iteration
/// 7788, shrunk): layers [1, 2, 3, 1, 1, 1], the output a gelu far in its left tail (z ≈ −6.145,
/// a ≈ −2.5e-9) with the target 20. A move of b^(1) reaches the output as a move of about 2e-5, above
/// the Taylor range of gelu's change; there z(1 + erf(z/√2))/2 rounds by ε·|z|, not ε·|f(z)|, and a
/// plain difference of two such values is off by 3e-4 of the change. Exact dW and db by mpmath at
/// 60 digits, as above (db^(1)[0] also checked against a central difference of step 1e-25).
@Test func theOracleIsWithinItsClaimedErrorWhenAMoveReachesAGeluOutputFarInItsLeftTail() {
    let problem = Problem(
        network: Network(
            layers: [1, 2, 3, 1, 1, 1], activations: [.gelu, .gelu, .identity, .gelu, .gelu],
            W: [
                Matrix(rows: [[0.34, -1.7]], columns: 2),
                Matrix(rows: [[0.0, 2.28, -1.26], [0.6, -0.68, -1.98]], columns: 3),
                Matrix(rows: [[-36.4], [53.0], [-70.0]], columns: 1),
                Matrix(rows: [[-0.38]], columns: 1), Matrix(rows: [[80.0]], columns: 1),
            ],
            b: [[-0.0, -0.0], [0.0, -0.0, -0.0], [-0.9], [0.0], [-0.0]]),
        loss: .squaredError, X: Matrix(rows: [[0.53]], columns: 1), Y: Matrix(rows: [[20.0]], columns: 1))
    let exact = Exact(
        problem: problem,
        dW: [
            [[5.4504041770008192128e-5, -1.7010063516771034989e-6]],
            [
                [-1.6794189758260606139e-6, 4.451334275460067135e-6, -5.0328589019897486645e-6],
                [2.7004916906885338824e-6, -7.1577083481769495568e-6, 8.092795092151436083e-6],
            ],
            [[-4.868423292911135902e-8], [2.3508563407369856837e-7], [1.2197788814397121009e-7]],
            [[-1.2461629569932245064e-5]], [[-2.3166160876624461167e-8]],
        ],
        db: [
            [1.0283781466039281017e-4, -3.2094459465605724781e-6],
            [-1.6307460941333471618e-5, 4.322325809030408397e-5, -4.8869967023607515314e-5],
            [1.0641925309704884587e-6], [-2.800506660448653806e-6], [3.0159417816465879354e-7],
        ])
    let oracle = Oracle().differentiate(problem, delta: false)
    for p in exact.db.indices {
        for (k, want) in exact.db[p].enumerated() {
            let estimates = oracle.db[p]
            expectClose(
                estimates.value[0, k], want, within: Tolerance.oracle.errorFactor * estimates.error[0, k],
                "layer \(p + 1) db[\(k)] (claimed error \(estimates.error[0, k]))")
        }
        for (j, row) in exact.dW[p].enumerated() {
            for (k, want) in row.enumerated() {
                let estimates = oracle.dW[p]
                expectClose(
                    estimates.value[j, k], want, within: Tolerance.oracle.errorFactor * estimates.error[j, k],
                    "layer \(p + 1) dW[\(j), \(k)] (claimed error \(estimates.error[j, k]))")
            }
        }
    }
    let verdict = Verdict(answer: Reference.backprop(problem).answer, oracle: Oracle().differentiate(problem))
    #expect(verdict.passed, "\(verdict.failureDetails())")
}
