import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzJudging
import GradFuzzMutants
import GradFuzzOracle

#if canImport(Glibc)
    import Glibc
#endif

/// Checking an implementation — a student's program or Swift type — against fixtures: every entry
/// of its dW and db (and its cost and delta when it sends them) against each fixture's expected
/// values, under the tolerance policy.
public enum Validation {
    /// What an answer is held against.
    public enum ExpectedValues: Sendable {
        /// The fixture's stored reference values, exact up to rounding (`gradfuzz validate`).
        case reference
        /// The GSL oracle, computed afresh with `jobs` threads, its error estimates allowed on top
        /// of the tolerance (`gradfuzz replay`).
        case oracle(Oracle, jobs: Int)
    }

    /// A fixture with the file it came from.
    public struct Case: Sendable {
        public var fixture: Fixture
        /// The file, as the user named it or as found under a directory they named.
        public var file: String

        public init(fixture: Fixture, file: String) {
            self.fixture = fixture
            self.file = file
        }
    }

    public struct Options: Sendable {
        /// The tolerance for every fixture; nil applies each fixture's own "tolerance".
        public var tolerance: Tolerance?
        /// Overrides of the tolerance's rtol and atol.
        public var rtol: Double?
        public var atol: Double?
        /// Only fixtures whose id or file matches: a glob (*, ?, [...]) or, without wildcards, a substring.
        public var only: String?
        /// The family the program supports: fixtures outside it are skipped and counted as outside
        /// the family, never as failures or unsupported.
        public var family: Family
        /// What answers are held against: each fixture's reference values, or a fresh GSL oracle.
        public var expected: ExpectedValues
        /// Whether the cost counts in the verdict.
        public var cost: CostCheck
        /// Whether a fixture storing a tolerance beyond `Tolerance.loosestAllowed` is read (and
        /// applied) rather than refused.
        public var allowsLooseTolerance: Bool

        public init(
            tolerance: Tolerance? = nil, rtol: Double? = nil, atol: Double? = nil, only: String? = nil,
            family: Family = .all, expected: ExpectedValues = .reference, cost: CostCheck = .compared,
            allowsLooseTolerance: Bool = false
        ) {
            self.tolerance = tolerance
            self.rtol = rtol
            self.atol = atol
            self.only = only
            self.family = family
            self.expected = expected
            self.cost = cost
            self.allowsLooseTolerance = allowsLooseTolerance
        }

        /// The tolerance of the run where no fixture states one: the preset (float64 by default) with the overrides.
        public var runTolerance: Tolerance { tolerance(over: .float64) }

        /// The tolerance applied to `fixture`.
        public func tolerance(for fixture: Fixture) -> Tolerance { tolerance(over: fixture.tolerance) }

        /// The preset given, or else `base`, with the rtol and atol overrides.
        func tolerance(over base: Tolerance) -> Tolerance {
            var t = tolerance ?? base
            if let rtol { t.rtol = rtol }
            if let atol { t.atol = atol }
            return t
        }

        public func selects(_ c: Case) -> Bool {
            guard let only, !only.isEmpty else { return true }
            if only.contains(where: { "*?[".contains($0) }) {
                return fnmatch(only, c.fixture.id, 0) == 0 || fnmatch(only, c.file, 0) == 0
                    || fnmatch(only, (c.file as NSString).lastPathComponent, 0) == 0
            }
            return c.fixture.id.contains(only) || c.file.contains(only)
        }
    }

    /// The fixture files named by `paths`: files as given, directories searched recursively for
    /// *.json, in a stable order. Says which path is missing or holds no fixture.
    public static func fixtureFiles(_ paths: [String]) throws(InputError) -> [String] {
        var files: [String] = []
        let here = FileManager.default.currentDirectoryPath + "/"
        for path in paths {
            let found = try Fixture.files(in: [path]).map { url in
                url.path.hasPrefix(here) ? String(url.path.dropFirst(here.count)) : url.path
            }
            guard !found.isEmpty else { throw InputError(field: "(path)", "no fixture files (*.json) here", file: path) }
            files += found
        }
        return files
    }

    /// Reads the fixture in `file` (a problem file is completed without its oracle); a stored
    /// tolerance beyond `Tolerance.loosestAllowed` is refused, naming the file and the field,
    /// unless `allowingLooseTolerance`.
    public static func read(_ file: URL, allowingLooseTolerance: Bool = false) throws(InputError) -> Fixture {
        let fixture = try Fixture.read(from: file, oracle: nil)
        if !allowingLooseTolerance, let beyond = fixture.tolerance.beyondAllowedRange {
            throw InputError(field: "tolerance.\(beyond.field)", "\(beyond.why); \(Tolerance.override)", file: file.path)
        }
        return fixture
    }

    /// Reads the fixtures of `paths` (`read`); every file that cannot be read is named with its problem.
    public static func load(_ paths: [String], allowingLooseTolerance: Bool = false) throws(InputError) -> [Case] {
        var cases: [Case] = [], problems: [String] = []
        for file in try fixtureFiles(paths) {
            do { cases.append(Case(fixture: try read(URL(fileURLWithPath: file), allowingLooseTolerance: allowingLooseTolerance), file: file)) } catch {
                problems.append(error.description)
            }
        }
        guard problems.isEmpty else {
            // The first on the first line: a one-line error printer shows it.
            let more = problems.count > 1 ? " (and \(problems.count - 1) more: " + problems.dropFirst().joined(separator: "; ") + ")" : ""
            throw InputError(
                field: "--fixtures", "\(problems.count) fixture file\(problems.count == 1 ? "" : "s") cannot be used: \(problems[0])\(more)")
        }
        return cases
    }

    /// Validates `implementation` on every selected case, in order, then runs `fuzz` (a failing case
    /// it finds, shrunk, is one more result); `progress` hears each result as it comes.
    /// Each fixture is asked as a request with its own id. An implementation that cannot be started
    /// is not retried, and the remaining fixtures report why. Once `stop` is raised no fixture
    /// starts: the fixture in progress finishes, and the rest are reported as not run.
    public static func run(
        _ cases: [Case], implementation: some BackpropImplementation, options: Options = Options(),
        stop: StopSignal = StopSignal(), fuzz: FamilyFuzz? = nil, starting: (@Sendable (Case, _ entries: Int) -> Void)? = nil,
        progress: (@Sendable (FixtureResult) -> Void)? = nil
    ) async -> ValidationReport {
        let clock = ContinuousClock(), started = clock.now
        var results: [FixtureResult] = [], outside: [OutsideFamily] = []
        var cannotStart: AnswerFailure?
        for c in cases where options.selects(c) {
            if stop.raised {
                results.append(FixtureResult(c, .notRun, summary: "not run: the run was interrupted before this fixture"))
                continue
            }
            if let why = options.family.whyOutside(c.fixture.problem) {
                outside.append(OutsideFamily(id: c.fixture.id, file: c.file, why: why))
                continue
            }
            var result: FixtureResult
            if let cannotStart {
                result = FixtureResult(c, .error, summary: cannotStart.message)
            } else {
                let checked = await check(c, implementation: implementation, options: options, starting: starting)
                result = checked.result
                if checked.failure?.kind == .cannotStart { cannotStart = checked.failure }
            }
            progress?(result)
            results.append(result)
        }
        var fuzzed: FamilyFuzz.Result?
        if let fuzz, cannotStart == nil, !stop.raised {
            let outcome = await fuzz.run(implementation, options: options, stop: stop)
            if let failure = outcome.failure {
                progress?(failure)
                results.append(failure)
            }
            fuzzed = outcome
        }
        await implementation.close()
        let passed = cases.filter { c in results.contains { $0.outcome == .pass && $0.id == c.fixture.id && $0.file == c.file } }
        var report = ValidationReport(
            implementation: implementation.name, results: results, outside: outside,
            mistakes: MistakeCoverage(
                family: options.family, passed: passed.map(\.fixture),
                tolerance: options.tolerance(for:)),
            seconds: (clock.now - started).seconds, cannotStart: cannotStart?.message,
            interrupted: results.contains { $0.outcome == .notRun })
        report.fuzz = fuzzed
        return report
    }

    /// Asks `implementation` for the case's answer and judges it; how it failed to answer, when it did not.
    static func check(
        _ c: Case, implementation: some BackpropImplementation, options: Options,
        starting: (@Sendable (Case, _ entries: Int) -> Void)? = nil
    ) async -> (result: FixtureResult, failure: AnswerFailure?) {
        let begin = ContinuousClock.now
        var result: FixtureResult, failure: AnswerFailure?
        do {
            let answer = try await implementation.backprop(c.fixture.problem, id: c.fixture.id)
            result = judge(answer, c, options: options, starting: starting)
            if result.outcome == .fail { result.stderrTail = await implementation.errorOutput() }
        } catch {
            failure = AnswerFailure(error)
            result = FixtureResult(c, failure!)
        }
        result.seconds = (ContinuousClock.now - begin).seconds
        return (result, failure)
    }

    /// An answer judged as `options` say, against the fixture's reference values or a fresh oracle
    /// (`starting` hears of the oracle's check first, with its number of entries).
    static func judge(
        _ answer: Answer, _ c: Case, options: Options, starting: (@Sendable (Case, _ entries: Int) -> Void)? = nil
    ) -> FixtureResult {
        let tolerance = options.tolerance(for: c.fixture), problem = c.fixture.problem
        guard case let .oracle(oracle, jobs) = options.expected, answer.shapeMismatch(for: problem) == nil else {
            return judge(answer, c, tolerance: tolerance, cost: options.cost)
        }
        let net = problem.network
        starting?(c, net.parameterCount + (answer.delta == nil ? 0 : problem.batchSize * net.layers.dropFirst().reduce(0, +)))
        let estimates = oracle.differentiate(problem, delta: answer.delta != nil, jobs: jobs)
        if let place = estimates.firstNonFinite {
            return FixtureResult(c, .error, summary: "not checked: the GSL oracle has no finite derivative (or error estimate) for \(place)")
        }
        return judge(answer, c, against: .oracle(estimates), tolerance: tolerance, cost: options.cost)
    }

    /// The verdict on one answer, explained: the first wrong layer, the worst entries, a map of each wrong matrix.
    public static func judge(
        _ answer: Answer, _ c: Case, against expectation: Expectation? = nil, tolerance: Tolerance, cost: CostCheck = .compared
    ) -> FixtureResult {
        let problem = c.fixture.problem
        let judgement = Judgement(answer, for: problem, against: expectation ?? .reference(c.fixture.expected), tolerance: tolerance, cost: cost)
        guard let verdict = judgement.verdict else { return FixtureResult(c, .fail, summary: judgement.malformed?.message ?? "") }
        var result = FixtureResult(c, judgement.outcome, summary: "")
        result.judgement = judgement
        let compared = answer.delta == nil ? "dW, db" : "dW, db, delta"
        let kinks = verdict.kinks > 0 ? " (\(verdict.kinks) not checkable at a kink)" : ""
        // A tolerance looser than its preset is said beside every verdict it decides.
        let loose = tolerance.loosenessNote.map { " (\($0))" } ?? ""
        if verdict.passed {
            result.summary = "\(verdict.checked) entries of \(compared) right" + (verdict.cost == nil ? "" : ", cost right") + kinks + loose
            return result
        }
        let wrong = verdict.failureCount
        var summary = "\(wrong) of \(verdict.checked) entries wrong"
        if let layer = verdict.firstWrongLayer {
            summary += "; first wrong layer: \(layer) of \(problem.network.depth) (your W[\(layer - 1)])"
            if answer.delta == nil {
                summary += " (by dW and db; send \"delta\" to locate it by the error signal)"
            } else {
                let deltaWrong = verdict.matrices.contains { $0.quantity == .delta && !$0.passed }
                summary += deltaWrong ? " (by delta)" : " (delta is right everywhere: dW or db is computed wrongly from it)"
            }
        }
        if !verdict.costPassed { summary = wrong == 0 ? "cost wrong, every gradient entry right" : summary + "; cost wrong too" }
        result.summary = summary + loose
        let findings = judgement.findings()
        result.findings = findings
        result.details = Diagnosis.describe(findings).map { "diagnosis: " + $0 } + explanation(verdict, answer: answer)
        return result
    }

    static func explanation(_ verdict: Verdict, answer: Answer) -> [String] {
        var lines: [String] = []
        if !verdict.costPassed, let cost = verdict.cost {
            lines.append("cost: expected \(cost.expected), got \(cost.got) — the forward pass or the loss differs")
        }
        let failing = verdict.matrices.filter { !$0.passed }
        let entries = failing.flatMap(\.failures)
        lines += hints(verdict)
        if !entries.isEmpty { lines.append("worst entries:") }
        for e in entries.sorted(by: { $0.severity > $1.severity }).prefix(5) {
            lines.append("  \(e.place): expected \(e.expected), got \(e.got)" + (e.got.isFinite ? " (|difference| \(e.error), allowed \(e.bound))" : ""))
        }
        for mv in failing {
            lines.append(mv.failureHeading)
            lines += mv.map().map { "  " + $0 }
        }
        return lines
    }

    /// What the failing entries suggest beyond the diagnosis: non-finite values, or mere rounding
    /// (validate and replay say it alike).
    static func hints(_ verdict: Verdict) -> [String] {
        let entries = verdict.matrices.filter { !$0.passed }.flatMap(\.failures)
        var lines: [String] = []
        if entries.contains(where: { !$0.got.isFinite }) {
            lines.append(
                "non-finite values: the program computed NaN or ±Infinity (JSON has no such numbers; look for a log of 0, a division by 0 or an overflowing exp)"
            )
        }
        if let hint = roundingHint(entries) { lines.append("hint: " + hint) }
        return lines
    }

    /// Whole-factor and sign mistakes are the diagnosis's to name; what is left is rounding.
    static func roundingHint(_ entries: [Entry]) -> String? {
        let relative = entries.map { $0.error / max(abs($0.expected), abs($0.got)) }
        guard !entries.isEmpty, relative.allSatisfy({ $0 < 1e-3 }) else { return nil }
        return "every wrong entry agrees to 3 or more significant digits: rounding, as in single precision? (--tolerance float32 accepts a float32 program)"
    }
}
