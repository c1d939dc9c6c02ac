import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz autograde --config FILE --submission DIR --results FILE`: one submission graded as a
/// course's configuration says, into Gradescope's results.json (what run_autograder runs).
struct AutogradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autograde",
        abstract: "Grade one submission as a gradfuzz-autograder/1 configuration says, into a Gradescope results.json.",
        discussion: """
            Runs the configuration's command in the submission's folder and checks it on the family's curated \
            fixtures, its exam drawn from the configuration's seed and a short fuzz, all made in memory: no expected \
            value is written anywhere, and the seed is read from the configuration only, never from the command \
            line or the environment. The results always parse: a program that cannot be graded (a syntax error, a \
            crash, a stray print, a hang) scores 0 with one test that says why. docs/grading.md describes the file.

            Exit status: 0 the results were written (whatever the score), 2 they could not be, or the configuration \
            is unusable (the results then say so, with a score of 0), 130 interrupted.
            """)

    @Option(help: ArgumentHelp("The grading configuration (gradfuzz autograder writes one).", valueName: "file"))
    var config: String

    @Option(help: ArgumentHelp("The folder of the student's files; the command runs there.", valueName: "dir"))
    var submission: String

    @Option(help: ArgumentHelp("Where to write Gradescope's results.json.", valueName: "file"))
    var results: String

    func validate() throws {
        try Expect.path(results, "--results", "a file for the results")
        try Expect.outputs([("--results", results)], inputs: [config])
    }

    func run() async throws {
        let stop = StopSignal()
        Interrupt.stops(stop, finishing: "the test in progress")
        let config: AutograderConfig, plan: Autograde.Plan
        do throws(ConfigError) {
            config = try AutograderConfig.read(from: self.config)
            plan = try Autograde.plan(config)
        } catch {
            // The student sees a 0 that says whose mistake it is; the instructor sees the reason in stdout.
            let text = "The autograder is misconfigured, so nothing was graded; please tell your instructor."
            let failed = GradescopeResults(
                score: 0, output: text, tests: [.init(score: 0, maxScore: 0, status: .failed, name: "autograder", output: text, visibility: .visible)])
            try? OutputFile.write(failed.json, to: results)
            throw ValidationError(error.description)
        }
        let graded = await Autograde.grade(submission: submission, config: config, plan: plan, stop: stop)
        do throws(OutputFileError) { try OutputFile.write(graded.results.json, to: results) } catch {
            throw ValidationError("--results: cannot write the results: \(error)")
        }
        for test in graded.results.tests {
            print("\(test.status == .passed ? "PASS" : "FAIL")  \(test.name)  \(Self.points(test.score))/\(Self.points(test.maxScore))")
        }
        print(graded.results.output ?? "")
        print("results: \(results)")
        if graded.interrupted { throw ExitCode(130) }
    }

    static func points(_ x: Double) -> String { String(format: "%g", (x * 100).rounded() / 100) }
}
