import Foundation
import GradFuzzCore
import GradFuzzMutants
import GradFuzzFixtures

/// How one fixture went.
public struct FixtureResult: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// Every entry within tolerance.
        case pass
        /// A wrong answer: entries outside tolerance, or the wrong shape.
        case fail
        /// The program answered {"error": …}: it does not handle this problem.
        case unsupported
        /// The program misbehaved: not found, crashed, hung, or answered something that is not an answer.
        case error
        /// The run was interrupted (Ctrl-C) before this fixture.
        case notRun = "not run"
    }

    public var id: String
    public var file: String
    public var description: String
    public var outcome: Outcome
    /// One line: what happened.
    public var summary: String
    /// For a failure: the hint, the worst entries and the maps of the wrong matrices.
    public var details: [String] = []
    public var verdict: Verdict?
    /// The answer the verdict is on, for reports that draw it entry by entry.
    public var answer: Answer?
    /// For a failure: the likely mistakes, best first (`Diagnosis.diagnose`).
    public var findings: [Finding] = []
    /// The last lines of what the program wrote to stderr while answering this fixture, for a failure or an error.
    public var stderrTail = ""
    public var seconds = 0.0

    init(_ c: Validation.Case, _ outcome: Outcome, summary: String) {
        id = c.fixture.id
        file = c.file
        description = c.fixture.description
        self.outcome = outcome
        self.summary = summary
    }

    /// A fixture the implementation gave no answer to compare for.
    init(_ c: Validation.Case, _ failure: AnswerFailure) {
        switch failure.kind {
        case .unsupported: self.init(c, .unsupported, summary: "the program answered an error: \(failure.message)")
        case .wrongAnswer: self.init(c, .fail, summary: failure.message)
        case .misbehaved, .cannotStart, .unresponsive: self.init(c, .error, summary: failure.message)
        }
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

/// The results of a validation run, with the totals and the exit status they mean.
public struct ValidationReport: Sendable {
    public var implementation: String
    public var results: [FixtureResult]
    public var seconds: Double
    /// Why the program could not be started at all, when it could not.
    public var cannotStart: String?
    /// Whether the run was interrupted: the fixtures it did not reach are `notRun`.
    public var interrupted = false

    public init(implementation: String, results: [FixtureResult], seconds: Double, cannotStart: String? = nil,
                interrupted: Bool = false) {
        self.implementation = implementation
        self.results = results
        self.seconds = seconds
        self.cannotStart = cannotStart
        self.interrupted = interrupted
    }

    public func count(_ outcome: FixtureResult.Outcome) -> Int { results.count { $0.outcome == outcome } }

    public var allPassed: Bool { results.allSatisfy { $0.outcome == .pass } }

    /// 0 every fixture passed; 1 a fixture that was run did not pass; 2 the program could not be
    /// run at all; 130 interrupted (Ctrl-C) with every fixture run so far passing.
    public var exitCode: Int32 {
        if cannotStart != nil { return 2 }
        if results.contains(where: { $0.outcome != .pass && $0.outcome != .notRun }) { return 1 }
        return interrupted ? 130 : 0
    }

    /// "12 fixtures: 10 passed, 1 failed, 0 unsupported, 1 error (3.2 s)", and how many were not
    /// run when the run was interrupted.
    public var summary: String {
        "\(results.count) fixture\(results.count == 1 ? "" : "s"): \(count(.pass)) passed, \(count(.fail)) failed, "
            + "\(count(.unsupported)) unsupported, \(count(.error)) error\(count(.error) == 1 ? "" : "s")"
            + (interrupted ? ", \(count(.notRun)) not run (interrupted)" : "")
            + " (\(String(format: "%.2f", seconds)) s)"
    }

    /// One fixture as the console shows it: a status line, then the explanation indented.
    public static func line(_ r: FixtureResult) -> String {
        let tag = ["pass": "PASS ", "fail": "FAIL ", "unsupported": "UNSUP", "error": "ERROR", "not run": "SKIP "][r.outcome.rawValue] ?? ""
        var text = "\(tag) \(r.id)  \(r.summary)"
        if r.outcome != .pass {
            let rest = r.explanation.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            text += rest.map { "\n      " + $0 }.joined() + "\n      fixture: \(r.file)"
        }
        return text
    }
}
