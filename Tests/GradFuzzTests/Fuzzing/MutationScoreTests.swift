import GradFuzzCore
import GradFuzzMutants
import Testing

@testable import GradFuzzFuzzing

@Suite struct MutationScoreTests {
    /// The fuzzer, seed 1, kills every catalogued mistake within 200 drawn cases, and shrinks the kill.
    @Test(arguments: MutantCatalog.all.map(\.name))
    func theFuzzerKillsEveryMutant(_ name: String) async throws {
        let mutant = try #require(MutantCatalog.named(name))
        let score = MutationScore(seed: 1, budget: 200)
        let result = await score.run(mutant, fixtures: [])
        #expect(result.killed, "\(name) survives 200 fuzzed cases of seed 1")
        // Shrunk: no larger than drawn, in parameters and samples. (Mistakes that need equal widths,
        // m_{l−1} = m_l, stay as wide as the shrinker, which narrows one layer at a time, leaves them.)
        let (drawn, shrunk) = (try #require(result.drawnLayers), try #require(result.shrunkLayers))
        func size(_ layers: [Int], _ batch: Int?) -> Int { zip(layers, layers.dropFirst()).reduce(0) { $0 + ($1.0 + 1) * $1.1 } + (batch ?? 0) }
        #expect(size(shrunk, result.shrunkBatch) <= size(drawn, result.drawnBatch), "\(name): shrunk \(shrunk) from \(drawn)")
    }

    /// The curated fixtures are a complete exam: every catalogued mistake fails at least one.
    @Test func everyMutantFailsACuratedFixture() throws {
        let fixtures = try curatedFixtures()
        #expect(fixtures.count >= 50)
        for mutant in MutantCatalog.all {
            let failed = MutationScore.fixturesFailed(by: mutant, fixtures)
            #expect(!failed.isEmpty, "\(mutant.name) passes every curated fixture")
        }
        // Equal widths, where W^(l) and W^(l+1) share a shape, are what catches the index and shape mistakes.
        for name in ["weights_off_by_one_layer", "activation_off_by_one_in_dw", "dw_transposed"] {
            let mutant = try #require(MutantCatalog.named(name))
            #expect(MutationScore.fixturesFailed(by: mutant, fixtures).contains("equal-widths"), "\(name)")
        }
    }

    /// A correct implementation fails no curated fixture, so the test above can tell.
    @Test func theReferenceFailsNoCuratedFixture() throws {
        let unmutated = Mutant(name: "unmutated", mistake: "none", fix: "none", condition: "any", hooks: BackwardHooks(), appliesTo: { _ in true })
        #expect(MutationScore.fixturesFailed(by: unmutated, try curatedFixtures()).isEmpty)
    }
}
