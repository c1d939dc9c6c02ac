import GradFuzzFixtures
import GradFuzzTestSupport
import Testing

@testable import GradFuzzCore

/// (a, y) pairs inside each loss's domain, none within 1e-2 of a kink.
func lossPoints(_ loss: Loss) -> [(a: Double, y: Double)] {
    switch loss {
    case .crossEntropy, .binaryCrossEntropy:
        return [(0.02, 0), (0.3, 1), (0.5, 0.25), (0.97, 0.9), (0.999, 1), (0.6, 0.6)]
    case .hinge:
        return [(-2, 1), (0.5, 1), (1.5, 1), (2, -1), (-0.5, -1), (-1.7, -1)]
    default:
        return [(-3, 1), (0.2, 0.7), (1.4, -0.6), (5, 0), (0.5, 0.45), (-0.3, 2.5)]
    }
}

@Test(arguments: Loss.allCases)
func gradientAgreesWithGSL(_ loss: Loss) {
    for (a, y) in lossPoints(loss) {
        // The unfused term: output activation identity stands for "a given".
        let (expected, error) = gslDerivative(at: a, step: 1e-4) { loss.term(z: $0, a: $0, y: y, output: .identity) }
        expectClose(loss.gradient(a: a, y: y), expected, within: 10 * error + 1e-9 * max(1, abs(expected)), "\(loss.rawValue)'(a: \(a), y: \(y))")
    }
}

@Test(arguments: Loss.allCases)
func outputDeltaAgreesWithGSLAfterEveryAllowedOutput(_ loss: Loss) {
    let outputs = loss.requiredOutput.map { [$0] } ?? Activation.allCases
    var rng = SplitMix64(seed: 7)
    for f in outputs {
        let z = (0..<3).map { _ in 0.1 + rng.normal() }
        let y = CuratedFixtures.targets(loss, count: 3, using: &rng)
        let a = f.apply(z)
        let delta = loss.outputDelta(z: z, a: a, y: y, output: f)
        for k in 0..<3 {
            let (expected, error) = gslDerivative(at: z[k], step: 1e-4) { zk in
                var moved = z
                moved[k] = zk
                let am = f.apply(moved)
                return loss.value(z: moved, a: am, y: y, output: f)
            }
            guard zip(a, y).allSatisfy({ loss.kinkDistance(a: $0, y: $1) > 1e-3 }) else { continue }
            expectClose(delta[k], expected, within: 10 * error + 1e-9 * max(1, abs(expected)), "δ_\(k) of \(loss.rawValue) after \(f.rawValue)")
        }
    }
}

@Test func crossEntropiesStayFiniteWhereANaiveFormOverflows() {
    // After sigmoid, z = 40 gives a = 1 in Double; the naive −log(1 − a) is +∞, the fused form is softplus(40) ≈ 40.
    let z = [40.0], a = Activation.sigmoid.apply(z), y = [0.0]
    let value = Loss.binaryCrossEntropy.value(z: z, a: a, y: y, output: .sigmoid)
    expectClose(value, 40, within: 1e-15, "binary_cross_entropy at z = 40, y = 0")
    // log cosh of a huge residual: |r| − log 2.
    expectClose(Loss.logCosh.term(z: 1000.0, a: 1000.0, y: 0, output: .identity), 1000 - 0.6931471805599453, within: 1e-12, "log_cosh(1000)")
}

@Test func targetsOutsideTheDomainAreNamed() {
    #expect(Loss.hinge.targetProblem([1, 0.5]) != nil)
    #expect(Loss.crossEntropy.targetProblem([0.5, 0.2]) != nil)
    #expect(Loss.binaryCrossEntropy.targetProblem([1.2]) != nil)
    #expect(Loss.hinge.targetProblem([1, -1]) == nil)
}
