import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz replay FIXTURE…`: the reference's (or --impl's, or --mutant's) verdict against a fresh
/// GSL oracle, layer by layer.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run fixtures: an implementation's gradient (the reference by default) against the GSL oracle, layer by layer.",
        discussion: """
            A fixture may be a problem file (the fields "layers" … "Y" alone): its reference and oracle values are computed \
            as it is read. With family options, fixtures outside the family are skipped and counted as outside the family, \
            never as failures or unsupported.

            Each fixture is judged by its own tolerance, the one validate applies (or by --tolerance, --rtol and --atol), \
            with the oracle's error estimate allowed on top.

            Exit status: 0 every fixture checked passes, 1 a fixture fails, 2 a fixture could not be read, \
            the program could not answer or no fixture was checked, 130 interrupted (Ctrl-C) without failures.
            """)

    @Argument(help: ArgumentHelp("Fixture files, or directories searched for *.json.", valueName: "fixture"))
    var fixtures: [String]

    @OptionGroup var implementationOptions: ImplementationOptions

    @OptionGroup(title: "Family (what the program supports; fixtures outside it are skipped)") var familyOptions: FamilyOptions

    @OptionGroup var toleranceOptions: ToleranceOptions

    @OptionGroup var costOptions: CostOptions
    @OptionGroup var oracleOptions: OracleOptions

    @Option(help: ArgumentHelp("Write an HTML report (heatmaps of every layer) here.", valueName: "file"))
    var html: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads for the oracle of each fixture; all cores when absent.", valueName: "n"))
    var jobs: Int?

    func validate() throws {
        try Expect.path(html, "--html", "a file for the HTML report")
        try Expect.outputs([("--html", html)], inputs: fixtures + implementationOptions.programFiles)
        if let jobs { try Expect.whole(jobs, "--jobs", in: 1...1024) }
    }

    /// Entries (dW, db and every sample's g) from which a check is announced before it starts.
    static let longCheck = 20_000

    func run() async throws {
        let stop = StopSignal()
        Interrupt.stops(stop, finishing: "the fixture in progress")
        let files: [URL]
        do { files = try Fixture.files(in: fixtures) } catch { throw ValidationError(error) }
        guard !files.isEmpty else {
            throw ValidationError("no fixture files (*.json) in \(fixtures.joined(separator: ", ")); expected fixture files or directories holding them")
        }
        let options = Validation.Options(
            tolerance: toleranceOptions.tolerance?.tolerance, rtol: toleranceOptions.rtol, atol: toleranceOptions.atol,
            family: familyOptions.resolved, cost: costOptions.cost, allowsLooseTolerance: toleranceOptions.allowsLooseTolerance)
        let report = await Replay.run(
            files, implementation: implementationOptions.implementation().0, options: options, oracle: Oracle(method: oracleOptions.oracle),
            jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, stop: stop,
            starting: { c, entries in
                // A large network takes a while: said first, on stderr, so that stdout holds only the report.
                if entries >= Self.longCheck {
                    FileHandle.standardError.write(Data("\(c.file): checking \(entries) entries against the GSL oracle…\n".utf8))
                }
            },
            progress: { print(Replay.text($0)) })
        for file in report.unusable { print("\(file.file): UNUSABLE (\(file.why))\n") }
        for skipped in report.outside { print("\(skipped.file): \(skipped.id) — SKIPPED, outside the family (\(skipped.why))\n") }
        if let html {
            do { try ValidationPage(report, replay: true).write(to: html) } catch { throw ValidationError("--html: \(error)") }
        }
        print(report.replaySummary)
        if let why = report.replayProblem { throw ValidationError(why + (report.outside.isEmpty ? "" : " (\(familyOptions.resolved.summary))")) }
        throw ExitCode(report.replayExitCode)
    }
}
