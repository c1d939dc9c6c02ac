import Foundation
import GradFuzzCore
import GradFuzzFixtures
import Testing

@testable import GradFuzzOracle

/// The oracle's incremental, cancellation-free cost change (`PerturbedCost.lossChanges`, four moves
/// at once) against a full recomputation: `Reference.forward` on a copy of the problem with the one
/// entry moved, Σ_i (L_i' − L_i).

/// A small random problem: `hidden` in every hidden layer, `output` on top (the loss's required
/// output where it has one), targets inside the loss's domain.
func randomProblem(hidden: Activation, output: Activation, loss: Loss, seed: UInt64) -> Problem {
    var rng = SplitMix64(seed: seed)
    let depth = Int.random(in: 1...3, using: &rng)
    var layers = (0..<depth).map { _ in Int.random(in: 1...4, using: &rng) }
    layers.append(Int.random(in: 2...3, using: &rng))
    let m = Int.random(in: 1...3, using: &rng)
    let activations = [Activation](repeating: hidden, count: depth - 1) + [loss.requiredOutput ?? output]
    let W = (0..<depth).map { l in
        Matrix(rows: (0..<layers[l]).map { _ in (0..<layers[l + 1]).map { _ in rng.normal() } }, columns: layers[l + 1])
    }
    let b = (0..<depth).map { l in (0..<layers[l + 1]).map { _ in 0.5 * rng.normal() } }
    let X = Matrix(rows: (0..<m).map { _ in (0..<layers[0]).map { _ in rng.normal() } }, columns: layers[0])
    let Y = Matrix(rows: (0..<m).map { _ in CuratedFixtures.targets(loss, count: layers[depth], using: &rng) }, columns: layers[depth])
    let problem = Problem(network: Network(layers: layers, activations: activations, W: W, b: b), loss: loss, X: X, Y: Y)
    for i in 0..<m { precondition(loss.targetProblem(Y.row(i)) == nil, "test generator made a target outside the domain") }
    return problem
}

/// Σ_i (L_i' − L_i) by a full forward pass of `moved` against `problem`.
func fullChange(_ problem: Problem, _ moved: Problem) -> Double {
    let before = Reference.forward(problem).losses, after = Reference.forward(moved).losses
    return zip(after, before).reduce(0) { $0 + ($1.0 - $1.1) }
}

/// One sample of a problem: moving z_k^(i,l) of sample i is moving b_k^(l) in the batch of sample i alone.
func sampleProblem(_ problem: Problem, _ i: Int) -> Problem {
    var single = problem
    single.X = Matrix(row: problem.X.row(i))
    single.Y = Matrix(row: problem.Y.row(i))
    return single
}

/// Every way of moving one entry: what the incremental path is told, and the moved copy of the problem.
struct Move {
    var name: String
    var layer: Int
    var unit: Int
    var samples: Range<Int>
    /// Per sample, the factor a step multiplies into Δz_k (a_j^(i,l−1) for a weight, 1 otherwise).
    var factor: (Int) -> Double
    /// The problem with the entry moved by `step`, and the problem it is compared with.
    var moved: (Double) -> (before: Problem, after: Problem)
}

func moves(of problem: Problem) -> [Move] {
    let cost = PerturbedCost(problem)
    var all: [Move] = []
    for p in 0..<problem.network.depth {
        for k in 0..<problem.network.layers[p + 1] {
            for j in 0..<problem.network.layers[p] {
                all.append(
                    Move(
                        name: "W^(\(p + 1))[\(j), \(k)]", layer: p, unit: k, samples: 0..<problem.batchSize,
                        factor: { cost.input(layer: p, sample: $0, unit: j) },
                        moved: { step in
                            var q = problem; q.network.W[p][j, k] += step; return (problem, q)
                        }))
            }
            all.append(
                Move(
                    name: "b^(\(p + 1))[\(k)]", layer: p, unit: k, samples: 0..<problem.batchSize, factor: { _ in 1 },
                    moved: { step in
                        var q = problem; q.network.b[p][k] += step; return (problem, q)
                    }))
            for i in 0..<problem.batchSize {
                all.append(
                    Move(
                        name: "z^(\(i),\(p + 1))[\(k)]", layer: p, unit: k, samples: i..<(i + 1), factor: { _ in 1 },
                        moved: { step in
                            let single = sampleProblem(problem, i)
                            var q = single
                            q.network.b[p][k] += step
                            return (single, q)
                        }))
            }
        }
    }
    return all
}

/// Rounding allowed between the two paths: each loses a few ε of the losses it differences, and
/// the full path rounds b + step and w + step too.
func roundingAllowance(_ problem: Problem, step: Double, factor: Double) -> Double {
    let losses = Reference.forward(problem).losses.reduce(0) { $0 + abs($1) }
    return 1e-13 * (1 + losses) + 1e-9 * abs(step * factor)
}

/// Checks every entry of `problem`: the incremental change against the full recomputation, for a
/// GSL stencil (−h, h, −h/2, h/2) at a large step (libm forms), a moderate one (Taylor series) and a
/// tiny one (the short series the oracle's own steps use).
func checkIncremental(_ problem: Problem, label: String) {
    let cost = PerturbedCost(problem)
    for move in moves(of: problem) {
        let largest = move.samples.reduce(0.0) { max($0, abs(move.factor($1))) }
        for h in [0.05, 1e-3, 1e-6] {
            let steps = Lanes(-h, h, -h / 2, h / 2)
            for i in move.samples { cost.factors[i] = move.factor(i) }
            let lanes = cost.lossChanges(layer: move.layer, unit: move.unit, samples: move.samples, steps: steps)
            for lane in 0..<4 {
                let (before, after) = move.moved(steps[lane])
                let expected = fullChange(before, after)
                let allowed = roundingAllowance(before, step: steps[lane], factor: largest)
                #expect(
                    abs(lanes[lane] - expected) <= allowed,
                    "\(label) \(move.name), step \(steps[lane]): expected \(expected), got \(lanes[lane]), error \(abs(lanes[lane] - expected)), allowed \(allowed)"
                )
            }
        }
    }
}

@Test(arguments: Loss.allCases)
func incrementalChangeEqualsFullRecomputation(loss: Loss) {
    for (n, f) in Activation.allCases.enumerated() {
        let output = loss.requiredOutput ?? f
        let problem = randomProblem(hidden: f, output: output, loss: loss, seed: UInt64(1000 * n + 7))
        checkIncremental(problem, label: "\(loss.rawValue), hidden \(f.rawValue), output \(output.rawValue), layers \(problem.network.layers):")
    }
}

@Test func incrementalChangeEqualsFullRecomputationOnCuratedFixtures() throws {
    let files = try Fixture.files(in: [packageRoot.appendingPathComponent("fixtures/curated").path])
    #expect(!files.isEmpty)
    for file in files {
        let fixture = try Fixture.read(from: file)
        checkIncremental(fixture.problem, label: file.lastPathComponent)
    }
}

/// A wrong incremental update must show: the test above can fail.
@Test func aWrongChangeIsCaught() {
    let problem = randomProblem(hidden: .tanh, output: .identity, loss: .squaredError, seed: 3)
    var wrong = problem
    wrong.network.W[problem.network.depth - 1][0, 0] += 0.5
    let cost = PerturbedCost(wrong)
    let move = moves(of: problem).first!
    let (before, after) = move.moved(1e-3)
    let expected = fullChange(before, after)
    for i in move.samples { cost.factors[i] = move.factor(i) }
    let got = cost.lossChanges(layer: move.layer, unit: move.unit, samples: move.samples, steps: Lanes(repeating: 1e-3))[0]
    #expect(abs(got - expected) > roundingAllowance(before, step: 1e-3, factor: 1))
}
