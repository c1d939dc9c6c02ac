import Foundation
import GradFuzzFixtures
import GradFuzzOracle
import Testing

@Test(.spawnsProcesses) func replayPrintsLayerByLayerAndExitsZeroWhenAllPass() async throws {
    let run = try await runGradfuzz(["replay", "fixtures/curated/hidden-softmax.json", "fixtures/curated/deep.json"], directory: packageRoot)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("hidden-softmax — PASS"))
    #expect(run.stdout.contains("layer  matrix  checked"))
    #expect(run.stdout.contains("    9  delta"), "the deep fixture's ninth layer is listed:\n\(run.stdout)")
    #expect(run.stdout.contains("2 passed, 0 failed"))
}

@Test(.spawnsProcesses) func replayExitsTwoOnBadInputAndStillReplaysTheRest() async throws {
    let bad = FileManager.default.temporaryDirectory.appendingPathComponent("gradfuzz-replay-\(UInt32.random(in: 0...UInt32.max)).json")
    try Data("{\"schema\": \"gradfuzz-fixture/1\", \"id\": \"bad\", \"layers\": [2, 1], \"activations\": [\"swish\"]}".utf8).write(to: bad)
    defer { try? FileManager.default.removeItem(at: bad) }
    let run = try await runGradfuzz(["replay", bad.path, "fixtures/curated/one-neuron.json"], directory: packageRoot)
    #expect(run.status == 2)
    #expect(run.stderr.contains("\(bad.path): \"activations[0]\": unknown activation \"swish\""), "\(run.stderr)")
    #expect(run.stdout.contains("one-neuron — PASS"))
    let missing = try await runGradfuzz(["replay", "no/such/dir"], directory: packageRoot)
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("no such file or directory"))
}

@Test(.spawnsProcesses) func fixturesRefreshRecomputesStoredValuesInPlace() async throws {
    let original = packageRoot.appendingPathComponent("fixtures/curated/one-neuron.json")
    let bytes = try Data(contentsOf: original)
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("gradfuzz-refresh-\(UInt32.random(in: 0...UInt32.max)).json")
    defer { try? FileManager.default.removeItem(at: copy) }
    // A stale stored cost: refreshing puts the reference's value back, and nothing else changes.
    let stale = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"cost\": ", with: "\"cost\": 1")
    try Data(stale.utf8).write(to: copy)
    let run = try await runGradfuzz(["fixtures", "--refresh", copy.path])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(try Data(contentsOf: copy) == bytes)
    // A bad file is named, and left as it was.
    try Data("{}".utf8).write(to: copy)
    let bad = try await runGradfuzz(["fixtures", "--refresh", copy.path])
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("\"layers\": missing"), "an empty object is a problem file without its fields: \(bad.stderr)")
    #expect(try Data(contentsOf: copy) == Data("{}".utf8))
}

@Test(.spawnsProcesses) func replayRunsAnExternalProgramOrAMutantAgainstTheOracle() async throws {
    let fixtures = ["fixtures/curated/hidden-tanh.json", "fixtures/curated/hidden-sigmoid.json"]
    let student = try await runGradfuzz(["replay"] + fixtures + ["--impl", "python3 Examples/python/student.py"], directory: packageRoot)
    #expect(student.status == 0, "\(student.stdout)\n\(student.stderr)")
    #expect(student.stdout.contains("2 passed, 0 failed"))
    // The tanh mistake fails where there is a tanh layer and is declined, not failed, where there is none.
    let mutant = try await runGradfuzz(["replay"] + fixtures + ["--mutant", "tanh_prime_one_minus_z_squared"], directory: packageRoot)
    #expect(mutant.status == 1, "\(mutant.stdout)\n\(mutant.stderr)")
    #expect(mutant.stdout.contains("hidden-tanh — FAIL"))
    #expect(mutant.stdout.contains("hidden-sigmoid — UNSUPPORTED"))
    #expect(mutant.stdout.contains("0 passed, 1 failed, 1 unsupported"))
    let both = try await runGradfuzz(["replay", fixtures[0], "--impl", "python3 x.py", "--mutant", "sign_flipped"], directory: packageRoot)
    #expect(both.status == 2)
    #expect(both.stderr.contains("give --impl or --mutant, not both"), "\(both.stderr)")
}

@Test(.spawnsProcesses) func replayAndRefreshOfNoFixtureAreErrorsNotSuccesses() async throws {
    let empty = try temporaryDirectory("replay-empty")
    let notJSON = try temporaryDirectory("replay-not-json")
    defer {
        try? FileManager.default.removeItem(at: empty)
        try? FileManager.default.removeItem(at: notJSON)
    }
    try Data("not a fixture".utf8).write(to: notJSON.appendingPathComponent("notes.txt"))
    for arguments in [["replay", empty.path], ["replay", notJSON.path], ["fixtures", "--refresh", empty.path]] {
        let run = try await runGradfuzz(arguments)
        #expect(run.status == 2, "\(arguments): status \(run.status), \(run.stdout)")
        #expect(
            run.stderr.contains("no fixture files (*.json)") && run.stderr.split(separator: "\n").count == 1,
            "\(arguments): \(run.stderr)")
    }
}

@Test(.spawnsProcesses) func replayOfFixturesEveryProgramDeclinesIsAnError() async throws {
    // The tanh mistake applies to no fixture without a tanh layer: it declines both.
    let run = try await runGradfuzz(
        [
            "replay", "fixtures/curated/hidden-sigmoid.json", "fixtures/curated/one-neuron.json",
            "--mutant", "tanh_prime_one_minus_z_squared",
        ], directory: packageRoot)
    #expect(run.status == 2, "status \(run.status): \(run.stdout)")
    #expect(run.stderr.contains("no fixture was checked") && run.stderr.contains("declined all 2"), "\(run.stderr)")
}

@Test(.spawnsProcesses) func anEmptyOutDirectoryIsAnError() async throws {
    let run = try await runGradfuzz(["fixtures", "--out", ""])
    #expect(run.status == 2 && run.stderr.contains("--out: expected a directory"), "\(run.stderr)")
}

/// A large network's check is announced on stderr before it starts, and runs on the cores given:
/// the verdict does not depend on --jobs.
@Test(.spawnsProcesses) func aLargeReplayIsAnnouncedAndUsesTheCores() async throws {
    let directory = try temporaryDirectory("replay-large")
    defer { try? FileManager.default.removeItem(at: directory) }
    let shape = try #require(Benchmark.shapes.first { $0.name == "L" })
    let file = directory.appendingPathComponent("large.json")
    try Fixture(id: "large", description: "the benchmark's L network", origin: .curated, problem: Benchmark.problem(shape))
        .write(to: file)
    let one = try await runGradfuzz(["replay", file.path, "--jobs", "1"], directory: packageRoot)
    let two = try await runGradfuzz(["replay", file.path, "--jobs", "2"], directory: packageRoot)
    #expect(one.status == 0 && two.status == 0, "\(one.stderr)\(two.stderr)")
    #expect(two.stderr.contains("checking 23690 entries against the GSL oracle"), "\(two.stderr)")
    #expect(one.stdout == two.stdout, "the verdict depends on --jobs")
    let bad = try await runGradfuzz(["replay", file.path, "--jobs", "0"], directory: packageRoot)
    #expect(bad.status == 2 && bad.stderr.contains("--jobs"), "\(bad.stderr)")
}
