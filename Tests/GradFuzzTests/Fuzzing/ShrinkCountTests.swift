import Foundation
import GradFuzzCore
import Testing

@testable import GradFuzzFuzzing

@Test func theSummaryCountsTheCandidatesCheckedWhileShrinking() async throws {
    let out = try temporaryDirectory("shrink-count")
    defer { try? FileManager.default.removeItem(at: out) }
    func run(shrink: Bool) async -> FuzzSummary {
        await Fuzzer(
            FuzzConfiguration(
                seed: 5, iterations: 12, jobs: 2, distribution: smallCases, outDirectory: out, implementation: missingOneOverM,
                shrink: shrink)
        ).run()
    }
    let shrunk = await run(shrink: true)
    #expect(shrunk.failures > 3, "\(shrunk.failures) failures")
    // Every failing case is a wrong answer, so every one is shrunk, and every one drawn bigger than
    // the smallest case needs at least one check to learn that.
    #expect(shrunk.casesShrunk == shrunk.failures)
    #expect(shrunk.failed.allSatisfy { ($0.shrinkCandidatesChecked ?? 0) >= 1 })
    #expect(shrunk.shrinkCandidatesChecked == shrunk.failed.compactMap(\.shrinkCandidatesChecked).reduce(0, +))
    #expect(shrunk.shrinkingSeconds > 0)
    let unshrunk = await run(shrink: false)
    #expect(unshrunk.casesShrunk == 0 && unshrunk.shrinkCandidatesChecked == 0 && unshrunk.shrinkingSeconds == 0)
    #expect(unshrunk.failed.allSatisfy { $0.shrinkCandidatesChecked == nil })
}
