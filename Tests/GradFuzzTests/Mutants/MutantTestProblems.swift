import GradFuzzCore
import GradFuzzFixtures
import Testing

/// Small random problems for the mutant and diagnosis tests, drawn with SplitMix64.
enum MutantTestProblems {
    /// A problem with the given sizes, activations and loss: weights, biases and inputs standard
    /// normal, targets inside the loss's domain.
    static func random(layers: [Int], activations: [Activation], loss: Loss, batch: Int, seed: UInt64) -> Problem {
        var rng = SplitMix64(seed: seed)
        let W = (1..<layers.count).map { l in
            Matrix(rows: (0..<layers[l - 1]).map { _ in (0..<layers[l]).map { _ in rng.normal() } }, columns: layers[l])
        }
        let b = (1..<layers.count).map { l in (0..<layers[l]).map { _ in rng.normal() } }
        let X = Matrix(rows: (0..<batch).map { _ in (0..<layers[0]).map { _ in rng.normal() } }, columns: layers[0])
        let Y = Matrix(rows: (0..<batch).map { _ in CuratedFixtures.targets(loss, count: layers.last ?? 1, using: &rng) }, columns: layers.last ?? 1)
        return Problem(network: Network(layers: layers, activations: activations, W: W, b: b), loss: loss, X: X, Y: Y)
    }

    /// The losses that may follow output activation `f`.
    static func losses(after f: Activation) -> [Loss] {
        Loss.allCases.filter { $0.requiredOutput == nil || $0.requiredOutput == f }
    }

    /// A problem for every hidden activation × output activation × compatible loss, on a network
    /// that every shape condition of the catalog accepts (3 → 3 → 3 → 3, three samples).
    static var everyCombination: [(String, Problem)] {
        var problems: [(String, Problem)] = []
        var seed: UInt64 = 1
        for hidden in Activation.allCases {
            for output in Activation.allCases {
                for loss in losses(after: output) {
                    seed += 1
                    let p = random(layers: [3, 3, 3, 3], activations: [hidden, hidden, output], loss: loss, batch: 3, seed: seed)
                    problems.append(("\(hidden.rawValue)→\(output.rawValue) \(loss.rawValue)", p))
                }
            }
        }
        return problems
    }

    /// A one-neuron network x → f(w x + b) with one sample.
    static func neuron(_ f: Activation, loss: Loss, x: Double, w: Double, b: Double, y: Double) -> Problem {
        Problem(
            network: Network(layers: [1, 1], activations: [f], W: [Matrix(rows: [[w]], columns: 1)], b: [[b]]),
            loss: loss, X: Matrix(rows: [[x]], columns: 1), Y: Matrix(rows: [[y]], columns: 1))
    }
}

/// Compares one value, printing expected, got and the size of the error when they differ.
func expectRelativelyClose(_ got: Double, _ expected: Double, relative: Double = 1e-12, _ what: String) {
    let error = abs(got - expected)
    let ok = error <= relative * max(abs(expected), 1e-300)
    if !ok { print("\(what): expected \(expected), got \(got), |error| \(error)") }
    #expect(ok, "\(what): expected \(expected), got \(got), |error| \(error)")
}
