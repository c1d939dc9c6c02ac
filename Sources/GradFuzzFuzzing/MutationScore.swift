import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle

/// How one catalogued mistake fared: whether the fuzzer killed it, how soon, the shrunk failing
/// case, and the curated fixtures that catch it.
public struct MutantResult: Codable, Equatable, Sendable {
    public var mutant: String
    /// Whether the fuzzer found a failing case within the budget.
    public var killed: Bool
    /// Iterations drawn up to and including the first failing case (nil when not killed).
    public var iterationsToFirstFailure: Int?
    /// The first failing case as drawn: layer sizes and batch size.
    public var drawnLayers: [Int]?
    public var drawnBatch: Int?
    /// The shrunk failing case: layer sizes, batch size, activations and loss.
    public var shrunkLayers: [Int]?
    public var shrunkBatch: Int?
    public var shrunkActivations: [Activation]?
    public var shrunkLoss: Loss?
    /// The ids of the curated fixtures whose expected dW and db the mutant's answer fails.
    public var failedFixtures: [String]

    /// "[1, 2, 1] m=1 tanh,identity + squared_error".
    public var shrunkShape: String? {
        guard let layers = shrunkLayers, let batch = shrunkBatch else { return nil }
        let functions = (shrunkActivations ?? []).map(\.rawValue).joined(separator: ",")
        return "\(layers) m=\(batch) \(functions) + \(shrunkLoss?.rawValue ?? "?")"
    }
}

/// The mutation score: every catalogued mistake hunted by the fuzzer with a fixed seed and budget,
/// and laid against the curated fixtures.
///
/// A kill is a drawn case on which the mutant applies (its answer differs from the reference's)
/// and the fuzzer's verdict — the answer against the GSL oracle, entry by entry, with the fuzzer's
/// tolerance — fails while the reference's passes; so a case where the oracle itself cannot be
/// trusted never counts as a kill. The first kill is shrunk with the fuzzer's shrinker, keeping
/// only candidates that are still kills.
public struct MutationScore: Sendable {
    public var seed: UInt64
    /// The most cases drawn per mutant.
    public var budget: Int
    public var distribution: Distribution
    public var oracle: Oracle
    public var tolerance: Tolerance
    /// The most candidates the shrinker tries per kill.
    public var shrinkBudget: Int

    public init(
        seed: UInt64 = 1, budget: Int = 200, distribution: Distribution = Distribution(), oracle: Oracle = Oracle(),
        tolerance: Tolerance = .oracle, shrinkBudget: Int = 1000
    ) {
        self.seed = seed
        self.budget = budget
        self.distribution = distribution
        self.oracle = oracle
        self.tolerance = tolerance
        self.shrinkBudget = shrinkBudget
    }

    /// Hunts `mutant` and lays it against `fixtures`.
    public func run(_ mutant: Mutant, fixtures: [Fixture]) async -> MutantResult {
        var result = MutantResult(mutant: mutant.name, killed: false, failedFixtures: Self.fixturesFailed(by: mutant, fixtures))
        let generator = CaseGenerator(seed: seed, distribution: distribution)
        for iteration in 0..<budget {
            let problem = generator.problem(iteration: iteration)
            guard isKill(mutant, problem) else { continue }
            let shrinker = Shrinker(kinkMargin: distribution.kinkMargin, family: distribution.family, budget: shrinkBudget) { self.isKill(mutant, $0) }
            let shrunk = await shrinker.shrink(problem)
            result.killed = true
            result.iterationsToFirstFailure = iteration + 1
            result.drawnLayers = problem.network.layers
            result.drawnBatch = problem.batchSize
            result.shrunkLayers = shrunk.network.layers
            result.shrunkBatch = shrunk.batchSize
            result.shrunkActivations = shrunk.network.activations
            result.shrunkLoss = shrunk.loss
            break
        }
        return result
    }

    /// Whether `problem` kills `mutant`: the mutant applies, fails the oracle verdict, and the reference passes it.
    public func isKill(_ mutant: Mutant, _ problem: Problem) -> Bool {
        guard mutant.applies(to: problem) else { return false }
        let estimates = oracle.differentiate(problem, delta: false)
        let wrong = mutant.backprop(problem), right = Reference.backprop(problem).answer
        func verdict(_ answer: Answer) -> Verdict {
            Verdict(answer: Answer(dW: answer.dW, db: answer.db), oracle: estimates, tolerance: tolerance)
        }
        return !verdict(wrong).passed && verdict(right).passed
    }

    /// The ids of the fixtures on which the mutant's dW and db fail the fixture's expected values
    /// (Tolerance.float64): the fixtures that would catch a student who made this mistake.
    public static func fixturesFailed(by mutant: Mutant, _ fixtures: [Fixture]) -> [String] {
        fixtures.filter { fixture in
            let answer = mutant.backprop(fixture.problem)
            let expected = fixture.expected.answer
            return !Verdict(
                answer: Answer(dW: answer.dW, db: answer.db), expected: Answer(dW: expected.dW, db: expected.db),
                tolerance: .float64
            ).passed
        }.map(\.id)
    }
}
