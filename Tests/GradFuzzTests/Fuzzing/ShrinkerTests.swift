import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle
import Testing

@testable import GradFuzzFuzzing

@Test func aMissingOneOverMShrinksToATinyCaseThatStillFailsOnReplay() async throws {
    let out = try temporaryDirectory("shrinker")
    defer { try? FileManager.default.removeItem(at: out) }
    let fuzzer = Fuzzer(
        FuzzConfiguration(
            seed: 1, iterations: 50, jobs: 1, outDirectory: out, implementation: missingOneOverM,
            replayCommand: { "gradfuzz replay \($0) --mutant no_one_over_m" }))
    // The first case big enough to matter: depth ≥ 3 and batch ≥ 3, so that shrinking has work to do.
    let iteration = try #require(
        (0..<200).first { i in
            let p = fuzzer.generator.problem(iteration: i)
            return p.network.depth >= 3 && p.batchSize >= 3
        })
    let outcome = await fuzzer.run(iteration: iteration)
    #expect(outcome.check.failed)
    let url = try fuzzer.write(try #require(outcome.candidate)).get()
    let fixture = try Fixture.read(from: url)
    let shrunk = fixture.problem
    #expect(shrunk.network.depth <= 2, "depth \(shrunk.network.depth)")
    #expect(shrunk.network.layers.allSatisfy { $0 <= 2 }, "widths \(shrunk.network.layers)")
    #expect(shrunk.batchSize <= 2, "batch \(shrunk.batchSize)")
    #expect(await fuzzer.check(shrunk).failed, "the shrunk case no longer fails the wrong implementation")
    let reference = Verdict(answer: Reference.backprop(shrunk).answer, oracle: Oracle().differentiate(shrunk))
    #expect(reference.passed, "the reference fails the shrunk case: \(reference.matrices.flatMap(\.failures).first.map(String.init(describing:)) ?? "")")
    #expect(fixture.origin.kind == "fuzz" && fixture.origin.seed == 1 && fixture.origin.iteration == iteration)
    #expect(fixture.origin.unshrunkLayers == outcome.problem.network.layers && fixture.origin.unshrunkBatch == outcome.problem.batchSize)
    #expect(fixture.origin.implementation == "no_one_over_m")
    #expect(fixture.origin.command == "gradfuzz replay \(url.relativePath) --mutant no_one_over_m")
    #expect(url.lastPathComponent == "fuzz-\(FixtureStore.contentHash(shrunk)).json")
}

@Test func simplerNumbersComeSimplestFirst() {
    let small: [Double] = [1, -1, 2, -2, 3, -3, 4, -4, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5]
    // Small integers, then halves, then fewer significant digits; 0 only where a field allows it.
    #expect(Shrinker.simplerValues(than: 0.3141) == [0] + small + [0.3, 0.31, 0.314])
    #expect(Shrinker.simplerValues(than: 0.3141, allowingZero: false) == small + [0.3, 0.31, 0.314])
    #expect(Shrinker.simplerValues(than: -12.75) == [0] + small + [-13, -10, -12.8])
    #expect(Shrinker.simplerValues(than: 2.5) == [0] + small.prefix(12))
    #expect(Shrinker.simplerValues(than: 1) == [0])
    #expect(Shrinker.simplerValues(than: 0) == [])
    #expect(Shrinker.simplerValues(than: -0.3).allSatisfy { $0.sign == .plus || $0 != 0 }, "no −0.0")
    #expect(Shrinker.significantDigits(1200) == 2 && Shrinker.significantDigits(0.25) == 2 && Shrinker.significantDigits(1e-7) == 1)
    // A whole field at once: distinct small values, each with its number's sign.
    #expect(Shrinker.simpleValues(like: [0.31, -7.2, 0.02, -0.4, 5]) == [1, -1, 2, -2, 3])
}

@Test func shrinkingKeepsOnlyValidFailingCandidates() async {
    // A made-up failure: "fails" while some layer has width ≥ 3. The minimal case has exactly one such layer.
    let start = CaseGenerator(seed: 4, distribution: Distribution(depth: 4...4, width: 5...8, batch: 4...6)).problem(iteration: 0)
    let shrunk = await Shrinker { p in p.network.layers.contains { $0 >= 3 } }.shrink(start)
    #expect(shrunk.network.depth == 1 && shrunk.batchSize == 1, "got layers \(shrunk.network.layers), batch \(shrunk.batchSize)")
    #expect(shrunk.network.layers.sorted() == [1, 3], "got layers \(shrunk.network.layers)")
    #expect(shrunk.isFuzzable(kinkMargin: Distribution().kinkMargin))
}
