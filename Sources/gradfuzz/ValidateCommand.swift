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
            Exit status: 0 every fixture passed, 1 some failed, were unsupported or misbehaved, 2 the harness could not run.
            Example: gradfuzz validate --junit report.xml -- python3 Examples/python/student.py
            """)

    @Option(name: .customLong("fixtures"), parsing: .upToNextOption,
            help: ArgumentHelp("Fixture files or directories (searched recursively for *.json).", valueName: "path"))
    var fixturePaths: [String] = ["fixtures"]

    @Option(help: ArgumentHelp("Tolerance preset: float64 or float32 (a program computing in single precision). Default: each fixture's own.", valueName: "float64|float32"))
    var tolerance: String?

    @Option(help: "Relative tolerance, overriding the preset.")
    var rtol: Double?

    @Option(help: "Absolute tolerance, overriding the preset.")
    var atol: Double?

    @Option(help: ArgumentHelp("Seconds to wait for each answer before the program is stopped and restarted.", valueName: "seconds"))
    var timeout: Double = 10

    @Option(help: ArgumentHelp("Extra seconds for the first answer after each start, while the program loads.", valueName: "seconds"))
    var startup: Double = 10

    @Option(help: ArgumentHelp("Only fixtures whose id or file matches: a glob (*, ?) or a substring.", valueName: "pattern"))
    var only: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report here.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a Gradescope results.json here.", valueName: "file"))
    var gradescope: String?

    @Flag(name: [.short, .long], help: "Print only the failures and the summary.")
    var quiet = false

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The student's program and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    /// What is wrong with the options, or nil: a usage error exits 2 like every bad input.
    var usageProblem: String? {
        if command.isEmpty { return "expected the student's command after --, e.g. gradfuzz validate -- python3 student.py" }
        if let tolerance, !["float64", "float32"].contains(tolerance) { return "--tolerance: expected float64 or float32, got \(tolerance)" }
        if let rtol, !(rtol >= 0 && rtol < 1) { return "--rtol: expected a number in [0, 1), got \(rtol)" }
        if let atol, !(atol >= 0 && atol.isFinite) { return "--atol: expected a finite number ≥ 0, got \(atol)" }
        if !(timeout > 0 && timeout <= 86400) { return "--timeout: expected seconds in (0, 86400], got \(timeout)" }
        if !(startup >= 0 && startup <= 86400) { return "--startup: expected seconds in [0, 86400], got \(startup)" }
        return nil
    }

    func run() async throws {
        if let usageProblem {
            printError("gradfuzz validate: \(usageProblem)")
            throw ExitCode(2)
        }
        let cases: [Validation.Case]
        do { cases = try Validation.load(fixturePaths) } catch {
            printError("gradfuzz validate: \(error.description)")
            throw ExitCode(2)
        }
        let options = Validation.Options(tolerance: tolerance.map { $0 == "float32" ? .float32 : .float64 },
                                         rtol: rtol, atol: atol, only: only)
        guard cases.contains(where: options.selects) else {
            printError("gradfuzz validate: no fixture matches --only \(only ?? "") among \(cases.count) fixtures")
            throw ExitCode(2)
        }
        let student = ExternalImplementation(command: command, timeout: .milliseconds(Int64(timeout * 1000)),
                                             startupAllowance: .milliseconds(Int64(startup * 1000)))
        print("gradfuzz validate: \(student.name), \(gradfuzzProtocolLine)")
        let quiet = quiet
        let report = await Validation.run(cases, implementation: student, options: options) { result in
            if !quiet || result.outcome != .pass { print(ValidationReport.line(result)) }
        }
        print(report.summary)
        do {
            if let junit { try GraderReports.writeJUnit(report, to: junit); print("JUnit report: \(junit)") }
            if let gradescope { try GraderReports.writeGradescope(report, to: gradescope); print("Gradescope results: \(gradescope)") }
        } catch {
            printError("gradfuzz validate: \(error.localizedDescription)")
            throw ExitCode(2)
        }
        if let why = report.cannotStart { printError("gradfuzz validate: the program could not be started: \(why)") }
        throw ExitCode(report.exitCode)
    }

    private var gradfuzzProtocolLine: String { StudentProtocol.version }

    private func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
