import Foundation
import GradFuzz
import Testing

/// The fields of a JSON summary that cannot be equal between a run and its shards merged: the
/// timings, and the files shards wrote beyond the run's few fixtures of each kind of mistake.
private let timingFields = ["elapsedSeconds", "casesPerSecond", "shrinkingSeconds", "beyondQuota"]

/// A fuzz run small enough for a test, of a mistake that fails and declines cases (shrunk into
/// fixtures under `found/`), in `directory`, writing its summary to `json`.
private func fuzz(_ json: String, in directory: URL, seed: String = "11", shard: String? = nil) async throws -> (status: Int32, stdout: String, stderr: String)
{
    var arguments = [
        "fuzz", "--seed", seed, "--iters", "30", "--jobs", "2", "--mutant", "no_one_over_m", "--max-depth", "2", "--max-width", "4",
        "--max-batch", "3", "--out", "found", "--json", json,
    ]
    if let shard { arguments += ["--shard", shard] }
    return try await runGradfuzz(arguments, directory: directory)
}

/// A JSON summary as a dictionary, without the fields named in `timingFields`.
private func untimedJSON(_ url: URL) throws -> NSDictionary {
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    return object.filter { !timingFields.contains($0.key) } as NSDictionary
}

/// The summary's text from its counts on, without the line of timings and the note on the files
/// shards wrote beyond the run's few of each kind of mistake.
private func summaryText(_ stdout: String) -> String {
    guard let start = stdout.range(of: "\niterations: ") else { return "" }
    return stdout[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
        .filter { !$0.hasPrefix("note: the shards wrote") }.joined(separator: "\n")
}

@Test(.spawnsProcesses) func threeShardsMergedWriteAndPrintTheUnshardedRunsSummary() async throws {
    let directory = try temporaryDirectory("merge-shards")
    let whole = try await fuzz("whole.json", in: directory)
    #expect(whole.status == 1, "the mistake should fail cases: \(whole.stderr)")
    for k in 1...3 {
        let shard = try await fuzz("shard-\(k).json", in: directory, shard: "\(k)/3")
        #expect(shard.status <= 1, "\(shard.stderr)")
    }
    let merge = try await runGradfuzz(["merge", "shard-3.json", "shard-1.json", "shard-2.json", "--json", "merged.json"], directory: directory)
    #expect(merge.status == 1, "failures found: status 1, as fuzz's; \(merge.stderr)")
    let expected = try untimedJSON(directory.appendingPathComponent("whole.json"))
    let merged = try untimedJSON(directory.appendingPathComponent("merged.json"))
    #expect((expected["failures"] as? Int ?? 0) > 0 && !((expected["fixtures"] as? [String]) ?? []).isEmpty)
    #expect(merged == expected, "merged: \(merged)\nwhole: \(expected)")
    #expect(!summaryText(whole.stdout).isEmpty && summaryText(merge.stdout) == summaryText(whole.stdout), "\(merge.stdout)\n---\n\(whole.stdout)")
}

@Test(.spawnsProcesses) func mergeRefusesWithOneLineWhatCannotBeMerged() async throws {
    let directory = try temporaryDirectory("merge-refusals")
    _ = try await fuzz("a1.json", in: directory, seed: "1", shard: "1/2")
    _ = try await fuzz("a2.json", in: directory, seed: "1", shard: "2/2")
    _ = try await fuzz("b2.json", in: directory, seed: "2", shard: "2/2")
    let fixture = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("found").path).first)
    let cases: [(arguments: [String], says: String)] = [
        (["a1.json", "b2.json"], "b2.json is not a shard of the same run as a1.json: seed 2, not 1"),
        (["a1.json", "a2.json", "a2.json"], "a2.json and a2.json are both shard 2/2"),
        (["a1.json"], "shard 2/2 of the run is missing"),
        (["a1.json", "found/\(fixture)"], "expected a summary written by gradfuzz fuzz --json"),
        (["a1.json", "no-such.json"], "no-such.json: cannot read it"),
        (["a1.json", "a2.json", "--json", "a2.json"], "--json: a2.json is one of the inputs"),
        ([], "expected the shards' summaries"),
    ]
    let before = try Data(contentsOf: directory.appendingPathComponent("a2.json"))
    for (arguments, says) in cases {
        let merge = try await runGradfuzz(["merge"] + arguments, directory: directory)
        #expect(merge.status == 2, "\(arguments): \(merge.stdout)")
        #expect(merge.stderr.contains(says), "\(arguments): \(merge.stderr)")
        #expect(merge.stderr.split(separator: "\n").count == 1, "\(arguments): one line, got \(merge.stderr)")
    }
    #expect(try Data(contentsOf: directory.appendingPathComponent("a2.json")) == before, "an input was written over")
    let partial = try await runGradfuzz(["merge", "a1.json", "--allow-partial", "--json", "partial.json"], directory: directory)
    #expect(partial.status <= 1, "\(partial.stderr)")
    #expect(partial.stdout.contains("partial: merged shards 1/2 of the 30 iterations' run"), "\(partial.stdout)")
    // Written again over its own earlier output: a summary is a report, replaced whole.
    let again = try await runGradfuzz(["merge", "a1.json", "--allow-partial", "--json", "partial.json"], directory: directory)
    #expect(again.status == partial.status, "\(again.stderr)")
}

@Test(.spawnsProcesses) func shardsWithAFixtureFolderEachAreNamedInTheMergedText() async throws {
    let directory = try temporaryDirectory("merge-folders")
    for k in 1...2 {
        let shard = try await runGradfuzz(
            [
                "fuzz", "--seed", "5", "--iters", "10", "--mutant", "no_one_over_m", "--max-depth", "2", "--max-width", "3", "--min-batch", "2",
                "--max-batch", "3", "--shard", "\(k)/2", "--out", "found-\(k)", "--json", "s\(k).json",
            ], directory: directory)
        #expect(shard.status == 1, "\(shard.stderr)")
    }
    let merge = try await runGradfuzz(["merge", "s1.json", "s2.json"], directory: directory)
    #expect(merge.stdout.contains(" in 2 folders (found-1/, found-2/)"), "\(merge.stdout)")
}
