import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzFuzzing

/// Grading one submission as a course's configuration says (`gradfuzz autograde`, and each student
/// of `gradfuzz grade`): the family's curated fixtures, its exam drawn from the configuration's seed
/// and a short fuzz, all made in memory (no expected value is ever written to disk), judged and
/// scored into Gradescope's results.
public enum Autograde {
    /// What a submission is checked on, made once for a class.
    public struct Plan: Sendable {
        public var family: Family
        public var curated: [Validation.Case]
        public var exam: [Validation.Case]
        public var fuzz: FamilyFuzz?

        /// The tests of `kind` in this plan (the fuzz is one test).
        public func count(_ kind: AutograderConfig.Kind) -> Int {
            switch kind {
            case .curated: curated.count
            case .exam: exam.count
            case .fuzz: fuzz == nil ? 0 : 1
            }
        }
    }

    /// The plan of `config`: its family's curated fixtures and exam, and the fuzz when it asks for one.
    public static func plan(_ config: AutograderConfig) throws(ConfigError) -> Plan {
        let family = try config.resolvedFamily()
        do throws(Exam.BuildError) {
            let set = try FamilyFixtures.complete(for: family, examSeed: config.examSeed, fuzzCases: config.fuzzCases)
            return Plan(family: family, curated: set.curated, exam: set.exam, fuzz: set.fuzz)
        } catch {
            throw ConfigError(field: "family", "the family's exam cannot be drawn: \(error)")
        }
    }

    /// The one place a submission's program is started: `command` in the submission's folder, as `user`.
    /// `user` applies when gradfuzz runs as root (on Gradescope); a grader who is not root (a class
    /// graded on a laptop) runs the programs as themselves, which `grade` says.
    static func launch(_ command: [String], in folder: String, user: String?, timeouts: AutograderConfig.Timeouts) throws(StudentUser.Refusal)
        -> ExternalImplementation
    {
        let runAs = try user.flatMap { name throws(StudentUser.Refusal) in geteuid() == 0 ? try StudentUser.named(name) : nil }
        return ExternalImplementation(
            command: command, timeout: .milliseconds(Int64(timeouts.answer * 1000)),
            startupAllowance: .milliseconds(Int64(timeouts.startup * 1000)), user: runAs, workingDirectory: folder)
    }

    /// One submission graded: what Gradescope reads, the validation behind it (for the HTML report),
    /// and the first failing test with its diagnosis (for a class's table).
    public struct Graded: Sendable {
        public var results: GradescopeResults
        public var report: ValidationReport
        /// The first test that did not pass, and the first line of its diagnosis (or of what happened).
        public var firstFailure: (test: String, diagnosis: String)?
        /// Whether `stop` ended the grading before every test ran: the results are not a grade.
        public var interrupted: Bool
    }

    /// Grades the submission in the folder `submission`. Once `stop` is raised (Ctrl-C) the test in
    /// progress finishes and the rest are not run (`Graded.interrupted`); once the configuration's
    /// total time is up, the same, and the tests not reached score 0.
    public static func grade(submission: String, config: AutograderConfig, plan: Plan, stop: StopSignal = StopSignal()) async -> Graded {
        var isDirectory: ObjCBool = false
        let student: ExternalImplementation
        do throws(StudentUser.Refusal) {
            guard FileManager.default.fileExists(atPath: submission, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw StudentUser.Refusal(description: "no submission: \(submission) is not a folder; expected the folder of the student's files")
            }
            student = try launch(ShellWords.split(config.command), in: submission, user: config.user, timeouts: config.timeouts)
        } catch {
            let report = ValidationReport(implementation: config.command, results: [], seconds: 0, cannotStart: error.description)
            let why = error.description
            return Graded(
                results: GradescopeResults(
                    score: 0, output: why, stdoutVisibility: config.visibility.stdout,
                    tests: [.init(score: 0, maxScore: config.points.total, status: .failed, name: "submission", output: why, visibility: .visible)]),
                report: report, firstFailure: ("submission", why), interrupted: false)
        }
        let local = StopSignal()
        let timeUp = TimeLimit()
        // Ctrl-C or the end of the submission's time stops the program at once, in the middle of an
        // answer if need be: a hanging program would otherwise hold the run for its whole timeout.
        let watcher = Task {
            let deadline = ContinuousClock.now + .milliseconds(Int64(config.timeouts.total * 1000))
            while !Task.isCancelled {
                let late = ContinuousClock.now >= deadline
                if stop.raised || late {
                    timeUp.reached = late && !stop.raised
                    local.raise()
                    await student.close()
                    return
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        let options = Validation.Options(tolerance: config.toleranceValue, family: plan.family)
        let report = await Validation.run(plan.curated + plan.exam, implementation: student, options: options, stop: local, fuzz: plan.fuzz)
        watcher.cancel()
        _ = await watcher.value
        let scoring = AutogradeScoring(config: config, plan: plan, timeLimitReached: timeUp.reached)
        var graded = scoring.graded(report)
        graded.interrupted = stop.raised && !timeUp.reached && !isWhole(report, plan)
        return graded
    }

    /// Whether every test of the plan was run to its end: every fixture asked, and the fuzz through
    /// all its cases unless it stopped at a failure or could not go on.
    static func isWhole(_ report: ValidationReport, _ plan: Plan) -> Bool {
        if report.cannotStart != nil { return true }
        guard !report.interrupted else { return false }
        guard let planned = plan.fuzz else { return true }
        guard let fuzz = report.fuzz else { return false }
        return fuzz.failure != nil || fuzz.stoppedBecause != nil || fuzz.checked + fuzz.unsupported >= planned.cases
    }

    private final class TimeLimit: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var reached: Bool {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
    }
}
