import GradFuzzCore
import Testing

@testable import GradFuzzOracle

/// The reference passes the oracle's verdict on random networks of every activation × loss, with
/// the oracle run on one thread and on three (which must give the same numbers), and a wrong
/// backward pass (f in place of f') fails it.
@Test(arguments: Loss.allCases)
func referencePassesOracleOnRandomNetworks(loss: Loss) {
    for (n, f) in Activation.allCases.enumerated() {
        for seed in 0..<3 {
            let output = loss.requiredOutput ?? Activation.allCases[(n + seed) % Activation.allCases.count]
            let problem = randomProblem(hidden: f, output: output, loss: loss, seed: UInt64(5000 + 100 * n + seed))
            let oracle = Oracle().differentiate(problem)
            let verdict = Verdict(answer: Reference.backprop(problem).answer, oracle: oracle)
            #expect(
                verdict.passed,
                "\(loss.rawValue), hidden \(f.rawValue), output \(output.rawValue), layers \(problem.network.layers): \(verdict.matrices.flatMap(\.failures).prefix(3))"
            )
            #expect(Oracle().differentiate(problem, jobs: 3) == oracle, "jobs: 3 differs from jobs: 1")
        }
    }
}

@Test func aWrongDerivativeFailsTheOracleVerdict() {
    let problem = randomProblem(hidden: .tanh, output: .sigmoid, loss: .squaredError, seed: 77)
    var answer = Reference.backprop(problem).answer
    answer.dW[0][0, 0] *= 1 + 1e-5
    let verdict = Verdict(answer: answer, oracle: Oracle().differentiate(problem))
    #expect(!verdict.passed, "a relative error of 1e-5 in dW^(1)[0, 0] passed")
}

/// An input of 1e-320 (a subnormal, as a dead softmax unit gives) must not make a weight's step overflow.
@Test func tinyInputsGiveFiniteDerivatives() {
    var problem = randomProblem(hidden: .tanh, output: .identity, loss: .squaredError, seed: 5)
    let tiny = Double("1e-320")!  // a literal would warn that it loses precision: subnormals have fewer digits
    for i in 0..<problem.batchSize { problem.X[i, 0] = tiny }
    let oracle = Oracle().differentiate(problem)
    let verdict = Verdict(answer: Reference.backprop(problem).answer, oracle: oracle)
    let finite = oracle.dW[0].value.storage.allSatisfy { $0.isFinite }
    #expect(finite, "\(oracle.dW[0].value)")
    #expect(verdict.passed)
}

/// A saturated softmax unit (s ≈ e^−715) passes on moves of ~1e-318 (subnormal), while the size
/// bound of the terms behind them is ~1e-7: their ratio must not overflow the error estimate.
@Test func subnormalMovesKeepAFiniteErrorEstimate() {
    let network = Network(
        layers: [1, 2, 1], activations: [.softmax, .identity],
        W: [Matrix(rows: [[0, -715]], columns: 2), Matrix(rows: [[0], [1]], columns: 1)], b: [[0, 0], [0]])
    let problem = Problem(network: network, loss: .squaredError, X: Matrix(rows: [[1]], columns: 1), Y: Matrix(rows: [[0.5]], columns: 1))
    let oracle = Oracle().differentiate(problem)
    for p in 0..<2 {
        let finite = oracle.dW[p].error.storage.allSatisfy { $0.isFinite } && oracle.db[p].error.storage.allSatisfy { $0.isFinite }
        #expect(finite, "layer \(p + 1): dW error \(oracle.dW[p].error.storage), db error \(oracle.db[p].error.storage)")
    }
    #expect(Verdict(answer: Reference.backprop(problem).answer, oracle: oracle).passed)
}
