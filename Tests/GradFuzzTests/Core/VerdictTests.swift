import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle
import GradFuzzTestSupport
import Testing

@testable import GradFuzzCore

@Test func summingIsAveragingForOneSample() throws {
    let problem = randomProblem([3, 4, 3, 2], [.tanh, .sigmoid, .identity], .squaredError, batch: 3, seed: 11)
    let single = Problem(
        network: problem.network, loss: problem.loss,
        X: Matrix(rows: [problem.X.row(0)], columns: 3), Y: Matrix(rows: [problem.Y.row(0)], columns: 2))
    let summing = try #require(MutantCatalog.named("no_one_over_m"))
    let verdict = Verdict(answer: summing.backprop(single), oracle: Oracle().differentiate(single))
    #expect(verdict.passed, "with one sample, 1/m = 1: summing is averaging\n\(verdict.failureDetails())")
}

@Test func fInPlaceOfFPrimeFailsAtTheLayerBelowTheOutput() throws {
    let problem = randomProblem([3, 4, 3, 2], [.tanh, .sigmoid, .identity], .squaredError, batch: 3, seed: 11)
    let mistake = try #require(MutantCatalog.named("f_instead_of_fprime"))
    let verdict = Verdict(answer: mistake.backprop(problem), oracle: Oracle().differentiate(problem))
    #expect(!verdict.passed)
    // g^(L) is right; g^(L−1) is the first to use f', so layer 2 of 3 is where it goes wrong.
    #expect(verdict.firstWrongLayer == 2)
    let outputLayerPasses = verdict.matrices.filter { $0.layer == 3 }.allSatisfy { $0.passed }
    #expect(outputLayerPasses)
    #expect(verdict.failureDetails().contains("first wrong layer (counting from the output, as backprop runs): 2"))
}

@Test func missingOneOverMFailsEveryLayersDWButNoDelta() throws {
    let problem = randomProblem([3, 4, 2], [.tanh, .identity], .squaredError, batch: 4, seed: 12)
    let mistake = try #require(MutantCatalog.named("no_one_over_m"))
    let verdict = Verdict(answer: mistake.backprop(problem), oracle: Oracle().differentiate(problem))
    #expect(!verdict.passed)
    #expect(verdict.firstWrongLayer == 2)
    for v in verdict.matrices {
        #expect(v.passed == (v.quantity == .delta), "layer \(v.layer) \(v.quantity)")
    }
    // Every entry is off by exactly the factor m = 4.
    for entry in verdict.matrices.flatMap(\.failures) where entry.quantity == .dW {
        expectClose(entry.got / entry.expected, 4, within: 1e-6, entry.place)
    }
}

@Test func aFlippedSignInTheOutputLayerIsNamed() {
    // Only the output layer's dW negated: no catalogued mistake (sign_flipped turns every gradient).
    let problem = randomProblem([3, 4, 2], [.tanh, .identity], .squaredError, batch: 3, seed: 13)
    var answer = Reference.backprop(problem).answer
    answer.dW[1].storage = answer.dW[1].storage.map { -$0 }
    let verdict = Verdict(answer: answer, oracle: Oracle().differentiate(problem))
    #expect(verdict.firstWrongLayer == 2)
    #expect(verdict.matrices.filter { !$0.passed }.map { "\($0.layer) \($0.quantity)" } == ["2 dW"])
    #expect(verdict.failureDetails().contains("XX"), "the map shows the whole matrix wrong:\n\(verdict.failureDetails())")
}

@Test func anEntryAtAKinkIsCountedNeverFailedNeverPassed() {
    // One relu neuron with z = w·x + b = 1·0 + 0 = 0 exactly: moving b crosses the kink; moving w
    // moves nothing (x = 0), so dW is checkable (both sides say 0).
    let problem = Problem(
        network: Network(layers: [1, 1], activations: [.relu], W: [Matrix(rows: [[1]], columns: 1)], b: [[0]]),
        loss: .squaredError, X: Matrix(rows: [[0]], columns: 1), Y: Matrix(rows: [[1]], columns: 1))
    let oracle = Oracle().differentiate(problem)
    #expect(oracle.db[0].kink == [true])
    #expect(oracle.delta[0].kink == [true])
    #expect(oracle.dW[0].kink == [false])
    // GSL alone would be confidently wrong here (half the slope); any answer for db is neither passed nor failed.
    var answer = Reference.backprop(problem).answer
    answer.db[0][0] = 12345
    let verdict = Verdict(answer: answer, oracle: oracle)
    #expect(verdict.passed)
    #expect(verdict.kinks == 2)
    #expect(verdict.checked == 1)
}

@Test func toleranceRejectsNonFiniteAnswersAndBadSettings() {
    #expect(!Tolerance.float64.accepts(expected: 1, got: .nan))
    #expect(!Tolerance.float64.accepts(expected: 1, got: .infinity))
    #expect(!Tolerance.oracle.accepts(expected: 1, got: 1, error: .infinity))
    #expect(Tolerance.float64.accepts(expected: 1, got: 1 + 5e-7))
    #expect(!Tolerance.float64.accepts(expected: 1, got: 1 + 2e-6))
    #expect(Tolerance(rtol: 1.5, atol: 0).problem != nil)
    #expect(Tolerance(rtol: 0, atol: -1).problem != nil)
}
