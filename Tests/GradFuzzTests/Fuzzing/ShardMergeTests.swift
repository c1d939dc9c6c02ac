import GradFuzzCore
import GradFuzzMutants
import Testing

@testable import GradFuzzFuzzing

/// A run of a mistake that fails most cases and declines some (where it changes nothing), so that
/// every list of the summary has something in it; `shard` of it.
private func run(_ shard: Shard, seed: UInt64 = 21, iterations: Int = 45) async -> FuzzSummary {
    await Fuzzer(
        FuzzConfiguration(
            seed: seed, iterations: iterations, jobs: 2, distribution: smallCases, shard: shard,
            implementation: missingOneOverM.onlyWhereItApplies, shrink: false)
    ).run()
}

private func shards(of count: Int, seed: UInt64 = 21, iterations: Int = 45) async -> [(source: String, summary: FuzzSummary)] {
    var all: [(source: String, summary: FuzzSummary)] = []
    for k in 1...count { all.append(("shard-\(k).json", await run(Shard(index: k, count: count), seed: seed, iterations: iterations))) }
    return all
}

@Test func threeShardsMergedAreTheUnshardedRunApartFromTheTimings() async throws {
    let whole = await run(.whole)
    #expect(whole.failures > 5 && whole.declined > 0, "the run should fail and decline cases: \(whole.failures), \(whole.declined)")
    // Given in an order other than the shards': the merge must not depend on it.
    let parts = await shards(of: 3)
    let merged = try FuzzSummary.merging([parts[2], parts[0], parts[1]])
    #expect(
        untimed(merged) == untimed(whole),
        "merged \(merged.failures) failures, \(merged.entriesChecked) entries; whole \(whole.failures), \(whole.entriesChecked)")
    #expect(merged.failed.map(\.iteration) == whole.failed.map(\.iteration))
    #expect(merged.elapsedSeconds == parts.map(\.summary.elapsedSeconds).max())
}

@Test func theFindingsKeptAreTheLowestIterationsOfAllTheShards() throws {
    func finding(_ iteration: Int) -> FuzzSummary.Finding {
        FuzzSummary.Finding(iteration: iteration, layers: [1, 1], batch: 1, activations: [.identity], loss: .squaredError, message: "")
    }
    let configuration = FuzzConfiguration(seed: 1, iterations: 2 * FuzzSummary.findingsKept + 10)
    var parts: [(source: String, summary: FuzzSummary)] = []
    for k in 1...2 {
        var s = FuzzSummary(configuration: configuration, planned: configuration.iterations / 2)
        s.shard = Shard(index: k, count: 2)
        // Shard k ran iterations i ≡ k − 1 (mod 2), all failing; it kept its lowest.
        s.failed = stride(from: k - 1, to: 2 * FuzzSummary.findingsKept, by: 2).map(finding)
        s.failures = configuration.iterations / 2
        parts.append(("shard-\(k).json", s))
    }
    let merged = try FuzzSummary.merging(parts)
    #expect(merged.failed.map(\.iteration) == Array(0..<FuzzSummary.findingsKept))
    #expect(merged.failures == configuration.iterations)
}

@Test func summariesOfDifferentRunsAreRefusedSayingWhatDiffers() async throws {
    let a = await run(Shard(index: 1, count: 2), seed: 1, iterations: 6)
    let b = await run(Shard(index: 2, count: 2), seed: 2, iterations: 6)
    #expect {
        try FuzzSummary.merging([("a.json", a), ("b.json", b)])
    } throws: { error in
        let text = (error as? ShardMergeError)?.description ?? ""
        return text.contains("b.json is not a shard of the same run as a.json") && text.contains("seed 2, not 1") && !text.contains("\n")
    }
    var otherIterations = b
    otherIterations.seed = 1
    otherIterations.totalIterations = 7
    #expect(throws: ShardMergeError.self) { try FuzzSummary.merging([("a.json", a), ("b.json", otherIterations)]) }
    var otherTolerance = b
    otherTolerance.seed = 1
    otherTolerance.tolerance = .float32
    #expect(throws: ShardMergeError.self) { try FuzzSummary.merging([("a.json", a), ("b.json", otherTolerance)]) }
}

@Test func aDuplicateShardIsRefusedAndAMissingOneUnlessPartialIsAllowed() async throws {
    let parts = await shards(of: 3, iterations: 9)
    #expect {
        try FuzzSummary.merging([parts[0], parts[1], ("again.json", parts[1].summary), parts[2]])
    } throws: { error in
        (error as? ShardMergeError)?.description.contains("shard-2.json and again.json are both shard 2/3") == true
    }
    #expect {
        try FuzzSummary.merging([parts[0], parts[2]])
    } throws: { error in
        (error as? ShardMergeError)?.description.contains("shard 2/3 of the run is missing") == true
    }
    let partial = try FuzzSummary.merging([parts[0], parts[2]], allowPartial: true)
    #expect(partial.mergedShards == [Shard(index: 1, count: 3), Shard(index: 3, count: 3)])
    #expect(partial.iterationsRun == parts[0].summary.iterationsRun + parts[2].summary.iterationsRun)
    #expect(partial.iterationsPlanned == 6)
    // A partial merge is not a shard: merging it again would count its shards twice.
    #expect(throws: ShardMergeError.self) { try FuzzSummary.merging([("partial.json", partial), parts[1]]) }
}
