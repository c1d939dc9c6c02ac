import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzFuzzing
import Testing

// What the fuzzer reports: each failure with its diagnosis, a few fixtures per kind of mistake, a
// program that cannot answer as an error with its traceback, the cost left out on request.

private func jsonFiles(in directory: URL) -> [URL] {
    ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []).filter { $0.pathExtension == "json" }
}

@Test(.spawnsProcesses) func aProgramThatCrashesOnEveryRequestIsAnErrorWithItsTracebackAndNoFixture() async throws {
    let directory = try temporaryDirectory("fuzz-crash")
    defer { try? FileManager.default.removeItem(at: directory) }
    let program = directory.appendingPathComponent("crash.py")
    try "import sys\nfor line in sys.stdin:\n    raise ValueError('shapes (3,2) and (4,1) not aligned')\n"
        .write(to: program, atomically: true, encoding: .utf8)
    let found = directory.appendingPathComponent("found"), json = directory.appendingPathComponent("summary.json")
    let run = try await runGradfuzz([
        "--impl", "python3 \(program.path)", "--iters", "500", "--seed", "1", "--out", found.path, "--json", json.path,
    ])
    #expect(run.status == 2, "status \(run.status): \(run.stdout)\n\(run.stderr)")
    // The last line (a slow machine may have printed a progress line before it).
    #expect(run.stderr.split(separator: "\n").last?.contains("failed on 5 requests in a row") == true, "\(run.stderr)")
    #expect(run.stdout.contains("ValueError: shapes (3,2) and (4,1) not aligned"), "the traceback is shown: \(run.stdout)")
    #expect(jsonFiles(in: found).isEmpty, "no fixture for a program that never answered")
    let summary = try JSONDecoder().decode(FuzzSummary.self, from: Data(contentsOf: json))
    #expect(summary.failures == 0 && summary.checked == 0 && summary.errors >= 5, "\(summary.errors) errors, \(summary.failures) failures")
    #expect(summary.iterationsRun < 20 && summary.stoppedOnErrors && !summary.interrupted, "it stops early: \(summary.iterationsRun) run")
    #expect(summary.errorCases.first?.errorOutput?.contains("Traceback") == true)
}

@Test(.spawnsProcesses) func aProgramThatNeverAnswersIsGivenUpWithStatus2NotAsInterrupted() async throws {
    let directory = try temporaryDirectory("fuzz-hang")
    defer { try? FileManager.default.removeItem(at: directory) }
    let program = directory.appendingPathComponent("hang.py")
    try "import sys, time\nfor line in sys.stdin:\n    time.sleep(100)\n".write(to: program, atomically: true, encoding: .utf8)
    let found = directory.appendingPathComponent("found")
    let run = try await runGradfuzz([
        "--impl", "python3 \(program.path)", "--iters", "50", "--seed", "1", "--jobs", "1", "--timeout", "0.5", "--startup", "0",
        "--out", found.path,
    ])
    #expect(run.status == 2, "status \(run.status): \(run.stdout)\n\(run.stderr)")
    #expect(run.stderr.split(separator: "\n").last?.contains("the program never answered") == true, "\(run.stderr)")
    #expect(jsonFiles(in: found).isEmpty)
}

/// Misbehaves on every second request and answers the others as the reference does.
private final class CrashesEverySecondRequest: BackpropImplementation, @unchecked Sendable {
    struct Crash: ClassifiedError {
        var failureKind: FailureKind { .misbehaved }
        var message: String { "the program crashed" }
        var errorOutput: String { "Traceback: boom" }
    }
    private let lock = NSLock()
    private var asked = 0
    var name: String { "crashes-every-second-request" }
    func backprop(_ problem: Problem) async throws -> Answer {
        let n = lock.withLock {
            asked += 1; return asked
        }
        if n % 2 == 0 { throw Crash() }
        return ReferenceImplementation().backprop(problem)
    }
}

@Test func errorsAmongAnswersAreCountedApartFromFailuresAndWrittenAsNoFixture() async throws {
    let found = try temporaryDirectory("fuzz-some-errors")
    defer { try? FileManager.default.removeItem(at: found) }
    let summary = await Fuzzer(
        FuzzConfiguration(
            seed: 2, iterations: 12, jobs: 1, distribution: Distribution(depth: 1...2, width: 1...3, batch: 1...3),
            outDirectory: found, implementation: CrashesEverySecondRequest())
    ).run()
    #expect(summary.errors == 6 && summary.failures == 0 && summary.checked == 6, "\(summary.errors) errors, \(summary.checked) checked")
    #expect(!summary.stoppedOnErrors && summary.iterationsRun == 12)
    #expect(summary.errorCases.first?.errorOutput == "Traceback: boom")
    #expect(jsonFiles(in: found).isEmpty && summary.fixtures.isEmpty)
}

@Test(.spawnsProcesses) func eachFailureIsShownWithItsDiagnosisAndAFewFixturesPerKindOfMistake() async throws {
    let directory = try temporaryDirectory("fuzz-diagnosis")
    defer { try? FileManager.default.removeItem(at: directory) }
    let found = directory.appendingPathComponent("found")
    let json = directory.appendingPathComponent("summary.json"), html = directory.appendingPathComponent("report.html")
    // --out relative to the working directory, as a user types it.
    let run = try await runGradfuzz(
        [
            "--mutant", "f_instead_of_fprime", "--iters", "300", "--seed", "4", "--max-depth", "4", "--max-width", "8",
            "--out", "found", "--json", json.path, "--html", html.path,
        ], directory: directory)
    #expect(run.status == 1, "status \(run.status): \(run.stderr)")
    let summary = try JSONDecoder().decode(FuzzSummary.self, from: Data(contentsOf: json))
    #expect(summary.failures > 50, "\(summary.failures) failures")

    // The diagnosis, in the terminal, the JSON and the HTML report.
    #expect(run.stdout.contains("diagnosis: all failing matrices") && run.stdout.contains("match f_instead_of_fprime"), "\(run.stdout)")
    #expect(summary.failed.allSatisfy { $0.diagnosis?.contains { $0.contains("f_instead_of_fprime") } == true })
    let page = try String(contentsOf: html, encoding: .utf8)
    #expect(page.contains("diagnosis (of the shrunk case)") && page.contains("match f_instead_of_fprime"))
    #expect(page.contains("\">found/fuzz-") && !page.contains("<code>found/fuzz-"), "each drawn fixture is linked from its row")

    // At most 3 fixtures per kind of mistake; the others counted.
    var fixturesOfKind: [String: Set<String>] = [:]
    for f in summary.failed { if let kind = f.kind, let path = f.fixture { fixturesOfKind[kind, default: []].insert(path) } }
    #expect(!fixturesOfKind.isEmpty && fixturesOfKind.values.allSatisfy { $0.count <= FixtureQuota.perKind }, "\(fixturesOfKind)")
    let files = jsonFiles(in: found)
    #expect(files.count == summary.fixtures.count && files.count <= FixtureQuota.perKind * fixturesOfKind.count, "\(files.count) files")
    // This mistake's cases shrink to few problems; a missing 1/m's to many, more than the quota keeps.
    let many = try await runGradfuzz(
        ["--mutant", "no_one_over_m", "--iters", "300", "--seed", "4", "--max-depth", "4", "--max-width", "8", "--out", "many", "--json", "many.json"],
        directory: directory)
    let manySummary = try JSONDecoder().decode(FuzzSummary.self, from: Data(contentsOf: directory.appendingPathComponent("many.json")))
    #expect(
        manySummary.casesNotWritten > 0 && many.stdout.contains("\(manySummary.casesNotWritten) more failing cases")
            && jsonFiles(in: directory.appendingPathComponent("many")).count == manySummary.fixtures.count, "\(many.stdout)")

    // Cases that shrank to one fixture are one row, with their number.
    let groups = summary.failingGroups
    #expect(groups.count < summary.failed.count && groups.contains { $0.count > 1 })
    let rows = run.stdout.split(separator: "\n").filter { $0.hasPrefix("  iteration ") && !$0.contains("declined") }
    #expect(rows.count == min(groups.count, 10), "\(rows.count) rows for \(groups.count) groups")
    #expect(run.stdout.contains("more shrinking to the same fixture"))
    #expect(page.components(separatedBy: "<td class=\"n\">\(groups.max { $0.count < $1.count }!.count)</td>").count > 1)
}

@Test(.spawnsProcesses) func aStatedFamilysCoverageTableHasOnlyItsActivationsAndLosses() async throws {
    let directory = try temporaryDirectory("fuzz-family-coverage")
    defer { try? FileManager.default.removeItem(at: directory) }
    let html = directory.appendingPathComponent("report.html")
    let run = try await runGradfuzz([
        "--hidden-activations", "sigmoid", "--output-activations", "softmax", "--losses", "cross_entropy", "--labels", "one-hot",
        "--iters", "5", "--seed", "1", "--out", directory.appendingPathComponent("found").path, "--html", html.path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let table = run.stdout.components(separatedBy: "coverage (").last?.split(separator: "\n").dropFirst() ?? []
    let rows = table.prefix { !$0.hasPrefix("HTML report") }
    #expect(rows.map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["cross_entropy", "sigmoid", "softmax"], "\(rows)")
    let page = try String(contentsOf: html, encoding: .utf8)
    #expect(page.components(separatedBy: "<tr class=\"act\">").count == 3 && !page.contains("<th>hinge</th>"))
    // Without a family, every activation and loss.
    let all = try await runGradfuzz(["--iters", "3", "--seed", "1", "--out", directory.appendingPathComponent("all").path])
    #expect(all.stdout.contains("hinge") && all.stdout.contains("\ngelu "), "\(all.stdout)")
}

/// A problem whose sigmoid output saturates to 1.0 exactly: log(1 − a) = −∞ for a cost computed from a.
private let saturatedProblem = """
    {"layers": [1, 1], "activations": ["sigmoid"], "loss": "binary_cross_entropy", "W": [[[40]]], "b": [[0]], "X": [[1]], "Y": [[0]]}
    """

@Test(.spawnsProcesses) func noCostGradesTheGradientsOfAProgramWhoseCostIsInfiniteAtSaturation() async throws {
    let directory = try temporaryDirectory("no-cost")
    defer { try? FileManager.default.removeItem(at: directory) }
    // The cost from a, as course code computes it: inf once a rounds to 1; the gradients stay right.
    let student = try mistakenStudent(
        "cost = losses(loss, Z[-1], A[-1], Y).mean()", "cost = LOSS[loss][0](A[-1], Y).mean()", in: directory)
    let problem = directory.appendingPathComponent("saturated.json")
    try saturatedProblem.write(to: problem, atomically: true, encoding: .utf8)

    let validated = try await runGradfuzz(["validate", "--fixtures", problem.path, "--", "python3", student])
    #expect(validated.status == 1, "\(validated.stdout)\n\(validated.stderr)")
    let graded = try await runGradfuzz(["validate", "--no-cost", "--fixtures", problem.path, "--", "python3", student])
    #expect(graded.status == 0, "\(graded.stdout)\n\(graded.stderr)")

    let replayed = try await runGradfuzz(["replay", problem.path, "--impl", "python3 \(student)"])
    #expect(replayed.status == 1, "\(replayed.stdout)\n\(replayed.stderr)")
    #expect(replayed.stdout.contains("the cost is not finite (got inf"), "replay gives the non-finite cost's hint: \(replayed.stdout)")
    let replayedGradients = try await runGradfuzz(["replay", "--no-cost", problem.path, "--impl", "python3 \(student)"])
    #expect(replayedGradients.status == 0, "\(replayedGradients.stdout)\n\(replayedGradients.stderr)")
}

@Test(.spawnsProcesses) func noCostLetsTheFuzzerPassAProgramWhoseOnlyMistakeIsItsCost() async throws {
    let directory = try temporaryDirectory("no-cost-fuzz")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = try mistakenStudent(
        "cost = losses(loss, Z[-1], A[-1], Y).mean()", "cost = 2 * losses(loss, Z[-1], A[-1], Y).mean()", in: directory)
    let common = ["--impl", "python3 \(student)", "--iters", "8", "--seed", "5", "--max-depth", "2", "--max-width", "3"]
    let compared = try await runGradfuzz(common + ["--out", directory.appendingPathComponent("a").path])
    #expect(compared.status == 1 && compared.stdout.contains("cost wrong"), "\(compared.stdout)\n\(compared.stderr)")
    let ignored = try await runGradfuzz(common + ["--no-cost", "--out", directory.appendingPathComponent("b").path])
    #expect(ignored.status == 0 && ignored.stdout.contains("8 checked (8 passed, 0 failed)"), "\(ignored.stdout)\n\(ignored.stderr)")
}

@Test(.spawnsProcesses) func replaySaysWhereNonFiniteValuesComeFrom() async throws {
    let directory = try temporaryDirectory("replay-nan")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = try mistakenStudent("dW[l] = A[l].T @ g / m", "dW[l] = A[l].T @ g / m * np.nan", in: directory)
    let fixture = packageRoot.appendingPathComponent("fixtures/curated/one-neuron.json").path
    let run = try await runGradfuzz(["replay", fixture, "--impl", "python3 \(student)"])
    #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
    #expect(run.stdout.contains("non-finite values: the program computed NaN"), "\(run.stdout)")
}
