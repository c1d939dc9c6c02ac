import GradFuzzCore
import GradFuzzFixtures
import GradFuzzFuzzing
import GradFuzzJudging

/// A short, seeded fuzz of the family against a program, run by `gradfuzz validate` after the
/// fixtures: mistakes no catalogue holds (a sum over the wrong axis, a softmax that overflows, a
/// cost that is infinite at saturation) fail too. The first failing case is shrunk to the smallest
/// that fails the same way and judged as a fixture, so that it is shown as any failure is.
///
/// Cases are drawn as `gradfuzz fuzz` draws them (depth ≤ 6, widths ≤ 24, batch ≤ 8 where the family
/// has no limit, scales across orders of magnitude): a few hundred take a second or two for a numpy
/// program, and reach what an exam's small, well-conditioned fixtures do not (saturation, depth).
public struct FamilyFuzz: Sendable {
    public var family: Family
    public var seed: UInt64
    public var cases: Int

    public static let defaultCases = 300
    public static let defaultSeed: UInt64 = 1

    public init(family: Family, seed: UInt64 = defaultSeed, cases: Int = defaultCases) {
        self.family = family
        self.seed = seed
        self.cases = cases
    }

    public struct Result: Sendable {
        public var seed: UInt64
        public var planned: Int
        /// Cases answered and judged (a failing one included).
        public var checked = 0
        /// Cases the program declined as unsupported.
        public var unsupported = 0
        /// The first failing case, shrunk and judged against the reference as a fixture.
        public var failure: FixtureResult?
        /// Why the fuzz stopped early without a wrong answer: the program failed to answer.
        public var stoppedBecause: String?

        /// "fuzz of the family (seed 1): 200 cases, all right".
        public var summary: String {
            var text = "fuzz of the family (seed \(seed)): "
            if let failure {
                text += "\(failure.id) failed after \(checked - 1) right; shown shrunk above"
            } else if let stoppedBecause {
                text += "stopped after \(checked) cases: \(stoppedBecause)"
            } else {
                text += "\(checked) case\(checked == 1 ? "" : "s"), all right"
            }
            if unsupported > 0 { text += " (\(unsupported) declined as unsupported)" }
            return text
        }
    }

    func run(_ implementation: some BackpropImplementation, options: Validation.Options, stop: StopSignal) async -> Result {
        var result = Result(seed: seed, planned: cases)
        let fuzzer = Fuzzer(
            FuzzConfiguration(
                seed: seed, iterations: cases, jobs: 1, distribution: Distribution(family: family), implementation: implementation,
                tolerance: options.runTolerance, cost: options.cost))
        for i in 0..<cases where !stop.raised {
            let problem = fuzzer.generator.problem(iteration: i)
            let check = await fuzzer.check(problem)
            switch check {
            case .unanswered: result.unsupported += 1
            case .oracleUnusable: continue
            case .notRun(let why), .programError(let why, _):
                result.stoppedBecause = why
                return result
            case .verdict, .malformed:
                result.checked += 1
                guard check.failed else { continue }
                let minimal = await fuzzer.shrunk(problem, stop: stop)
                let shape = { (p: Problem) in "layers \(p.network.layers), batch \(p.batchSize)" }
                // The id is sent to the program: it never holds the seed, from which an autograder's exam is drawn.
                let fixture = Fixture(
                    id: "fuzz-case-\(i)",
                    description: "case \(i) of the family drawn by the fuzzer (seed \(seed)), \(shape(problem)), shrunk to \(shape(minimal))",
                    origin: Fixture.Origin(kind: "fuzz", seed: seed, iteration: i, unshrunkLayers: problem.network.layers, unshrunkBatch: problem.batchSize),
                    problem: minimal, oracle: nil, tolerance: options.runTolerance)
                let judged = await Validation.check(
                    Validation.Case(fixture: fixture, file: "fuzz seed \(seed)/case \(i) (shrunk)"), implementation: implementation, options: options)
                // Wrong against the oracle, yet within the tolerance of the reference's values: not shown as a failure.
                if judged.result.outcome == .pass { continue }
                result.failure = judged.result
                return result
            }
        }
        return result
    }
}
