import GradFuzzCore
import GradFuzzMutants
import GradFuzzFixtures
import GradFuzzOracle
/// What a fuzzing run found, as printed at its end and written by --json.
///
/// Every count is a sum over cases, and the lists keep the lowest iterations, so the summary of a
/// run is the same for any --jobs (apart from `elapsedSeconds`).
public struct FuzzSummary: Codable, Equatable, Sendable {
    /// One pair of the coverage table: cases whose network has `activation` in some layer and
    /// whose loss is `loss`; how many of them failed.
    public struct Coverage: Codable, Equatable, Sendable {
        public var activation: Activation
        public var loss: Loss
        public var exercised: Int
        public var failed: Int
    }

    /// A failing (or unanswered) case.
    public struct Finding: Codable, Equatable, Sendable {
        public var iteration: Int
        public var layers: [Int]
        public var batch: Int
        public var activations: [Activation]
        public var loss: Loss
        /// The first wrong entry, or why there was no answer.
        public var message: String
        public var shrunkLayers: [Int]?
        public var shrunkBatch: Int?
        /// The fixture written for it.
        public var fixture: String?
        /// Why no fixture could be written.
        public var fixtureError: String?
    }

    /// How many findings of each kind are kept (the lowest iterations): memory stays flat.
    public static let findingsKept = 200

    public var seed: UInt64
    public var implementation: String
    public var distribution: Distribution
    public var shard: Shard
    public var iterationsPlanned: Int
    public var iterationsRun = 0
    public var interrupted = false
    /// Why the run stopped before its end by itself (a program that never answered), if it did.
    public var stoppedBecause: String?
    /// Index d: how many networks had depth d (index 0 is unused).
    public var networksByDepth: [Int]
    /// Index w: how many layers (m_0 … m_L of every network) had width w (index 0 is unused).
    public var layersByWidth: [Int]
    public var entriesChecked = 0
    public var entriesNotCheckableAtKinks = 0
    /// Cases that failed.
    public var failures = 0
    /// Entries that failed, over all failing cases.
    public var failingEntries = 0
    /// Cases the implementation did not answer.
    public var unanswered = 0
    /// Cases where the oracle had no finite value for some entry (an oracle limit, reported).
    public var oracleUnusable = 0
    public var coverage: [Coverage]
    public var failed: [Finding] = []
    public var unansweredCases: [Finding] = []
    public var oracleUnusableCases: [Finding] = []
    /// The fixtures written, by path.
    public var fixtures: [String] = []
    public var elapsedSeconds = 0.0

    public init(configuration: FuzzConfiguration, planned: Int) {
        seed = configuration.seed
        implementation = configuration.implementation.name
        distribution = configuration.distribution
        shard = configuration.shard
        iterationsPlanned = planned
        networksByDepth = Array(repeating: 0, count: configuration.distribution.depth.upperBound + 1)
        layersByWidth = Array(repeating: 0, count: configuration.distribution.width.upperBound + 1)
        coverage = Activation.allCases.flatMap { f in Loss.allCases.map { Coverage(activation: f, loss: $0, exercised: 0, failed: 0) } }
    }

    /// Cases per second.
    public var casesPerSecond = 0.0

    var elapsed: Double {
        get { elapsedSeconds }
        set {
            elapsedSeconds = newValue
            casesPerSecond = newValue > 0 ? Double(iterationsRun) / newValue : 0
        }
    }

    /// The exit status of the run: 1 when something failed, else 0.
    public var passed: Bool { failures == 0 }

    /// Folds one case in.
    mutating func add(_ outcome: CaseOutcome) {
        iterationsRun += 1
        let net = outcome.problem.network
        if net.depth < networksByDepth.count { networksByDepth[net.depth] += 1 }
        for width in net.layers where width < layersByWidth.count { layersByWidth[width] += 1 }
        let failedCase = outcome.check.failed
        let present = Set(net.activations)
        for (t, cell) in coverage.enumerated() where cell.loss == outcome.problem.loss && present.contains(cell.activation) {
            coverage[t].exercised += 1
            if failedCase { coverage[t].failed += 1 }
        }
        var unansweredCase = false, oracleCase = false
        switch outcome.check {
        case .verdict(let v):
            entriesChecked += v.checked
            entriesNotCheckableAtKinks += v.kinks
            failingEntries += v.failureCount
        case .malformed, .programError, .notRun: break
        case .unanswered:
            unanswered += 1
            unansweredCase = true
        case .oracleUnusable:
            oracleUnusable += 1
            oracleCase = true
        }
        if failedCase { failures += 1 }
        guard failedCase || unansweredCase || oracleCase else { return }
        var finding = Finding(iteration: outcome.iteration, layers: net.layers, batch: outcome.problem.batchSize,
                              activations: net.activations, loss: outcome.problem.loss, message: outcome.check.headline ?? "",
                              shrunkLayers: outcome.shrunkLayers, shrunkBatch: outcome.shrunkBatch)
        switch outcome.fixture {
        case .success(let url)?:
            finding.fixture = url.relativePath
            if !fixtures.contains(url.relativePath) { fixtures.append(url.relativePath) }
        case .failure(let error)?: finding.fixtureError = error.description
        case nil: break
        }
        if failedCase {
            Self.keep(finding, in: &failed)
        } else if oracleCase {
            Self.keep(finding, in: &oracleUnusableCases)
        } else {
            Self.keep(finding, in: &unansweredCases)
        }
    }

    /// Keeps the `findingsKept` lowest iterations, sorted.
    private static func keep(_ finding: Finding, in list: inout [Finding]) {
        let at = list.firstIndex { $0.iteration > finding.iteration } ?? list.endIndex
        list.insert(finding, at: at)
        if list.count > findingsKept { list.removeLast() }
    }

    /// Puts the lists in an order that does not depend on the order cases finished in.
    mutating func finish() {
        fixtures.sort()
    }
}
