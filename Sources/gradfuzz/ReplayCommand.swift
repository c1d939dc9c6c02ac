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
        let implementation = implementationOptions.implementation().0
        let family = familyOptions.resolved
        var (passed, failed, unsupported, notRun, outside) = (0, 0, 0, 0, 0)
        var unusable: [String] = []
        var page = ValidationPage(title: "gradfuzz replay: \(implementation.name)", expectedFrom: "GSL oracle")
        for file in files {
            if stop.raised {
                notRun += 1
                continue
            }
            let fixture: Fixture
            do { fixture = try Fixture.read(from: file) } catch {
                print("\(file.path): UNUSABLE (\(error.description))\n")
                page.sections.append(FixtureSection(id: file.lastPathComponent, file: file.path, outcome: .error, summary: error.description))
                unusable.append(error.description)
                continue
            }
            if let why = family.whyOutside(fixture.problem) {
                print("\(file.path): \(fixture.id) — SKIPPED, outside the family (\(why))\n")
                outside += 1
                continue
            }
            let answer: Answer
            do { answer = try await implementation.backprop(fixture.problem, id: fixture.id) } catch {
                let failure = AnswerFailure(error)
                page.sections.append(
                    FixtureSection(
                        id: fixture.id, file: file.path,
                        outcome: failure.kind == .unsupported
                            ? .unsupported
                            : (failure.kind == .wrongAnswer ? .fail : .error), summary: failure.message,
                        problem: fixture.problem, stderr: failure.errorOutput))
                switch failure.kind {
                case .unsupported:
                    print("\(file.path): \(fixture.id) — UNSUPPORTED (\(failure.message))\n")
                    unsupported += 1
                case .wrongAnswer:
                    print("\(file.path): \(fixture.id) — FAIL (\(failure.message))\n")
                    failed += 1
                case .misbehaved, .cannotStart, .unresponsive:
                    let why = "\(file.path): \(implementation.name) gave no answer: \(failure.message)"
                    print(why + "\n")
                    unusable.append(why)
                }
                continue
            }
            let entries = fixture.problem.network.parameterCount + fixture.problem.batchSize * fixture.problem.network.layers.dropFirst().reduce(0, +)
            if entries >= Self.longCheck {
                // A large network takes a while: say so first, on stderr, so that stdout holds only the report.
                FileHandle.standardError.write(Data("\(file.path): checking \(entries) entries against the GSL oracle…\n".utf8))
            }
            let oracle = Oracle().differentiate(fixture.problem, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
            // The fixture's own tolerance (or --tolerance's), as validate applies it, with the oracle's error estimate on top.
            let tolerance = toleranceOptions.tolerance(over: fixture.tolerance)
            let rounding = tolerance.programRounding(for: fixture.problem)
            let allowed = oracle.allowing(rounding)
            var verdict = Verdict(answer: answer, oracle: allowed, tolerance: tolerance.againstOracle)
            verdict.compareCost(got: answer.cost, expected: fixture.expected.cost, tolerance: tolerance, rounding: rounding?.cost ?? 0)
            if html != nil {
                page.sections.append(
                    FixtureSection(replaying: fixture, file: file.path, answer: answer, oracle: allowed, verdict: verdict, tolerance: tolerance.againstOracle))
            }
            print(
                "\(file.path): \(fixture.id) — \(verdict.passed ? "PASS" : "FAIL")"
                    + " (\(verdict.checked) entries checked, \(verdict.kinks) not checkable at a kink)")
            print(verdict.table())
            if verdict.passed {
                passed += 1
            } else {
                failed += 1
                print(verdict.failureDetails())
            }
            print("")
        }
        await implementation.close()
        if let html {
            do { try page.write(to: html) } catch { throw ValidationError("--html: \(error)") }
        }
        print(
            "\(passed) passed, \(failed) failed" + (unsupported > 0 ? ", \(unsupported) unsupported" : "")
                + (unusable.isEmpty ? "" : ", \(unusable.count) unusable") + (outside > 0 ? ", \(outside) outside the family (skipped)" : "")
                + (notRun > 0 ? ", \(notRun) not run (interrupted)" : ""))
        if let first = unusable.first {
            throw ValidationError("\(unusable.count) of \(files.count) fixture\(files.count == 1 ? "" : "s") could not be replayed; the first: \(first)")
        }
        if failed > 0 { throw ExitCode(1) }
        if passed == 0 && notRun == 0 {
            if unsupported == 0 {
                throw ValidationError("no fixture was checked: all \(outside) are outside the family (\(family.summary))")
            }
            throw ValidationError(
                "no fixture was checked: \(implementation.name) declined all \(unsupported) as unsupported"
                    + (outside > 0 ? " (\(outside) more outside the family)" : ""))
        }
        if notRun > 0 { throw ExitCode(130) }
    }
}
