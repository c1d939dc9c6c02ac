import GradFuzzCore
import RealModule
import Testing

@testable import GradFuzzMutants

/// Each mutant against its mistake worked by hand on networks small enough to write out: the
/// expected values below are the sentence of the mistake in formulas, not the catalog's code.
@Suite struct MutantHandDerivedTests {
    // One neuron a = f(w x + b), one sample.
    static let (x, w, b) = (0.7, -1.3, 0.4)
    static let z = w * x + b  // −0.51
    static func sigma(_ t: Double) -> Double { 1 / (1 + Double.exp(-t)) }

    /// (mutant, activation, loss, target, the mutant's ∂Cost/∂b = δ by hand); ∂Cost/∂w = x·δ.
    static let neuronCases: [(String, Activation, Loss, Double, @Sendable (Double) -> Double)] = [
        ("tanh_prime_one_minus_z_squared", .tanh, .squaredError, 0.25, { a in (1 - z * z) * (a - 0.25) }),
        ("sigmoid_prime_sigma_one_minus_z", .sigmoid, .squaredError, 0.25, { a in a * (1 - z) * (a - 0.25) }),
        ("fprime_of_a", .sigmoid, .squaredError, 0.25, { a in sigma(a) * (1 - sigma(a)) * (a - 0.25) }),
        ("fprime_of_a", .tanh, .squaredError, 0.25, { a in (1 - Double.tanh(a) * Double.tanh(a)) * (a - 0.25) }),
        ("fprime_dropped_output", .sigmoid, .squaredError, 0.25, { a in a - 0.25 }),
        ("fprime_dropped_output", .sigmoid, .binaryCrossEntropy, 0.25, { a in -0.25 / a + 0.75 / (1 - a) }),
        ("gelu_prime_missing_z_phi", .gelu, .squaredError, 0.25, { a in (1 + Double.erf(z / 2.0.squareRoot())) / 2 * (a - 0.25) }),
        ("softsign_prime_not_squared", .softsign, .squaredError, 0.25, { a in (a - 0.25) / (1 + abs(z)) }),
        ("leaky_relu_slope_wrong", .leakyReLU, .squaredError, 0.25, { _ in 0 }),
        ("squared_error_gradient_doubled", .identity, .squaredError, 0.25, { a in 2 * (a - 0.25) }),
        ("huber_gradient_not_clipped", .identity, .huber, 3, { a in a - 3 }),
        ("log_cosh_gradient_r", .identity, .logCosh, 0.25, { a in a - 0.25 }),
        ("hinge_gradient_wrong_side", .identity, .hinge, -1, { a in 0 }),  // y·a = 0.51 < 1: the right gradient is +1
        ("hinge_gradient_wrong_side", .identity, .hinge, 1, { a in 0 }),  // y·a = −0.51: the right gradient is −1
        ("binary_cross_entropy_missing_one_minus_y", .sigmoid, .binaryCrossEntropy, 0.25, { a in -0.25 / a * a * (1 - a) }),
        ("sign_flipped", .tanh, .squaredError, 0.25, { a in -(1 - a * a) * (a - 0.25) }),
    ]

    @Test(arguments: neuronCases.indices)
    func oneNeuron(_ index: Int) throws {
        let (name, f, loss, y, delta) = Self.neuronCases[index]
        let mutant = try #require(MutantCatalog.named(name))
        let problem = MutantTestProblems.neuron(f, loss: loss, x: Self.x, w: Self.w, b: Self.b, y: y)
        let a = f.apply([Self.z])[0]
        let answer = mutant.backprop(problem)
        expectRelativelyClose(answer.db[0][0], delta(a), "\(name) (\(f.rawValue), \(loss.rawValue)) db")
        expectRelativelyClose(answer.dW[0][0, 0], Self.x * delta(a), "\(name) (\(f.rawValue), \(loss.rawValue)) dW")
        #expect(mutant.applies(to: problem))
    }

    /// x → W1 → h = f(z1) → w2 → identity output, squared_error: the hidden-layer mistakes.
    @Test func hiddenLayerMistakes() throws {
        let (x, w1, b1, w2, b2, y) = (0.9, 0.8, -0.3, -1.7, 0.2, 0.5)
        let problem = Problem(
            network: Network(
                layers: [1, 1, 1], activations: [.sigmoid, .identity],
                W: [Matrix(rows: [[w1]], columns: 1), Matrix(rows: [[w2]], columns: 1)], b: [[b1], [b2]]),
            loss: .squaredError, X: Matrix(rows: [[x]], columns: 1), Y: Matrix(rows: [[y]], columns: 1))
        let z1 = w1 * x + b1, h = Self.sigma(z1), out = w2 * h + b2
        let g2 = out - y
        let cases: [(String, Double)] = [
            ("f_instead_of_fprime", h * w2 * g2),  // σ(z1) where σ'(z1) belongs
            ("fprime_dropped_hidden", w2 * g2),  // no σ'(z1)
            ("fprime_of_a", Self.sigma(h) * (1 - Self.sigma(h)) * w2 * g2),
            ("sigmoid_prime_sigma_one_minus_z", h * (1 - z1) * w2 * g2),
        ]
        for (name, g1) in cases {
            let answer = try #require(MutantCatalog.named(name)).backprop(problem)
            expectRelativelyClose(answer.dW[0][0, 0], x * g1, "\(name) layer 1 dW")
            expectRelativelyClose(answer.dW[1][0, 0], h * g2, "\(name) layer 2 dW (unchanged)")
        }
    }

    /// A chain of three scalar identity layers: propagating through W^(l) instead of W^(l+1).
    @Test func weightsOffByOneLayer() throws {
        let (x, w1, w2, w3, y) = (1.5, 0.6, -2.0, 0.7, 0.1)
        let problem = Problem(
            network: Network(
                layers: [1, 1, 1, 1], activations: [.identity, .identity, .identity],
                W: [w1, w2, w3].map { Matrix(rows: [[$0]], columns: 1) }, b: [[0], [0], [0]]),
            loss: .squaredError, X: Matrix(rows: [[x]], columns: 1), Y: Matrix(rows: [[y]], columns: 1))
        let a1 = w1 * x, a2 = w2 * a1, g3 = w3 * a2 - y
        let g2 = w2 * g3  // W^(2) where W^(3) belongs
        let g1 = w1 * g2  // W^(1) where W^(2) belongs
        let answer = try #require(MutantCatalog.named("weights_off_by_one_layer")).backprop(problem)
        expectRelativelyClose(answer.dW[2][0, 0], a2 * g3, "layer 3 dW")
        expectRelativelyClose(answer.dW[1][0, 0], a1 * g2, "layer 2 dW")
        expectRelativelyClose(answer.dW[0][0, 0], x * g1, "layer 1 dW")
    }

    /// Softmax output of two units: the diagonal Jacobian, and cross_entropy's sign.
    @Test func softmaxOutputMistakes() throws {
        let x = 0.8, W = Matrix(rows: [[1.1, -0.4]], columns: 2), b = [0.2, 0.1], y = [0.3, 0.7]
        let z = [W[0, 0] * x + b[0], W[0, 1] * x + b[1]]
        let e = z.map { Double.exp($0) }
        let s = e.map { $0 / (e[0] + e[1]) }
        func problem(_ loss: Loss) -> Problem {
            Problem(
                network: Network(layers: [1, 2], activations: [.softmax], W: [W], b: [b]), loss: loss,
                X: Matrix(rows: [[x]], columns: 1), Y: Matrix(rows: [y], columns: 2))
        }
        let diagonal = try #require(MutantCatalog.named("softmax_jacobian_diagonal")).backprop(problem(.squaredError))
        let flipped = try #require(MutantCatalog.named("cross_entropy_gradient_sign_flipped")).backprop(problem(.crossEntropy))
        for k in 0..<2 {
            expectRelativelyClose(diagonal.db[0][k], s[k] * (1 - s[k]) * (s[k] - y[k]), "diagonal db[\(k)]")
            expectRelativelyClose(flipped.db[0][k], y[k] - s[k], relative: 1e-10, "sign-flipped cross_entropy db[\(k)]")  // right: s − y
        }
    }

    /// The batch and shape mistakes, by their definitions, from the reference's own per-sample values.
    @Test func batchAndShapeMistakes() throws {
        let problem = MutantTestProblems.random(layers: [3, 3, 2], activations: [.tanh, .identity], loss: .squaredError, batch: 4, seed: 7)
        let right = Reference.backprop(problem)
        let m = 4.0
        func answer(_ name: String) throws -> Answer { try #require(MutantCatalog.named(name)).backprop(problem) }
        let summed = try answer("no_one_over_m"), twice = try answer("one_over_m_twice")
        let dbSummed = try answer("db_summed"), transposed = try answer("dw_transposed"), offByOne = try answer("activation_off_by_one_in_dw")
        for l in 0..<2 {
            for (j, k) in product(right.dW[l].rows, right.dW[l].columns) {
                expectRelativelyClose(summed.dW[l][j, k], m * right.dW[l][j, k], "no_one_over_m dW")
                expectRelativelyClose(twice.dW[l][j, k], right.dW[l][j, k] / m, "one_over_m_twice dW")
                expectRelativelyClose(dbSummed.dW[l][j, k], right.dW[l][j, k], "db_summed leaves dW")
            }
            for k in right.db[l].indices {
                expectRelativelyClose(summed.db[l][k], m * right.db[l][k], "no_one_over_m db")
                expectRelativelyClose(dbSummed.db[l][k], m * right.db[l][k], "db_summed db")
            }
        }
        // Layer 1 is 3 × 3: transposed; layer 2 is 3 × 2 and stays.
        #expect(transposed.dW[0] == right.dW[0].transposed)
        #expect(transposed.dW[1] == right.dW[1])
        // Layer 1 (3 inputs, 3 units): (1/m) Σ_i a^(i,1) (g^(i,1))ᵀ; layer 2 keeps a^(i,1).
        for (j, k) in product(3, 3) {
            let expected = (0..<4).reduce(0.0) { $0 + right.a[0][$1, j] * right.delta[0][$1, k] } / m
            expectRelativelyClose(offByOne.dW[0][j, k], expected, relative: 1e-12, "activation_off_by_one_in_dw layer 1 dW[\(j), \(k)]")
        }
        #expect(offByOne.dW[1] == right.dW[1])
    }

    func product(_ rows: Int, _ columns: Int) -> [(Int, Int)] {
        (0..<rows).flatMap { r in (0..<columns).map { (r, $0) } }
    }
}
