import Foundation
import Testing
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzFuzzing

@Test(arguments: [
    ["--iters", "-1"], ["--iters", "abc"], ["--max-width", "0"], ["--max-depth", "0"], ["--max-batch", "-3"],
    ["--activations", "relux"], ["--losses", "cross_entropy", "--activations", "relu"], ["--jobs", "0"],
    ["--shard", "3/2"], ["--seed", "-5"], ["--out", "/proc/gradfuzz-cannot-write-here"], ["--no-such-flag"],
    ["--json", "/proc/gradfuzz-cannot-write-here.json"], ["--max-width", "100000000"],
])
func badFlagValuesAreOneLineErrorsWithStatus2(_ arguments: [String]) throws {
    let run = try runGradfuzz(["--iters", "5"] + arguments)
    #expect(run.status == 2, "\(arguments): status \(run.status), stderr \(run.stderr)")
    let lines = run.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(arguments): expected one line, got \(run.stderr)")
    #expect(run.stdout.isEmpty, "\(arguments): printed \(run.stdout)")
}

@Test func aShortRunIsTheDefaultCommandAndWritesItsSummaryAsJSON() throws {
    let out = try temporaryDirectory("fuzz")
    defer { try? FileManager.default.removeItem(at: out) }
    let json = out.appendingPathComponent("summary.json")
    let run = try runGradfuzz(["--iters", "30", "--seed", "7", "--jobs", "2", "--max-depth", "3", "--max-width", "6",
                               "--out", out.appendingPathComponent("found").path, "--json", json.path])
    #expect(run.status == 0, "status \(run.status): \(run.stdout) \(run.stderr)")
    #expect(run.stdout.contains("seed 7") && run.stdout.contains("coverage"), "\(run.stdout)")
    let summary = try JSONDecoder().decode(FuzzSummary.self, from: Data(contentsOf: json))
    #expect(summary.seed == 7 && summary.iterationsRun == 30 && summary.failures == 0 && summary.entriesChecked > 0)
    #expect(summary.networksByDepth.reduce(0, +) == 30)
}

@Test func anExternalProgramWithAMissingOneOverMIsCaughtAndShrunk() throws {
    let directory = try temporaryDirectory("fuzz-impl")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = try mistakenStudent("dW[l] = A[l].T @ g / m", "dW[l] = A[l].T @ g", in: directory)
    let found = directory.appendingPathComponent("found")
    let run = try runGradfuzz(["--impl", "python3 \(student)", "--iters", "20", "--seed", "3", "--max-depth", "3",
                               "--max-width", "5", "--out", found.path])
    #expect(run.status == 1, "status \(run.status): \(run.stdout) \(run.stderr)")
    let files = try FileManager.default.contentsOfDirectory(at: found, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "json" }
    #expect(!files.isEmpty, "no fixture written: \(run.stdout)")
    for file in files {
        let fixture = try Fixture.read(from: file)
        let p = fixture.problem
        #expect(p.network.depth <= 2 && p.network.layers.allSatisfy { $0 <= 2 } && p.batchSize == 2,
                "\(file.lastPathComponent): layers \(p.network.layers), batch \(p.batchSize)")
        #expect(fixture.origin.command == "gradfuzz replay \(file.path) --impl 'python3 \(student)'")
    }
    // The origin's command replays the failure: the mistaken program still fails the written fixture.
    let replay = try runGradfuzz(["replay", files[0].path, "--impl", "python3 \(student)"])
    #expect(replay.status == 1, "\(replay.stdout)\n\(replay.stderr)")
}

@Test func anExternalProgramThatCannotStartIsAUsageError() throws {
    let run = try runGradfuzz(["--impl", "gradfuzz-no-such-program", "--iters", "5", "--out", try temporaryDirectory("fuzz-no-program").path])
    #expect(run.status == 2, "status \(run.status): \(run.stderr)")
    #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty, "stdout \(run.stdout), stderr \(run.stderr)")
}
