import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle

/// What a fuzzing run found, as printed at its end and written by --json.
///
/// Every count is a sum over cases, and the lists keep the lowest iterations, so the summary of a
/// run is the same for any --jobs (apart from the timings `elapsedSeconds` and `shrinkingSeconds`).
public struct FuzzSummary: Codable, Equatable, Sendable {
    /// One pair of the coverage table: cases whose network has `activation` in some layer and
    /// whose loss is `loss`; how many of them were checked (answered and judged), how many of
    /// those failed, and how many the implementation declined.
    public struct Coverage: Codable, Equatable, Sendable {
        public var activation: Activation
        public var loss: Loss
        public var checked: Int
        public var failed: Int
        public var declined: Int

        /// Whether some case of the pair was asked.
        var seen: Bool { checked > 0 || declined > 0 }
    }

    /// A failing (or declined, or erroneous) case.
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
        /// The candidates the shrinker checked for it.
        public var shrinkCandidatesChecked: Int?
        /// The id of the fixture it shrank to (a hash of the shrunk problem), whether written or not:
        /// cases with the same one shrank to the same fixture.
        public var shrunkTo: String?
        /// Its kind of mistake (`MistakeKind`), of which a few fixtures are written.
        public var kind: String?
        /// The likely mistakes behind the failing answer (of the shrunk case), as validate says them.
        public var diagnosis: [String]?
        /// The fixture written for it.
        public var fixture: String?
        /// Why no fixture could be written.
        public var fixtureError: String?
        /// For an error: what the program wrote on stderr before it failed (a traceback).
        public var errorOutput: String?
    }

    /// How many findings of each kind are kept (the lowest iterations): memory stays flat.
    public static let findingsKept = 200

    public var seed: UInt64
    public var implementation: String
    public var distribution: Distribution
    public var shard: Shard
    /// The shards merged into this summary when they are not all of the run's (`merge
    /// --allow-partial`); nil for a run, a shard, or all the shards of a run merged.
    public var mergedShards: [Shard]?
    /// Iterations of the whole run, over all shards (--iters).
    public var totalIterations: Int
    /// Iterations of this shard (of the whole run when it is not sharded).
    public var iterationsPlanned: Int
    /// The tolerance answers were judged with.
    public var tolerance: Tolerance
    /// Whether failing cases were shrunk before they were written.
    public var shrink: Bool
    public var iterationsRun = 0
    public var interrupted = false
    /// Why the run stopped before its end by itself (a program that never answered, or that
    /// failed on every request), if it did.
    public var stoppedBecause: String?
    /// Whether the run gave up on the program: it failed on `Fuzzer.consecutiveErrorLimit`
    /// requests in a row, or never answered at all.
    public var stoppedOnErrors = false
    /// Index d: how many networks had depth d (index 0 is unused).
    public var networksByDepth: [Int]
    /// Index w: how many layers (m_0 … m_L of every network) had width w (index 0 is unused).
    public var layersByWidth: [Int]
    public var entriesChecked = 0
    public var entriesNotCheckableAtKinks = 0
    /// Cases whose answer was judged: passed + failures.
    public var checked = 0
    /// Cases whose answer passed.
    public var passed = 0
    /// Cases that failed: a wrong answer, or one of the wrong shape.
    public var failures = 0
    /// Cases where the program misbehaved instead of answering (crashed, broke the protocol):
    /// neither passed nor failed, and never written as fixtures.
    public var errors = 0
    /// Entries that failed, over all failing cases.
    public var failingEntries = 0
    /// Cases the implementation declined (a student's {"error": …}): neither passed nor failed.
    public var declined = 0
    /// Declined cases by loss, and by activation (in some layer), by name.
    public var declinedByLoss: [String: Int] = [:]
    public var declinedByActivation: [String: Int] = [:]
    /// Cases where the oracle had no finite value for some entry (an oracle limit, reported).
    public var oracleUnusable = 0
    public var coverage: [Coverage]
    public var failed: [Finding] = []
    public var declinedCases: [Finding] = []
    public var oracleUnusableCases: [Finding] = []
    public var errorCases: [Finding] = []
    /// The fixtures written, by path.
    public var fixtures: [String] = []
    /// Failing cases whose fixture was not written, and how many distinct fixtures they shrank to:
    /// at most `FixtureQuota.perKind` are written of each kind of mistake.
    /// After a merge of shards: fixtures the shards wrote beyond the run's few of each kind of
    /// mistake: files the unsharded run would not have written (nil when there are none).
    public var beyondQuota: [String]?
    public var casesNotWritten = 0
    public var fixturesNotWritten = 0
    public var elapsedSeconds = 0.0
    /// Failing cases shrunk, the candidates the shrinker checked for them (each an answer and an
    /// oracle's), and the time spent shrinking them (summed over cases, not wall time with --jobs > 1).
    public var casesShrunk = 0
    public var shrinkCandidatesChecked = 0
    public var shrinkingSeconds = 0.0

    public init(configuration: FuzzConfiguration, planned: Int) {
        seed = configuration.seed
        implementation = configuration.implementation.name
        distribution = configuration.distribution
        shard = configuration.shard
        totalIterations = configuration.iterations
        iterationsPlanned = planned
        tolerance = configuration.tolerance
        shrink = configuration.shrink
        networksByDepth = Array(repeating: 0, count: configuration.distribution.depth.upperBound + 1)
        layersByWidth = Array(repeating: 0, count: configuration.distribution.width.upperBound + 1)
        coverage = Activation.allCases.flatMap { f in Loss.allCases.map { Coverage(activation: f, loss: $0, checked: 0, failed: 0, declined: 0) } }
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

    /// Whether no case failed.
    public var noFailures: Bool { failures == 0 }

    /// The failing cases kept, those that shrank to the same fixture together (written or not),
    /// each group in order of its lowest iteration.
    public var failingGroups: [[Finding]] {
        var groups: [[Finding]] = [], index: [String: Int] = [:]
        for finding in failed {
            guard let id = finding.shrunkTo else {
                groups.append([finding])
                continue
            }
            if let at = index[id] {
                groups[at].append(finding)
            } else {
                index[id] = groups.count
                groups.append([finding])
            }
        }
        return groups
    }

    /// The rows of the coverage table: the activations the family draws (in any layer), and any
    /// other that a case had. Every activation when the family is not stated.
    public var coverageActivations: [Activation] {
        let drawn = distribution.family.anyLayerActivations
        return Activation.allCases.filter { f in drawn.contains(f) || coverage.contains { $0.activation == f && $0.seen } }
    }

    /// The columns of the coverage table: the losses the family draws, and any other that a case had.
    public var coverageLosses: [Loss] {
        let drawn = distribution.family.drawableLosses
        return Loss.allCases.filter { loss in drawn.contains(loss) || coverage.contains { $0.loss == loss && $0.seen } }
    }

    /// The share of the cases run that the implementation answered (checked or failed), 0…1.
    public var answeredFraction: Double {
        let asked = checked + declined
        return asked == 0 ? 0 : Double(checked) / Double(asked)
    }

    /// What the implementation declined, most often first: "loss hinge 30, huber 28; activation elu 40, gelu 38".
    public var declinedDescription: String {
        func top(_ counts: [String: Int]) -> String {
            counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(6).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        var parts: [String] = []
        if !declinedByLoss.isEmpty { parts.append("by loss: " + top(declinedByLoss)) }
        if !declinedByActivation.isEmpty { parts.append("by activation (in some layer): " + top(declinedByActivation)) }
        if let first = declinedCases.first { parts.append("first, iteration \(first.iteration): \(first.message)") }
        return parts.joined(separator: "; ")
    }

    /// The options that state a family, for a run whose cases were declined.
    public static let familyAdvice =
        "state the family the program supports so that the fuzzer draws only from it: "
        + "--family NAME, or --hidden-activations, --output-activations, --losses, --labels, --outputs, "
        + "--min-depth/--max-depth, --min-width/--max-width, --min-batch/--max-batch (gradfuzz fuzz --help)"

    /// Why the run checked nothing, or nil when it checked something (or ran no case).
    public var nothingChecked: String? {
        guard checked == 0, iterationsRun > 0 else { return nil }
        if errors > 0, let first = errorCases.first {
            return "no case was checked: \(implementation) failed on \(errors) of the \(iterationsRun) requests without an answer "
                + "to judge (first, iteration \(first.iteration): \(first.message))"
        }
        if declined == 0 {
            return "no case was checked: the oracle had no finite value for any of the \(iterationsRun) cases"
        }
        return "no case was checked: \(implementation) declined \(declined) of the \(iterationsRun) cases (\(declinedDescription)); "
            + Self.familyAdvice
    }

    /// A note for a run in which most cases were declined, or nil.
    public var mostlyDeclined: String? {
        guard checked > 0, declined > checked else { return nil }
        let total = checked + declined, permille = (1000 * declined + total / 2) / total
        return "most cases were declined: \(declined) of \(total) (\(permille / 10).\(permille % 10) %), so the checks cover only the other "
            + "\(checked) (\(declinedDescription)); " + Self.familyAdvice
    }

    /// Folds one case in.
    mutating func add(_ outcome: CaseOutcome) {
        iterationsRun += 1
        let net = outcome.problem.network
        if net.depth < networksByDepth.count { networksByDepth[net.depth] += 1 }
        for width in net.layers where width < layersByWidth.count { layersByWidth[width] += 1 }
        let failedCase = outcome.check.failed, errorCase = outcome.check.isError
        var declinedCase = false, oracleCase = false
        switch outcome.check {
        case .verdict(let v):
            entriesChecked += v.checked
            entriesNotCheckableAtKinks += v.kinks
            failingEntries += v.failureCount
        case .malformed, .programError, .notRun: break
        case .unanswered:
            declined += 1
            declinedCase = true
            declinedByLoss[outcome.problem.loss.rawValue, default: 0] += 1
            for f in Set(net.activations) { declinedByActivation[f.rawValue, default: 0] += 1 }
        case .oracleUnusable:
            oracleUnusable += 1
            oracleCase = true
        }
        if errorCase { errors += 1 }
        let checkedCase = !declinedCase && !oracleCase && !errorCase
        if checkedCase {
            checked += 1
            if failedCase { failures += 1 } else { passed += 1 }
        }
        let present = Set(net.activations)
        for (t, cell) in coverage.enumerated() where cell.loss == outcome.problem.loss && present.contains(cell.activation) {
            if checkedCase { coverage[t].checked += 1 }
            if failedCase { coverage[t].failed += 1 }
            if declinedCase { coverage[t].declined += 1 }
        }
        if let candidates = outcome.shrinkCandidatesChecked {
            casesShrunk += 1
            shrinkCandidatesChecked += candidates
            shrinkingSeconds += outcome.shrinkSeconds ?? 0
        }
        guard failedCase || declinedCase || oracleCase || errorCase else { return }
        var finding = Finding(
            iteration: outcome.iteration, layers: net.layers, batch: outcome.problem.batchSize,
            activations: net.activations, loss: outcome.problem.loss, message: Self.message(outcome.check),
            shrunkLayers: outcome.shrunkLayers, shrunkBatch: outcome.shrunkBatch, shrinkCandidatesChecked: outcome.shrinkCandidatesChecked,
            shrunkTo: outcome.candidate?.id, kind: outcome.candidate?.kind.description,
            diagnosis: outcome.diagnosis.isEmpty ? nil : outcome.diagnosis)
        switch outcome.fixture {
        case .success(let url)?:
            finding.fixture = url.relativePath
            if !fixtures.contains(url.relativePath) { fixtures.append(url.relativePath) }
        case .failure(let error)?: finding.fixtureError = error.description
        case nil: break
        }
        if case .programError(_, let output) = outcome.check, !output.isEmpty { finding.errorOutput = output }
        if failedCase {
            Self.keep(finding, in: &failed)
        } else if errorCase {
            Self.keep(finding, in: &errorCases)
        } else if oracleCase {
            Self.keep(finding, in: &oracleUnusableCases)
        } else {
            Self.keep(finding, in: &declinedCases)
        }
    }

    /// The first wrong entry, what was wrong with the answer, or (declined) the program's own words.
    static func message(_ check: CaseCheck) -> String {
        if case .unanswered(let why) = check { return why }
        return check.headline ?? ""
    }

    /// Keeps the `findingsKept` lowest iterations, sorted.
    static func keep(_ finding: Finding, in list: inout [Finding]) {
        let at = list.firstIndex { $0.iteration > finding.iteration } ?? list.endIndex
        list.insert(finding, at: at)
        if list.count > findingsKept { list.removeLast() }
    }

    /// The fixtures of the run, written or not (`FixtureQuota`), set on the failing cases.
    mutating func record(_ quota: FixtureQuota) {
        let written = quota.written
        for (index, finding) in failed.enumerated() {
            guard let id = finding.shrunkTo, finding.fixtureError == nil else { continue }
            switch written[id] {
            case .success(let url)?: failed[index].fixture = url.relativePath
            case .failure(let error)?: failed[index].fixtureError = error.description
            case nil: failed[index].fixtureError = "not written: \(FixtureQuota.perKind) fixtures of its kind of mistake are written already"
            }
        }
        for case .success(let url) in written.values where !fixtures.contains(url.relativePath) { fixtures.append(url.relativePath) }
        (casesNotWritten, fixturesNotWritten) = quota.notWritten
    }

    /// Puts the lists in an order that does not depend on the order cases finished in.
    mutating func finish() {
        fixtures.sort()
    }
}
