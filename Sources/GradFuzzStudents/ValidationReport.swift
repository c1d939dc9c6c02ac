import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzJudging
import GradFuzzMutants

/// How one fixture went.
public struct FixtureResult: Sendable {
    public var id: String
    public var file: String
    public var description: String
    public var outcome: Outcome
    /// One line: what happened.
    public var summary: String
    /// For a failure: the hint, the worst entries and the maps of the wrong matrices.
    public var details: [String] = []
    /// The answer judged, for a fixture the implementation answered in the right shape.
    public var judgement: Judgement?
    public var verdict: Verdict? { judgement?.verdict }
    public var answer: Answer? { judgement?.answer }
    /// For a failure: the likely mistakes, best first (`Diagnosis.diagnose`).
    public var findings: [Finding] = []
    /// The last lines of what the program wrote to stderr while answering this fixture, for a failure or an error.
    public var stderrTail = ""
    /// The command that replays the fixture, when its origin says (a fuzzer's find).
    public var command: String?
    /// The fixture's problem, for reports that draw the network.
    public var problem: Problem?
    public var seconds = 0.0

    init(_ c: Validation.Case, _ outcome: Outcome, summary: String) {
        id = c.fixture.id
        file = c.file
        description = c.fixture.description
        self.outcome = outcome
        self.summary = summary
        command = c.fixture.origin.command
        problem = c.fixture.problem
    }

    /// A fixture the implementation gave no answer to compare for.
    init(_ c: Validation.Case, _ failure: AnswerFailure) {
        let outcome = Outcome(failure)
        self.init(c, outcome, summary: outcome == .unsupported ? "the program answered an error: \(failure.message)" : failure.message)
        stderrTail = failure.errorOutput
    }

    /// Everything a person needs to act on it: the summary, the details, and stderr.
    public var explanation: String {
        var lines = [summary] + details
        if !stderrTail.isEmpty {
            lines.append("stderr (last lines):")
            lines += stderrTail.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}

/// A fixture skipped because its problem is outside the family the program supports.
public struct OutsideFamily: Sendable {
    public var id: String
    public var file: String
    /// The first field that does not fit the family.
    public var why: String
}

/// Which catalogued mistakes the fixtures a program passed rule out: a mistake is ruled out when
/// some passed fixture fails it. The exam is complete when every mistake that can occur in the
/// family is ruled out.
public struct MistakeCoverage: Sendable {
    /// The mistakes that can occur in the family, in catalog order.
    public var applicable: [String]
    /// Those some passed fixture catches.
    public var ruledOut: [String]
    /// The mistakes that cannot occur in the family, with why.
    public var cannotOccur: [(mutant: String, why: String)]

    public init(family: Family, passed: [Fixture], tolerance: (Fixture) -> Tolerance) {
        var applicable: [Mutant] = [], cannot: [(String, String)] = []
        for mutant in MutantCatalog.all {
            if let why = mutant.whyCannotOccur(in: family) { cannot.append((mutant.name, why)) } else { applicable.append(mutant) }
        }
        self.applicable = applicable.map(\.name)
        cannotOccur = cannot
        let judged = passed.map { (fixture: $0, tolerance: tolerance($0), rounding: tolerance($0).programRounding(for: $0.problem)) }
        ruledOut = applicable.filter { mutant in
            judged.contains { f in
                mutant.meetsCondition(f.fixture.problem)
                    && !Verdict(
                        answer: mutant.backprop(f.fixture.problem), expected: f.fixture.expected.answer, tolerance: f.tolerance,
                        rounding: f.rounding
                    ).passed
            }
        }.map(\.name)
    }

    public var complete: Bool { ruledOut.count == applicable.count }
    public var missing: [String] { applicable.filter { !ruledOut.contains($0) } }

    /// "catalogued mistakes ruled out: 15 of the 15 that can occur in the family — a complete exam (8 cannot occur in it)".
    public var summary: String {
        var text = "catalogued mistakes ruled out: \(ruledOut.count) of the \(applicable.count) that can occur in the family"
        let named = missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? ", … \(missing.count - 5) more" : "")
        text += complete ? " — a complete exam" : " — incomplete: no passed fixture catches \(named)"
        if !cannotOccur.isEmpty { text += " (\(cannotOccur.count) cannot occur in it)" }
        return text
    }
}

/// The results of a validation run, with the totals and the exit status they mean.
public struct ValidationReport: Sendable {
    public var implementation: String
    /// The fixtures inside the family, in order.
    public var results: [FixtureResult]
    /// The fixtures skipped as outside the family.
    public var outside: [OutsideFamily] = []
    public var mistakes: MistakeCoverage?
    public var seconds: Double
    /// Why the program could not be started at all, when it could not.
    public var cannotStart: String?
    /// Whether the run was interrupted: the fixtures it did not reach are `notRun`.
    public var interrupted = false
    /// Files given as fixtures that could not be read (a replay goes on without them).
    public var unusable: [UnusableFile] = []
    /// The short fuzz of the family run after the fixtures, when one was.
    public var fuzz: FamilyFuzz.Result?

    public init(
        implementation: String, results: [FixtureResult], outside: [OutsideFamily] = [], mistakes: MistakeCoverage? = nil,
        seconds: Double, cannotStart: String? = nil, interrupted: Bool = false
    ) {
        self.implementation = implementation
        self.results = results
        self.outside = outside
        self.mistakes = mistakes
        self.seconds = seconds
        self.cannotStart = cannotStart
        self.interrupted = interrupted
    }

    public func count(_ outcome: Outcome) -> Int { results.count { $0.outcome == outcome } }

    public var allPassed: Bool { results.allSatisfy { $0.outcome == .pass } }

    /// 0 every fixture inside the family passed; 1 a fixture inside the family that was run did
    /// not pass; 2 the program could not be run at all, or no fixture is inside the family; 130
    /// interrupted (Ctrl-C) with every fixture run so far passing. Fixtures outside the family are
    /// skipped and do not count.
    public var exitCode: Int32 {
        if cannotStart != nil || results.isEmpty { return 2 }
        if results.contains(where: { $0.outcome != .pass && $0.outcome != .notRun }) { return 1 }
        return interrupted ? 130 : 0
    }

    /// "12 fixtures: 10 passed, 1 failed, 0 unsupported, 1 error, 3 outside the family (skipped) (3.2 s)",
    /// and how many were not run when the run was interrupted.
    public var summary: String {
        "\(results.count) fixture\(results.count == 1 ? "" : "s"): \(count(.pass)) passed, \(count(.fail)) failed, "
            + "\(count(.unsupported)) unsupported, \(count(.error)) error\(count(.error) == 1 ? "" : "s")"
            + (outside.isEmpty ? "" : ", \(outside.count) outside the family (skipped)")
            + (interrupted ? ", \(count(.notRun)) not run (interrupted)" : "") + loosenessSummary
            + " (\(String(format: "%.2f", seconds)) s)"
    }

    /// ", 2 judged with tolerance rtol 1e-06, atol 0.01, looser than the float64 preset" (or
    /// "with tolerances looser than their presets" when they differ), or "" when none was: the
    /// totals say it too, as --quiet prints no passing verdict.
    var loosenessSummary: String {
        let loose = results.compactMap { $0.judgement?.tolerance }.filter(\.isLooserThanPreset)
        guard let first = loose.first, let note = first.loosenessNote else { return "" }
        return ", \(loose.count) judged with " + (loose.allSatisfy { $0 == first } ? note : "tolerances looser than their presets")
    }

    /// A replay's totals: "3 passed, 1 failed, 2 unusable, 1 outside the family (skipped)".
    public var replaySummary: String {
        let unusableCount = unusable.count + count(.error)
        return "\(count(.pass)) passed, \(count(.fail)) failed" + (count(.unsupported) > 0 ? ", \(count(.unsupported)) unsupported" : "")
            + (unusableCount > 0 ? ", \(unusableCount) unusable" : "") + (outside.isEmpty ? "" : ", \(outside.count) outside the family (skipped)")
            + (interrupted ? ", \(count(.notRun)) not run (interrupted)" : "") + loosenessSummary
    }

    /// Why a replay could not do its work, or nil: a file that could not be read, an implementation
    /// that gave no answer, or no fixture checked (all outside the family, or all declined).
    public var replayProblem: String? {
        let errors = results.filter { $0.outcome == .error }
        let total = unusable.count + results.count + outside.count
        if let first = unusable.first.map({ "\($0.file): \($0.why)" }) ?? errors.first.map({ "\($0.file): \($0.summary)" }) {
            let count = unusable.count + errors.count
            return "\(count) of \(total) fixture\(total == 1 ? "" : "s") could not be replayed; the first: \(first)"
        }
        guard count(.pass) == 0 && count(.fail) == 0 && count(.notRun) == 0 else { return nil }
        if count(.unsupported) == 0 { return "no fixture was checked: all \(outside.count) are outside the family" }
        return "no fixture was checked: \(implementation) declined all \(count(.unsupported)) as unsupported"
            + (outside.isEmpty ? "" : " (\(outside.count) more outside the family)")
    }

    /// A replay's exit status: 2 it could not do its work (`replayProblem`), 1 a fixture failed,
    /// 130 interrupted, 0 every fixture checked passed.
    public var replayExitCode: Int32 {
        if replayProblem != nil { return 2 }
        if count(.fail) > 0 { return 1 }
        return interrupted ? 130 : 0
    }

    /// One fixture as the console shows it: a status line, then the explanation indented, every
    /// control character the program wrote made visible (`TerminalText`).
    public static func line(_ r: FixtureResult) -> String {
        let tag = ["pass": "PASS ", "fail": "FAIL ", "unsupported": "UNSUP", "error": "ERROR", "not run": "SKIP "][r.outcome.rawValue] ?? ""
        var text = "\(tag) \(r.id)  \(r.summary)"
        if r.outcome != .pass {
            let rest = r.explanation.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            text += rest.map { "\n      " + $0 }.joined() + "\n      fixture: \(r.file)"
        }
        return TerminalText.visible(text)
    }
}
