import Foundation
import Testing
@testable import GradFuzz

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
    let out = temporaryDirectory()
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
