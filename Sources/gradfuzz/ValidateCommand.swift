import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz validate [options] -- CMD ARG…`: a student's program against the fixtures.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a student's backprop program against fixtures, entry by entry and layer by layer.",
        discussion: """
            Starts CMD once and speaks gradfuzz-protocol/1 with it (one JSON request per line on its stdin, \
            one JSON answer per line on its stdout), then compares every entry of its dW and db — and its cost \
            and delta when it sends them — with each fixture's expected values.

            Exit status: 0 every fixture passed, 1 some failed, were unsupported or misbehaved, 2 the harness could not run, \
            130 interrupted (Ctrl-C) with every fixture run so far passing.

            Example: gradfuzz validate --junit report.xml -- python3 Examples/python/student.py
            """)

    @Option(name: .customLong("fixtures"), parsing: .upToNextOption,
            help: ArgumentHelp("Fixture files or directories (searched recursively for *.json).", valueName: "path"))
    var fixturePaths: [String] = ["fixtures"]

    @Option(help: "Tolerance preset; float32 accepts a program computing in single precision. Each fixture's own when absent.")
    var tolerance: TolerancePreset?

    @Option(parsing: .unconditional, help: ArgumentHelp("Relative tolerance, overriding the preset.", valueName: "x"))
    var rtol: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Absolute tolerance, overriding the preset.", valueName: "x"))
    var atol: Double?

    @OptionGroup var timeouts: TimeoutOptions

    @Option(help: ArgumentHelp("Only fixtures whose id or file matches: a glob (*, ?) or a substring.", valueName: "pattern"))
    var only: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report here.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a Gradescope results.json here.", valueName: "file"))
    var gradescope: String?

    @Option(help: ArgumentHelp("Write an HTML report (heatmaps of every layer) here.", valueName: "file"))
    var html: String?

    @Flag(name: [.short, .long], help: "Print only the failures and the summary.")
    var quiet = false

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The student's program and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("expected the student's command after --, e.g. gradfuzz validate -- python3 student.py") }
        if let rtol, !(rtol >= 0 && rtol < 1) { throw ValidationError("--rtol: expected a number from 0 up to (not including) 1, got \(rtol)") }
        if let atol, !(atol >= 0 && atol.isFinite) { throw ValidationError("--atol: expected a finite number ≥ 0, got \(atol)") }
        try Expect.path(junit, "--junit", "a file for the JUnit report")
        try Expect.path(gradescope, "--gradescope", "a file for the Gradescope results")
        try Expect.path(html, "--html", "a file for the HTML report")
    }

    func run() async throws {
        // Ctrl-C is handled from here on: the fixture in progress finishes, the rest are "not run".
        let stop = StopSignal()
        Interrupt.stops(stop, finishing: "the fixture in progress")
        let cases: [Validation.Case]
        do { cases = try Validation.load(fixturePaths) } catch { throw ValidationError(error) }
        let options = Validation.Options(tolerance: tolerance?.tolerance, rtol: rtol, atol: atol, only: only)
        guard cases.contains(where: options.selects) else {
            throw ValidationError("--only: no fixture matches \(only ?? "") among \(cases.count) fixtures")
        }
        let student = ExternalImplementation(command: command, timeout: timeouts.answerTimeout,
                                             startupAllowance: timeouts.startupAllowance)
        print("gradfuzz validate: \(student.name), \(StudentProtocol.version)")
        let quiet = quiet
        let report = await Validation.run(cases, implementation: student, options: options, stop: stop) { result in
            if !quiet || result.outcome != .pass { print(ValidationReport.line(result)) }
        }
        print(report.summary)
        do {
            if let junit { try GraderReports.writeJUnit(report, to: junit); print("JUnit report: \(junit)") }
            if let gradescope { try GraderReports.writeGradescope(report, to: gradescope); print("Gradescope results: \(gradescope)") }
            if let html { try ValidationPage(report, cases: cases, options: options).write(to: html); print("HTML report: \(html)") }
        } catch {
            throw ValidationError("cannot write a report: \(error)")
        }
        if let why = report.cannotStart { throw ValidationError("the program could not be started: \(why)") }
        throw ExitCode(report.exitCode)
    }
}
