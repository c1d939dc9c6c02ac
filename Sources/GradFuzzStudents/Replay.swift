import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzJudging
import GradFuzzMutants
import GradFuzzOracle

/// Replaying fixtures: an implementation's answers (the reference's by default) judged against a
/// fresh GSL oracle, fixture by fixture, as `Validation` judges them against the stored reference
/// values. A file that cannot be read is reported and the others are replayed.
public enum Replay {
    /// Reads `files` (a problem file is completed without computing its oracle twice: the replay
    /// computes a fresh one) and replays the fixtures with `implementation`, each judged by its own
    /// tolerance unless `options` override it, against the GSL oracle run with `jobs` threads.
    public static func run(
        _ files: [URL], implementation: some BackpropImplementation, options: Validation.Options = Validation.Options(),
        oracle: Oracle = Oracle(), jobs: Int = 1, stop: StopSignal = StopSignal(),
        starting: (@Sendable (Validation.Case, _ entries: Int) -> Void)? = nil,
        progress: (@Sendable (FixtureResult) -> Void)? = nil
    ) async -> ValidationReport {
        var cases: [Validation.Case] = [], unusable: [UnusableFile] = []
        for file in files {
            do {
                let fixture = try Validation.read(file, allowingLooseTolerance: options.allowsLooseTolerance)
                cases.append(Validation.Case(fixture: fixture, file: file.path))
            } catch {
                // The file is named beside `why` wherever it is shown.
                var located = error
                located.file = nil
                unusable.append(UnusableFile(file: file.path, why: located.description))
            }
        }
        var options = options
        options.expected = .oracle(oracle, jobs: jobs)
        var report = await Validation.run(cases, implementation: implementation, options: options, stop: stop, starting: starting, progress: progress)
        report.unusable = unusable
        return report
    }

    /// One replayed fixture as the console shows it: the outcome line, then for an answer judged
    /// entry by entry its table, and for a failure the worst entries, the maps and the diagnosis;
    /// every control character the program wrote made visible (`TerminalText`).
    public static func text(_ result: FixtureResult) -> String { TerminalText.visible(lines(result)) }

    private static func lines(_ result: FixtureResult) -> String {
        let word = ["pass": "PASS", "fail": "FAIL", "unsupported": "UNSUPPORTED", "error": "ERROR", "not run": "NOT RUN"][result.outcome.rawValue] ?? ""
        guard let verdict = result.verdict else {
            var lines = ["\(result.file): \(result.id) — \(word) (\(result.summary))"]
            if !result.stderrTail.isEmpty { lines += ["stderr (last lines):"] + indented(result.stderrTail) }
            return lines.joined(separator: "\n") + "\n"
        }
        let loose = result.judgement?.tolerance.loosenessNote.map { "; " + $0 } ?? ""
        var lines = ["\(result.file): \(result.id) — \(word) (\(verdict.checked) entries checked, \(verdict.kinks) not checkable at a kink\(loose))"]
        lines.append(verdict.table())
        if !verdict.passed {
            lines += Diagnosis.describe(result.findings).map { "diagnosis: " + $0 }
            lines += Validation.hints(verdict)
            lines.append(verdict.failureDetails())
            if !result.stderrTail.isEmpty { lines += ["stderr (last lines):"] + indented(result.stderrTail) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func indented(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    }
}

/// A file given as a fixture that could not be read, and why.
public struct UnusableFile: Sendable {
    public var file: String
    public var why: String
}
