import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzTestSupport
import Testing

@testable import GradFuzzFuzzing

/// relu then identity, one unit each: sample 0 (x = −1) leaves the relu dead, sample 1 (x = 2) does not.
private let halfDead = Problem(
    network: Network(
        layers: [1, 1, 1], activations: [.relu, .identity], W: [Matrix(rows: [[1]], columns: 1), Matrix(rows: [[1.5]], columns: 1)],
        b: [[0], [0.25]]),
    loss: .squaredError, X: Matrix(rows: [[-1], [2]], columns: 1), Y: Matrix(rows: [[0.5], [0.3]], columns: 1))

@Test func aReluLayerIsDeadOnlyWhenEveryUnitIsOffForEverySample() {
    #expect(!halfDead.hasDeadReluLayer)
    var firstOnly = halfDead
    firstOnly.X = Matrix(rows: [[-1]], columns: 1)
    firstOnly.Y = Matrix(rows: [[0.5]], columns: 1)
    #expect(firstOnly.hasDeadReluLayer)
    var identity = firstOnly
    identity.network.activations = [.identity, .identity]
    #expect(!identity.hasDeadReluLayer, "only a relu layer is dead")
}

@Test func shrinkingNeverKillsEveryReluUnit() async {
    // Keeping the first sample alone is the first candidate tried, and it kills the relu layer.
    let shrinker = Shrinker(budget: 200) { $0.network.activations.first == .relu }
    let shrunk = await shrinker.shrink(halfDead)
    #expect(shrunk.network.activations.first == .relu)
    #expect(!shrunk.hasDeadReluLayer, "shrunk to X \(shrunk.X.storage), W \(shrunk.network.W.map(\.storage)), b \(shrunk.network.b)")
}

private func candidate(_ iteration: Int, seed: UInt64, kind: String) -> FixtureCandidate {
    FixtureCandidate(
        iteration: iteration, problem: randomProblem([2, 2], [.identity], .squaredError, batch: 2, seed: seed),
        kind: MistakeKind(place: kind, explanations: []), origin: Fixture.Origin(kind: "fuzz"), headline: "")
}

@Test func theQuotaKeepsTheLowestIterationsOfEachKindInAnyOrder() {
    // Iterations 0…9 of kind "a", each its own problem except 4 and 7, which shrank to 2's; and 3 of kind "b".
    let offers =
        (0..<10).map { candidate($0, seed: [4, 7].contains($0) ? 2 : UInt64($0), kind: "a") }
        + [candidate(20, seed: 100, kind: "b")]
    var forward = FixtureQuota(), backward = FixtureQuota()
    for offer in offers { forward.offer(offer) }
    for offer in offers.reversed() { backward.offer(offer) }
    #expect(forward.chosen.map(\.iteration) == [0, 1, 2, 20])
    #expect(backward.chosen.map(\.iteration) == forward.chosen.map(\.iteration))
    // 4 and 7 shrank to a fixture that is written; 3, 5, 6, 8, 9 to five that are not.
    #expect(forward.notWritten == (cases: 5, fixtures: 5) && backward.notWritten == (cases: 5, fixtures: 5))
}

@Test func aFixturePushedOutByALowerIterationIsRemovedUnlessThisRunDidNotWriteIt() throws {
    let directory = try temporaryDirectory("quota")
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = FixtureStore(directory: directory)
    let write: (FixtureCandidate) -> Result<URL, FixtureStoreError> = { $0.write(into: store, replayCommand: { $0 }, tolerance: .float64) }
    func files() -> Set<String> { Set(((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }) }

    // Found before this run: written, and kept however the run's quota turns out.
    let earlier = candidate(7, seed: 70, kind: "a")
    _ = try write(earlier).get()
    var quota = FixtureQuota(perKind: 1)
    quota.take(earlier, in: directory, write: write)
    let first = candidate(5, seed: 50, kind: "b"), lower = candidate(2, seed: 20, kind: "b"), lowest = candidate(1, seed: 10, kind: "a")
    quota.take(first, in: directory, write: write)
    #expect(files() == [earlier.id + ".json", first.id + ".json"])
    quota.take(lower, in: directory, write: write)
    quota.take(lowest, in: directory, write: write)
    #expect(files() == [earlier.id + ".json", lower.id + ".json", lowest.id + ".json"], "\(files())")
    #expect(Set(quota.written.keys) == [lower.id, lowest.id] && quota.notWritten == (cases: 2, fixtures: 2))
}

@Test func theFixturesWrittenAreTheSameForAnyNumberOfJobs() async throws {
    func fixtures(jobs: Int) async throws -> (files: [String], summary: FuzzSummary) {
        let directory = try temporaryDirectory("quota-jobs-\(jobs)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = await Fuzzer(
            FuzzConfiguration(
                seed: 11, iterations: 60, jobs: jobs, distribution: smallCases, outDirectory: directory,
                implementation: missingOneOverM)
        ).run()
        return (try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted(), summary)
    }
    let one = try await fixtures(jobs: 1), two = try await fixtures(jobs: 2)
    #expect(one.summary.failures > 20 && one.summary.casesNotWritten > 0, "\(one.summary.failures) failures")
    #expect(one.files == two.files && one.files.count == one.summary.fixtures.count)
    #expect(one.summary.casesNotWritten == two.summary.casesNotWritten && one.summary.fixturesNotWritten == two.summary.fixturesNotWritten)
}
