import Testing
@testable import GradFuzz

@Suite struct MutationScoreTests {
    /// The fuzzer, seed 1, kills every catalogued mistake within 200 drawn cases, and shrinks the kill.
    @Test(arguments: MutantCatalog.all.map(\.name))
    func theFuzzerKillsEveryMutant(_ name: String) async throws {
        let mutant = try #require(MutantCatalog.named(name))
        let score = MutationScore(seed: 1, budget: 200)
        let result = await score.run(mutant, fixtures: [])
        print("\(name): killed \(result.killed) after \(result.iterationsToFirstFailure.map(String.init) ?? "-") iterations, shrunk to \(result.shrunkShape ?? "-")")
        #expect(result.killed, "\(name) survives 200 fuzzed cases of seed 1")
        // Shrunk: no larger than drawn, in parameters and samples. (Mistakes that need equal widths,
        // m_{l−1} = m_l, stay as wide as the shrinker, which narrows one layer at a time, leaves them.)
        let (drawn, shrunk) = (try #require(result.drawnLayers), try #require(result.shrunkLayers))
        func size(_ layers: [Int], _ batch: Int?) -> Int { zip(layers, layers.dropFirst()).reduce(0) { $0 + ($1.0 + 1) * $1.1 } + (batch ?? 0) }
        #expect(size(shrunk, result.shrunkBatch) <= size(drawn, result.drawnBatch), "\(name): shrunk \(shrunk) from \(drawn)")
    }

    /// Mistakes no curated fixture catches yet, each with the fixture proposed to the curated set's owner.
    static let knownGaps = ["weights_off_by_one_layer"]

    /// The curated fixtures are a complete exam: every catalogued mistake fails at least one.
    @Test func everyMutantFailsACuratedFixture() throws {
        let fixtures = try curatedFixtures()
        #expect(fixtures.count >= 50)
        for mutant in MutantCatalog.all {
            let failed = MutationScore.fixturesFailed(by: mutant, fixtures)
            print("\(mutant.name): fails \(failed.count) of \(fixtures.count) curated fixtures")
            if Self.knownGaps.contains(mutant.name) {
                withKnownIssue("\(mutant.name) passes every curated fixture until 'equal-widths' is added", isIntermittent: true) {
                    #expect(!failed.isEmpty)
                }
            } else {
                #expect(!failed.isEmpty, "\(mutant.name) passes every curated fixture")
            }
        }
    }

    /// The fixture proposed for the curated set: three equal widths, where W^(l) and W^(l+1) share a
    /// shape. It catches the index and shape mistakes that only equal widths let through.
    static let equalWidths = CuratedFixtures.Recipe(
        id: "equal-widths",
        description: "four layers of 4 units: W^(l) and W^(l+1) share a shape, so a layer index off by one or a transposed dW goes unnoticed by shapes",
        layers: [4, 4, 4, 4], activations: [.tanh, .sigmoid, .identity], loss: .squaredError)

    @Test func theProposedEqualWidthsFixtureCatchesTheShapeMistakes() throws {
        let fixture = Fixture(id: Self.equalWidths.id, description: Self.equalWidths.description, origin: .curated,
                              problem: CuratedFixtures.problem(for: Self.equalWidths, seed: 84))
        for name in Self.knownGaps + ["activation_off_by_one_in_dw", "dw_transposed"] {
            let mutant = try #require(MutantCatalog.named(name))
            #expect(MutationScore.fixturesFailed(by: mutant, [fixture]) == ["equal-widths"], "\(name)")
        }
    }

    /// A correct implementation fails no curated fixture, so the test above can tell.
    @Test func theReferenceFailsNoCuratedFixture() throws {
        let unmutated = Mutant(name: "unmutated", mistake: "none", fix: "none", condition: "any", hooks: BackwardHooks(), appliesTo: { _ in true })
        #expect(MutationScore.fixturesFailed(by: unmutated, try curatedFixtures()).isEmpty)
    }
}
