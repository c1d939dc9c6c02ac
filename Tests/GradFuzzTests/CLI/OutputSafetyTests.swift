import Foundation
import Testing

// No output of a run is written over one of its inputs, two outputs never share a path, and every
// output path is checked before any work starts: a mistake in the options costs nothing.

/// Copies of two committed fixtures in a fresh directory, with their bytes.
private func copiedFixtures(_ name: String) throws -> (directory: URL, files: [String], bytes: [Data]) {
    let directory = try temporaryDirectory(name)
    var files: [String] = [], bytes: [Data] = []
    for source in ["depth-1", "hidden-tanh"] {
        let from = packageRoot.appendingPathComponent("fixtures/curated/\(source).json")
        let to = directory.appendingPathComponent("\(source).json")
        try FileManager.default.copyItem(at: from, to: to)
        files.append(to.path)
        bytes.append(try Data(contentsOf: to))
    }
    return (directory, files, bytes)
}

private func unchanged(_ files: [String], _ bytes: [Data]) -> Bool {
    zip(files, bytes).allSatisfy { (try? Data(contentsOf: URL(fileURLWithPath: $0))) == $1 }
}

@Test(.spawnsProcesses) func replayWithTheReportsNameForgottenLeavesEveryFixtureAsItWas() async throws {
    let (directory, files, bytes) = try copiedFixtures("html-glob")
    defer { try? FileManager.default.removeItem(at: directory) }
    // The shell's expansion of `replay --html *.json`: the first fixture takes the report's place.
    let run = try await runGradfuzz(["replay", "--html"] + files)
    #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
    #expect(run.stderr.contains("--html") && run.stderr.contains("fixture"), "\(run.stderr)")
    #expect(!run.stdout.contains("passed"), "refused before any fixture is replayed: \(run.stdout)")
    #expect(unchanged(files, bytes))
}

@Test(.spawnsProcesses) func anOutputThatIsOneOfTheInputsIsRefused() async throws {
    let (directory, files, bytes) = try copiedFixtures("output-input")
    defer { try? FileManager.default.removeItem(at: directory) }
    let replay = try await runGradfuzz(["replay", files[0], "--html", files[0]])
    #expect(replay.status == 2 && replay.stderr.contains("is one of the inputs"), "\(replay.stderr)")
    // The same file named another way: through a symbolic link.
    let link = directory.appendingPathComponent("link.json").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: files[1])
    let validate = try await runGradfuzz([
        "validate", "--fixtures", files[1], "--gradescope", link, "--", "python3", exampleStudent,
    ])
    #expect(validate.status == 2 && validate.stderr.contains("is one of the inputs"), "\(validate.stderr)")
    #expect(!validate.stdout.contains("PASS"), "refused before the program is asked: \(validate.stdout)")
    #expect(unchanged(files, bytes))
}

@Test(.spawnsProcesses) func twoOutputsOnOnePathAreRefused() async throws {
    let (directory, files, bytes) = try copiedFixtures("two-outputs")
    defer { try? FileManager.default.removeItem(at: directory) }
    let report = directory.appendingPathComponent("report.out").path
    let run = try await runGradfuzz([
        "validate", "--fixtures", files[0], "--junit", report, "--html", report, "--", "python3", exampleStudent,
    ])
    #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
    #expect(run.stderr.contains("--junit") && run.stderr.contains("--html") && run.stderr.contains("same"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: report))
    #expect(unchanged(files, bytes))
}

@Test(.spawnsProcesses) func everyOutputPathIsCheckedBeforeTheRunStarts() async throws {
    let directory = try temporaryDirectory("outputs-first")
    defer { try? FileManager.default.removeItem(at: directory) }
    let found = directory.appendingPathComponent("found")
    // A directory where the HTML report should go: said before any case is drawn, no fixture written.
    let fuzz = try await runGradfuzz([
        "--mutant", "no_one_over_m", "--iters", "50", "--seed", "1", "--out", found.path, "--html", directory.path,
    ])
    #expect(fuzz.status == 2 && fuzz.stderr.contains("--html"), "\(fuzz.stderr)")
    #expect(!fuzz.stdout.contains("iterations:"), "no case run: \(fuzz.stdout)")
    let written = (try? FileManager.default.contentsOfDirectory(atPath: found.path)) ?? []
    #expect(written.filter { $0.hasSuffix(".json") }.isEmpty, "\(written)")
    let validate = try await runGradfuzz([
        "validate", "--fixtures", packageRoot.appendingPathComponent("fixtures/curated/depth-1.json").path,
        "--junit", directory.path, "--", "python3", exampleStudent,
    ])
    #expect(validate.status == 2 && validate.stderr.contains("--junit"), "\(validate.stderr)")
    #expect(!validate.stdout.contains("PASS"), "refused before the program is asked: \(validate.stdout)")
}

@Test(.spawnsProcesses) func eachVerdictReachesALogAsItIsDecided() async throws {
    let directory = try temporaryDirectory("verdict-log")
    defer { try? FileManager.default.removeItem(at: directory) }
    // Answers the first request as the example does, then hangs: a CI job killed at its timeout.
    let student = try pythonScript(
        """
        import json, time
        from gradfuzz_student import answer, requests, reply
        from student import backprop
        for n, request in enumerate(requests()):
            if n > 1:  # the describe request, then the first fixture
                time.sleep(3600)
            reply(answer(request, backprop))
        """, in: directory)
    let fixtures = ["depth-1", "hidden-tanh"].map { packageRoot.appendingPathComponent("fixtures/curated/\($0).json").path }
    let run = try RunningGradfuzz(
        ["validate", "--fixtures"] + fixtures + ["--timeout", "3000", "--startup", "120", "--", "python3", student], output: directory)
    let logged = try await eventually(within: 120) { run.stdout.contains("PASS  depth-1") }
    run.send(SIGTERM)
    #expect(try await run.exitStatus(within: 30) == 143)
    #expect(logged && run.stdout.contains("PASS  depth-1"), "the first verdict was in the log before the run was ended: \(run.stdout)")
}

@Test(.spawnsProcesses) func anUnusableFixtureIsNamedWithWhyOnTheErrorLine() async throws {
    let directory = try temporaryDirectory("unusable")
    defer { try? FileManager.default.removeItem(at: directory) }
    let bad = directory.appendingPathComponent("broken.json")
    try Data("{\"layers\": [2, 2], \"activations\": [\"swish\"]}".utf8).write(to: bad)
    let run = try await runGradfuzz(["validate", "--fixtures", bad.path, "--", "python3", exampleStudent])
    #expect(run.status == 2)
    let line = run.stderr.split(separator: "\n").first.map(String.init) ?? ""
    #expect(line.contains("broken.json") && line.contains("unknown activation \"swish\""), "\(run.stderr)")
}

@Test(.spawnsProcesses) func aFuzzSummaryWithFailingCasesIsAReportToReplaceNotAnInput() async throws {
    let directory = try temporaryDirectory("summary-again")
    defer { try? FileManager.default.removeItem(at: directory) }
    // Its failing cases carry "layers" and "activations", as a problem file does.
    let arguments = [
        "fuzz", "--seed", "3", "--iters", "8", "--mutant", "no_one_over_m", "--max-depth", "2", "--no-shrink", "--out", "found", "--json", "summary.json",
    ]
    let first = try await runGradfuzz(arguments, directory: directory)
    #expect(first.status == 1, "\(first.stderr)")
    let again = try await runGradfuzz(arguments, directory: directory)
    #expect(again.status == 1, "the same run again replaces its summary: \(again.stderr)")
}
