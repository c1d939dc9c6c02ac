import GradFuzzCore
import Testing

@testable import GradFuzzOracle

@Test func referenceAgreesWithOracleOnASmallTanhNetwork() {
    var rng = SplitMix64(seed: 1)
    let layers = [3, 4, 2]
    let W = (0..<2).map { l in Matrix(rows: (0..<layers[l]).map { _ in (0..<layers[l + 1]).map { _ in rng.normal() } }, columns: layers[l + 1]) }
    let b = (0..<2).map { l in (0..<layers[l + 1]).map { _ in rng.normal() } }
    let X = Matrix(rows: (0..<5).map { _ in (0..<3).map { _ in rng.normal() } }, columns: 3)
    let Y = Matrix(rows: (0..<5).map { _ in (0..<2).map { _ in rng.normal() } }, columns: 2)
    let p = Problem(network: Network(layers: layers, activations: [.tanh, .identity], W: W, b: b), loss: .squaredError, X: X, Y: Y)
    let verdict = Verdict(answer: Reference.backprop(p).answer, oracle: Oracle().differentiate(p))
    #expect(verdict.passed)
    #expect(verdict.checked == 12 + 4 + 20 + 8 + 2 + 10)
}
