import Foundation
import GradFuzzCore
import GradFuzzTestSupport
import Testing

@testable import GradFuzzFixtures

@Test func theFixtureStoreNeverOverwritesADifferentFile() throws {
    let out = try temporaryDirectory("fixture-store")
    defer { try? FileManager.default.removeItem(at: out) }
    let store = FixtureStore(directory: out)
    let problem = randomProblem([2, 3, 1], [.tanh, .identity], .squaredError, batch: 2, seed: 8)
    let origin = Fixture.Origin(kind: "fuzz", seed: 8, iteration: 0)
    let first = try store.write(problem, origin: origin, headline: "")
    let again = try store.write(problem, origin: Fixture.Origin(kind: "fuzz", seed: 9, iteration: 4), headline: "")
    #expect(first == again, "the same problem is one file")
    #expect(try Fixture.read(from: first).origin.seed == 8, "the first file was replaced")
    // A different file under the name a problem hashes to is kept; the fixture takes the next name.
    let other = randomProblem([2, 3, 1], [.tanh, .identity], .squaredError, batch: 2, seed: 9)
    let taken = out.appendingPathComponent("fuzz-\(FixtureStore.contentHash(other)).json")
    try Data("not mine".utf8).write(to: taken)
    let moved = try store.write(other, origin: origin, headline: "")
    #expect(moved.lastPathComponent == "fuzz-\(FixtureStore.contentHash(other))-2.json")
    #expect(try String(contentsOf: taken, encoding: .utf8) == "not mine")
    #expect(try Fixture.read(from: moved).problem == other)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") }
    #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
}
