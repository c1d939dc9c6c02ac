import Foundation
import GradFuzz
import GradFuzzTestSupport
import Testing

@testable import GradFuzzFixtures

// Problem files: the problem fields alone, completed into a fixture as they are read.

@Test func aProblemFileIsCompletedAsItIsRead() throws {
    let problem = randomProblem([2, 3, 2], [.tanh, .softmax], .crossEntropy, batch: 2, seed: 9)
    let data = try JSONEncoder().encode(RawProblem(problem))
    let fixture = try Fixture.decode(data, name: "mine")
    #expect(fixture.id == "mine" && fixture.origin.kind == "problem" && fixture.problem == problem)
    // Expected values from the reference, oracle values from GSL, as any fixture's.
    let made = Fixture(id: "mine", description: "", origin: Fixture.Origin(kind: "problem"), problem: problem)
    #expect(fixture.expected == made.expected && fixture.oracle == made.oracle)
    // A malformed problem file gets the same errors as a fixture.
    var raw = RawProblem(problem)
    raw.activations = ["tanh", "swish"]
    expectInputError(try JSONEncoder().encode(raw), field: "activations[1]", saying: "unknown activation \"swish\"")
    raw = RawProblem(problem)
    raw.Y = [[0.5, 0.6], [1, 0]]
    expectInputError(try JSONEncoder().encode(raw), field: "Y[0]", saying: "sum to 1")
    expectInputError(Data("{}".utf8), field: "layers", saying: "missing")
    // A fixture missing only one of "expected" and "oracle" is still an incomplete fixture.
    expectInputError(try editedFixture { $0.removeValue(forKey: "oracle") }, field: "oracle", saying: "missing")
}

@Test func aReplayedProblemFileHasItsOracleComputedOnce() throws {
    let problem = randomProblem([2, 3, 2], [.tanh, .softmax], .crossEntropy, batch: 2, seed: 9)
    let data = try JSONEncoder().encode(RawProblem(problem))
    // Replay and validate read without the oracle (replay computes a fresh one, validate needs none) …
    let read = try Fixture.decode(data, name: "mine", oracle: nil)
    #expect(read.oracle == nil && read.expected == Reference.backprop(problem))
    // … and a fixture written from it is complete all the same.
    let written = try Fixture.decode(read.json(), name: "mine")
    #expect(written.oracle == Oracle().differentiate(problem, delta: false))
}
