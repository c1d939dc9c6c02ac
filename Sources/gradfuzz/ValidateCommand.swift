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

            Fixtures may be problem files (the fields "layers" … "Y" alone): their expected values are computed as they \
            are read. State the family the program supports (--family NAME or the family options): fixtures outside it \
            are skipped and counted as outside the family, never as failures or unsupported, and the summary says which \
            catalogued mistakes the passed fixtures rule out (a complete exam rules out every one that can occur in the family).

            Exit status: 0 every fixture inside the family passed (fixtures outside it do not count), 1 some failed, were \
            unsupported or misbehaved, 2 the harness could not run or no fixture is inside the family, \
            130 interrupted (Ctrl-C) with every fixture run so far passing.

            Example: gradfuzz validate --junit report.xml -- python3 Examples/python/student.py
            """)

    @Option(
        name: .customLong("fixtures"), parsing: .upToNextOption,
        help: ArgumentHelp("Fixture files or directories (searched recursively for *.json).", valueName: "path"))
    var fixturePaths: [String] = Self.committedFixtures

    /// The fixtures a checkout comes with; fixtures/found, where the fuzzer writes, is left out so
    /// that the default set does not grow with every fuzz run.
    static let committedFixtures = ["fixtures/curated", "fixtures/exams", "fixtures/oracle-regressions"]

    /// Each fixture's own tolerance unless a preset, --rtol or --atol is given.
    @OptionGroup var toleranceOptions: ToleranceOptions

    @OptionGroup var timeouts: TimeoutOptions

    @OptionGroup(title: "Family (what the program supports; fixtures outside it are skipped)") var familyOptions: FamilyOptions

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
        try Expect.path(junit, "--junit", "a file for the JUnit report")
        try Expect.path(gradescope, "--gradescope", "a file for the Gradescope results")
        try Expect.path(html, "--html", "a file for the HTML report")
        try Expect.outputs(
            [("--junit", junit), ("--gradescope", gradescope), ("--html", html)],
            inputs: fixturePaths.filter { FileManager.default.fileExists(atPath: $0) } + command.filter { FileManager.default.fileExists(atPath: $0) })
    }

    func run() async throws {
        // Ctrl-C is handled from here on: the fixture in progress finishes, the rest are "not run".
        let stop = StopSignal()
        Interrupt.stops(stop, finishing: "the fixture in progress")
        let cases: [Validation.Case]
        // Of the default sets, those this checkout has; a path the user names must exist.
        let paths = fixturePaths == Self.committedFixtures ? fixturePaths.filter { FileManager.default.fileExists(atPath: $0) } : fixturePaths
        guard !paths.isEmpty else {
            throw ValidationError("--fixtures: none of \(fixturePaths.joined(separator: ", ")) is here; name fixture files or directories")
        }
        let loose = toleranceOptions.allowsLooseTolerance
        do { cases = try Validation.load(paths, allowingLooseTolerance: loose) } catch { throw ValidationError(error) }
        let options = Validation.Options(
            tolerance: toleranceOptions.tolerance?.tolerance, rtol: toleranceOptions.rtol, atol: toleranceOptions.atol, only: only,
            family: familyOptions.resolved, allowsLooseTolerance: loose)
        guard cases.contains(where: options.selects) else {
            throw ValidationError("--only: no fixture matches \(only ?? "") among \(cases.count) fixtures")
        }
        let student = ExternalImplementation(
            command: command, timeout: timeouts.answerTimeout,
            startupAllowance: timeouts.startupAllowance)
        print("gradfuzz validate: \(student.name), \(StudentProtocol.version)")
        if familyOptions.isGiven { print("family: \(familyOptions.name == "custom" ? "" : familyOptions.name + ": ")\(options.family.summary)") }
        let quiet = quiet
        let report = await Validation.run(
            cases, implementation: student, options: options, stop: stop,
            progress: { result in
                if !quiet || result.outcome != .pass { print(ValidationReport.line(result)) }
            })
        print(report.summary)
        if let mistakes = report.mistakes, !report.interrupted, report.cannotStart == nil { print(mistakes.summary) }
        do {
            if let junit { try GraderReports.writeJUnit(report, to: junit); print("JUnit report: \(junit)") }
            if let gradescope { try GraderReports.writeGradescope(report, to: gradescope); print("Gradescope results: \(gradescope)") }
            if let html { try ValidationPage(report).write(to: html); print("HTML report: \(html)") }
        } catch {
            throw ValidationError("cannot write a report: \(error)")
        }
        if let why = report.cannotStart { throw ValidationError("the program could not be started: \(why)") }
        if report.results.isEmpty {
            throw ValidationError("no fixture is inside the family (\(options.family.summary)): all \(report.outside.count) selected are outside it")
        }
        throw ExitCode(report.exitCode)
    }
}
