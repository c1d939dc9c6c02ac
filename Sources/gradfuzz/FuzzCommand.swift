import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz [fuzz]`: random networks against the GSL oracle; failing cases shrunk into fixtures.
struct FuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Check backprop on random networks against the GSL oracle; write failing cases, shrunk, as fixtures.",
        discussion: """
            Case i is drawn from (seed, i) alone: the same seed gives the same cases and verdicts for any --jobs, \
            and --shard K/N splits a run between N machines.

            State the family the program supports (--family NAME, or --hidden-activations, --output-activations, --losses, \
            --labels, --outputs and the depth, width and batch ranges) and every case is one it can answer; cases it declines \
            are counted as declined, never as checked, and the coverage table counts checked cases only.

            Answers are judged with --tolerance (float64 when absent), --rtol and --atol, with the oracle's error \
            estimate allowed on top. A failing case is shrunk while it fails in the same way (the same first wrong \
            quantity, an error of the same size, far outside the tolerance) and written with that tolerance, so that \
            replay and validate judge the fixture alike.

            A program that crashes or breaks the protocol instead of answering gives an error, not a failure: no fixture \
            is written for it, the first error's output (a traceback) is shown, and after \(Fuzzer.consecutiveErrorLimit) \
            errors in a row the run stops. Of each kind of mistake (where the answer first goes wrong, and its diagnosis) \
            at most \(FixtureQuota.perKind) fixtures are written; the summary counts the others.

            Exit status: 0 no failure, 1 failures found (interrupted or not) or some errors, 2 usage or input error, no case \
            checked (every case declined) or the program failed on every request, 130 interrupted (Ctrl-C) without \
            failures, 143 terminated (SIGTERM).
            """)

    @Option(
        name: .customLong("iters"), parsing: .unconditional,
        help: ArgumentHelp("Number of random cases in the whole run, over all shards.", valueName: "n"))
    var iterations = 10000

    @Option(parsing: .unconditional, help: "Seed of the run; a fresh one is drawn and printed when absent.", transform: Expect.seed)
    var seed: UInt64?

    @Option(parsing: .unconditional, help: ArgumentHelp("Cases checked in parallel; all cores when absent.", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Directory for the fixtures of failing cases.", valueName: "directory"))
    var out = "fixtures/found"

    @Option(help: ArgumentHelp("Also write the summary as JSON to this file.", valueName: "file"))
    var json: String?

    @Option(
        parsing: .unconditional, help: ArgumentHelp("Run only shard K of N (1 ≤ K ≤ N): iterations i with i mod N = K − 1.", valueName: "K/N"),
        transform: Expect.shard)
    var shard: Shard?

    @Option(help: ArgumentHelp("Also write an HTML report (coverage, shapes, each failing case's heatmaps) to this file.", valueName: "file"))
    var html: String?

    @Flag(name: .customLong("no-shrink"), help: "Write failing cases as drawn, without shrinking them.")
    var noShrink = false

    @OptionGroup var implementationOptions: ImplementationOptions

    @OptionGroup(title: "Family (what the program supports; cases are drawn only from it)") var familyOptions: FamilyOptions

    @OptionGroup var toleranceOptions: ToleranceOptions

    @OptionGroup var costOptions: CostOptions
    @OptionGroup var oracleOptions: OracleOptions

    var distribution: Distribution { Distribution(family: familyOptions.resolved) }

    func validate() throws {
        try Expect.whole(iterations, "--iters", in: 1...Int.max)
        if let jobs { try Expect.whole(jobs, "--jobs", in: 1...1024) }
        try Expect.path(out, "--out", "a directory for the fixtures")
        try Expect.path(json, "--json", "a file for the JSON summary")
        try Expect.path(html, "--html", "a file for the HTML report")
        try Expect.outputs([("--json", json), ("--html", html)], inputs: implementationOptions.programFiles)
        if let shard, shard.count(of: iterations) == 0 {
            throw ValidationError(
                "--shard \(shard): no case to run: shard K/N runs iterations i with i mod N = K − 1, "
                    + "and --iters \(iterations) has none of them; expected --iters ≥ \(shard.index)")
        }
    }

    func run() async throws {
        // Ctrl-C is handled from here on, before the first probe of an --impl program.
        let stop = StopSignal()
        Interrupt.stops(stop, finishing: "the cases in progress")
        let setup = try configuration()
        for note in familyOptions.droppedLossNotes { print(note) }
        try await Self.fuzz(setup, jsonPath: json, htmlPath: html, stop: stop)
    }

    /// The run's configuration from the flags; the output paths are checked by creating them.
    func configuration() throws -> FuzzConfiguration {
        let directory = URL(fileURLWithPath: out)
        do { try FixtureStore(directory: directory).prepare() } catch {
            throw ValidationError("--out: \(error.description)")
        }
        if let json {
            do throws(OutputFileError) { try OutputFile.checkWritable(json) } catch { throw ValidationError("--json: \(error)") }
        }
        let (implementation, replay) = implementationOptions.implementation()
        return FuzzConfiguration(
            seed: seed ?? UInt64.random(in: 0...UInt64.max) >> 16,  // short enough to retype
            iterations: iterations, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
            distribution: distribution, shard: shard ?? .whole, outDirectory: directory,
            implementation: implementation, replayCommand: replay,
            oracle: Oracle(method: oracleOptions.oracle), tolerance: toleranceOptions.tolerance(over: .float64), shrink: !noShrink,
            cost: costOptions.cost)
    }

    /// Runs the fuzzer with its progress line and summary, until the end or until `stop` is raised.
    /// Exits 1 on failures, 2 when the program failed on every request or no case could be checked,
    /// 1 on errors among answers, 130 when interrupted without failures.
    static func fuzz(_ setup: FuzzConfiguration, jsonPath: String?, htmlPath: String? = nil, stop: StopSignal) async throws {
        var setup = setup
        if let program = setup.implementation as? ExternalImplementation {
            do {
                if let declared = try await program.declaredFamily() {
                    let family = try ValidationPlan.family([
                        .init("stated on the command line", setup.distribution.family), .init("declared by the program", declared),
                    ])
                    setup.distribution = Distribution(family: family, kinkMargin: setup.distribution.kinkMargin)
                    print("family declared by the program: \(FamilyFixtures.title(of: declared))")
                }
            } catch {
                await program.close()
                throw ValidationError("\(error)")
            }
        }
        let fuzzer = Fuzzer(setup)
        // One case first: a program that cannot start is a usage error, not 10 000 failures.
        let first = Array(fuzzer.iterations.prefix(1)).first ?? 0
        do { _ = try await setup.implementation.backprop(fuzzer.generator.problem(iteration: first)) } catch {
            let failure = AnswerFailure(error)
            if failure.kind == .cannotStart {
                await setup.implementation.close()
                throw ValidationError("--impl: \(failure.message)")
            }
        }
        let planned = setup.shard.count(of: setup.iterations)
        let shardText = setup.shard == .whole ? "" : ", shard \(setup.shard) (\(planned) of them)"
        print("gradfuzz: seed \(setup.seed) (the same run again: --seed \(setup.seed))")
        print("distribution: \(setup.distribution.summary)")
        print(
            "testing \(setup.implementation.name) against the GSL oracle (\(setup.oracle.method.rawValue)): \(setup.iterations) iterations\(shardText), "
                + "\(setup.jobs) jobs; failing cases shrunk into \(setup.outDirectory?.relativePath ?? "nowhere")/")
        let loose = setup.tolerance.isLooserThanPreset ? " (looser than the \(setup.tolerance.preset.precision.rawValue) preset)" : ""
        print(
            "tolerance: rtol \(setup.tolerance.rtol), atol \(setup.tolerance.atol)\(loose), plus 10 × the oracle's error estimate; "
                + "stored in each fixture, for replay and validate"
                + (setup.cost == .ignored ? "; the cost is not graded (--no-cost)" : ""))
        fflush(nil)

        let progress = ProgressLine()
        let summary = await fuzzer.run(stop: stop, progress: progress.update)
        progress.finish(summary)
        let page = htmlPath == nil ? nil : await FuzzPage.build(summary, implementation: setup.implementation, cost: setup.cost)
        await setup.implementation.close()

        print(TerminalText.visible(SummaryReport(summary).text), terminator: "")
        // Said again beside the totals it decided.
        if let note = setup.tolerance.loosenessNote { print("judged with \(note)") }
        if let jsonPath {
            do { try OutputFile.write(summary.json(), to: jsonPath) } catch {
                throw ValidationError("--json: \(error)")
            }
        }
        if let htmlPath, let page {
            do { try page.write(to: htmlPath) } catch { throw ValidationError("--html: \(error)") }
            print("HTML report: \(htmlPath)")
        }
        if !summary.noFailures { throw ExitCode(1) }
        if summary.stoppedOnErrors, let why = summary.stoppedBecause { throw ValidationError(why) }
        if let why = summary.nothingChecked, !summary.interrupted { throw ValidationError(why) }
        if summary.errors > 0 { throw ExitCode(1) }
        if summary.interrupted { throw ExitCode(130) }
    }
}
