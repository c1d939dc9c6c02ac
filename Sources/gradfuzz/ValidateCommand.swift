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
            and delta when it sends them — with the expected values.

            Without --fixtures it checks a set that is complete for the program's family, made in memory (no files \
            needed, from any folder): the curated fixtures in the family, the family's exam (every catalogued mistake \
            that can occur in the family fails one of its fixtures) and a short fuzz of the family, whose first failing \
            case is shrunk and shown. The family is what the program declares (docs/protocol.md: serve(backprop, \
            family=…) in Python), narrowed by --family NAME or the family options; without either, every network.

            Named fixtures may be files or folders, fixtures or problem files (their expected values are computed as \
            they are read); an exam folder's manifest states its family. Fixtures outside the family are skipped. When \
            the named fixtures cannot catch every catalogued mistake that can occur in the family, validate says so \
            before the run and names them: --complete-with-exam adds the family's exam, --require-complete makes it an error.

            Exit status: 0 every fixture inside the family and the fuzz passed, 1 some failed, were unsupported or \
            misbehaved (or the fixtures are incomplete under --require-complete), 2 the harness could not run or no \
            fixture is inside the family, 130 interrupted (Ctrl-C) with every fixture run so far passing.

            Example: gradfuzz validate --family sigmoid-softmax-cross-entropy -- python3 mine.py
            """)

    @Option(
        name: .customLong("fixtures"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Fixture files or directories (searched recursively for *.json) to check instead of the family's complete set.",
            valueName: "path"))
    var fixturePaths: [String] = []

    @Option(help: ArgumentHelp("The seed of the family's exam and fuzz.", valueName: "n"))
    var examSeed: UInt64 = FamilyFixtures.defaultExamSeed

    @Option(help: ArgumentHelp("Cases in the fuzz of the family run after the fixtures without --fixtures (0: none).", valueName: "n"))
    var fuzzCases = FamilyFuzz.defaultCases

    @Flag(help: "With --fixtures: check the family's exam too, so that every catalogued mistake is caught.")
    var completeWithExam = false

    @Flag(help: "With --fixtures: exit 1 before the run when they cannot catch every catalogued mistake of the family.")
    var requireComplete = false

    /// Each fixture's own tolerance unless a preset, --rtol or --atol is given.
    @OptionGroup var toleranceOptions: ToleranceOptions

    @OptionGroup var costOptions: CostOptions

    @OptionGroup var timeouts: TimeoutOptions

    @Option(
        help: ArgumentHelp(
            "Hold answers against a fresh GSL oracle instead of each fixture's reference values (as replay does). "
                + OracleOptions.help, valueName: "units|entries"))
    var oracle: Oracle.Method?

    @OptionGroup(title: "Family (what the program supports; fixtures outside it are skipped)") var familyOptions: FamilyOptions

    @Option(help: ArgumentHelp("Only fixtures whose id or file matches: a glob (*, ?) or a substring.", valueName: "pattern"))
    var only: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report here.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a Gradescope results.json here.", valueName: "file"))
    var gradescope: String?

    @Option(help: ArgumentHelp("Write an HTML report (heatmaps of every layer) here.", valueName: "file"))
    var html: String?

    @Option(
        name: .customLong("as-user"),
        help: ArgumentHelp(
            "Run the program as this user (gradfuzz must run as root): no supplementary groups, a scratch working folder, a clean environment (docs/grading.md).",
            valueName: "name"))
    var asUser: String?

    @Flag(name: [.short, .long], help: "Print only the failures and the summary.")
    var quiet = false

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The student's program and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("expected the student's command after --, e.g. gradfuzz validate -- python3 student.py") }
        try Expect.whole(fuzzCases, "--fuzz-cases", in: 0...100_000)
        if fixturePaths.isEmpty && (completeWithExam || requireComplete) {
            throw ValidationError(
                "\(completeWithExam ? "--complete-with-exam" : "--require-complete") goes with --fixtures; without them validate checks a complete set")
        }
        _ = try studentUser()
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
        let student = ExternalImplementation(
            command: command, timeout: timeouts.answerTimeout,
            startupAllowance: timeouts.startupAllowance, user: try studentUser())
        print("gradfuzz validate: \(student.name), \(StudentProtocol.version)")
        if let user = student.process.user { print("as user \(user.described), in a scratch folder, with a clean environment") }
        var sources: [ValidationPlan.Source] = []
        if familyOptions.isGiven { sources.append(.init("stated on the command line", familyOptions.resolved)) }
        do throws(FamilyDeclaration.Refusal) {
            if let declared = try await student.declaredFamily() { sources.append(.init("declared by the program", declared)) }
        } catch {
            await student.close()
            throw ValidationError(error.description)
        }
        sources += ValidationPlan.examFamilies(in: fixturePaths)
        let options = Validation.Options(
            tolerance: toleranceOptions.tolerance?.tolerance, rtol: toleranceOptions.rtol, atol: toleranceOptions.atol, only: only,
            expected: oracle.map { .oracle(Oracle(method: $0), jobs: ProcessInfo.processInfo.activeProcessorCount) } ?? .reference,
            cost: costOptions.cost, allowsLooseTolerance: toleranceOptions.allowsLooseTolerance)
        let plan: ValidationPlan
        do {
            plan = try ValidationPlan.make(
                family: sources, fixtures: fixturePaths.isEmpty ? nil : fixturePaths, examSeed: examSeed,
                completeWithExam: completeWithExam, fuzzCases: fuzzCases, tolerance: options.tolerance(for:),
                allowingLooseTolerance: toleranceOptions.allowsLooseTolerance)
        } catch { throw ValidationError(error.description) }
        var planned = options
        planned.family = plan.family
        guard plan.cases.contains(where: planned.selects) else {
            throw ValidationError("--only: no fixture matches \(only ?? "") among \(plan.cases.count) fixtures")
        }
        if !plan.sources.isEmpty { print("family (\(plan.sources.joined(separator: ", "))): \(FamilyFixtures.title(of: plan.family))") }
        print("checking: \(plan.description)")
        if let oracle { print("expected values: a fresh GSL oracle (\(oracle.rawValue)), its error estimate allowed on top") }
        if let warning = plan.incompleteness {
            print(warning)
            if requireComplete { throw ExitCode(1) }
        }
        let quiet = quiet
        let report = await Validation.run(
            plan.cases, implementation: student, options: planned, stop: stop, fuzz: only == nil ? plan.fuzz : nil,
            progress: { result in
                if !quiet || result.outcome != .pass { print(ValidationReport.line(result)) }
            })
        print(report.summary)
        if let mistakes = report.mistakes, !report.interrupted, report.cannotStart == nil { print(mistakes.summary) }
        if let fuzz = report.fuzz { print(fuzz.summary) }
        if plan.sources.isEmpty, let advice = report.familyAdvice { print(advice) }
        if let warning = plan.incompleteness, report.exitCode == 0 { print(warning) }
        do {
            if let junit { try GraderReports.writeJUnit(report, to: junit); print("JUnit report: \(junit)") }
            if let gradescope { try GraderReports.writeGradescope(report, to: gradescope); print("Gradescope results: \(gradescope)") }
            if let html { try ValidationPage(report, againstOracle: oracle != nil).write(to: html); print("HTML report: \(html)") }
        } catch {
            throw ValidationError("cannot write a report: \(error)")
        }
        if let why = report.cannotStart { throw ValidationError("the program could not be started: \(why)") }
        if report.results.isEmpty {
            throw ValidationError("no fixture is inside the family (\(plan.family.summary)): all \(report.outside.count) selected are outside it")
        }
        throw ExitCode(report.exitCode)
    }

    /// The user named by --as-user, if any.
    func studentUser() throws -> StudentUser? {
        guard let asUser else { return nil }
        do { return try StudentUser.named(asUser) } catch { throw ValidationError(error.description) }
    }
}
