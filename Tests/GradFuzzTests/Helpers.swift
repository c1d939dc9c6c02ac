import Testing
import Foundation
@testable import GradFuzz

/// Expects `got` within `bound` of `expected`, and says by how much when it is not.
func expectClose(_ got: Double, _ expected: Double, within bound: Double, _ what: @autoclosure () -> String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    let error = abs(got - expected)
    #expect(error <= bound, "\(what()): expected \(expected), got \(got), error \(error) > \(bound)",
            sourceLocation: sourceLocation)
}

/// The curated fixtures as committed under fixtures/curated.
func curatedFixtures() throws -> [Fixture] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let files = try Fixture.files(in: [root.appendingPathComponent("fixtures/curated").path])
    return try files.map { try Fixture.read(from: $0) }
}

/// A problem with the given layer sizes, activations and loss, drawn from `seed`, away from kinks.
func randomProblem(_ layers: [Int], _ activations: [Activation], _ loss: Loss, batch: Int = 3, seed: UInt64) -> Problem {
    let recipe = CuratedFixtures.Recipe(id: "test", description: "", layers: layers, activations: activations, loss: loss, batch: batch)
    return CuratedFixtures.problem(for: recipe, seed: seed)
}
