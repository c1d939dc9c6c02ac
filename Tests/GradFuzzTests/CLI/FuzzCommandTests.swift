import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzFuzzing
import Testing

@Test(
    .spawnsProcesses,
    arguments: [
        ["--iters", "-1"], ["--iters", "abc"], ["--max-width", "0"], ["--max-depth", "0"], ["--max-batch", "-3"],
        ["--activations", "relux"], ["--losses", "cross_entropy", "--activations", "relu"], ["--jobs", "0"],
        ["--shard", "3/2"], ["--seed", "-5"], ["--out", "/proc/gradfuzz-cannot-write-here"], ["--no-such-flag"],
        ["--json", "/proc/gradfuzz-cannot-write-here.json"], ["--max-width", "100000000"],
        ["--shard", "50/100"], ["--out", ""], ["--json", ""], ["--timeout", "0"],
    ])
func badFlagValuesAreOneLineErrorsWithStatus2(_ arguments: [String]) async throws {
    let run = try await runGradfuzz(["--iters", "5"] + arguments)
    #expect(run.status == 2, "\(arguments): status \(run.status), stderr \(run.stderr)")
    let lines = run.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(arguments): expected one line, got \(run.stderr)")
    #expect(run.stdout.isEmpty, "\(arguments): printed \(run.stdout)")
}

@Test(.spawnsProcesses) func aShortRunIsTheDefaultCommandAndWritesItsSummaryAsJSON() async throws {
    let out = try temporaryDirectory("fuzz")
    defer { try? FileManager.default.removeItem(at: out) }
    let json = out.appendingPathComponent("summary.json")
    let run = try await runGradfuzz([
        "--iters", "30", "--seed", "7", "--jobs", "2", "--max-depth", "3", "--max-width", "6",
        "--out", out.appendingPathComponent("found").path, "--json", json.path,
    ])
    #expect(run.status == 0, "status \(run.status): \(run.stdout) \(run.stderr)")
    #expect(run.stdout.contains("seed 7") && run.stdout.contains("coverage"), "\(run.stdout)")
    let summary = try JSONDecoder().decode(FuzzSummary.self, from: Data(contentsOf: json))
    #expect(summary.seed == 7 && summary.iterationsRun == 30 && summary.failures == 0 && summary.entriesChecked > 0)
    #expect(summary.networksByDepth.reduce(0, +) == 30)
}

@Test(.spawnsProcesses) func anExternalProgramWithAMissingOneOverMIsCaughtAndShrunk() async throws {
    let directory = try temporaryDirectory("fuzz-impl")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = try mistakenStudent("dW[l] = A[l].T @ g / m", "dW[l] = A[l].T @ g", in: directory)
    let found = directory.appendingPathComponent("found")
    let run = try await runGradfuzz([
        "--impl", "python3 \(student)", "--iters", "20", "--seed", "3", "--max-depth", "3",
        "--max-width", "5", "--out", found.path,
    ])
    #expect(run.status == 1, "status \(run.status): \(run.stdout) \(run.stderr)")
    let files = try FileManager.default.contentsOfDirectory(at: found, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "json" }
    #expect(!files.isEmpty, "no fixture written: \(run.stdout)")
    for file in files {
        let fixture = try Fixture.read(from: file)
        let p = fixture.problem
        #expect(
            p.network.depth <= 2 && p.network.layers.allSatisfy { $0 <= 2 } && p.batchSize == 2,
            "\(file.lastPathComponent): layers \(p.network.layers), batch \(p.batchSize)")
        #expect(fixture.origin.command == "gradfuzz replay \(file.path) --impl 'python3 \(student)'")
    }
    // The origin's command replays the failure: the mistaken program still fails the written fixture.
    let replay = try await runGradfuzz(["replay", files[0].path, "--impl", "python3 \(student)"])
    #expect(replay.status == 1, "\(replay.stdout)\n\(replay.stderr)")
}

@Test(.spawnsProcesses) func anExternalProgramThatCannotStartIsAUsageError() async throws {
    let run = try await runGradfuzz(["--impl", "gradfuzz-no-such-program", "--iters", "5", "--out", try temporaryDirectory("fuzz-no-program").path])
    #expect(run.status == 2, "status \(run.status): \(run.stderr)")
    #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty, "stdout \(run.stdout), stderr \(run.stderr)")
}

@Test(
    .spawnsProcesses,
    arguments: [
        ["--iters", "5", "--timeout", "-1"], ["--iters", "5", "--startup", "-5"], ["--iters", "-1"], ["--max-batch", "-3"],
        ["--seed", "-5"], ["replay", "fixtures/curated/one-neuron.json", "--timeout", "-1"],
        ["validate", "--rtol", "-1", "--", "python3", "x.py"], ["validate", "--startup", "-5", "--", "python3", "x.py"],
    ])
func negativeNumbersSayWhatWasExpected(_ arguments: [String]) async throws {
    let run = try await runGradfuzz(arguments, directory: packageRoot)
    #expect(run.status == 2, "\(arguments): status \(run.status), stderr \(run.stderr)")
    #expect(
        run.stderr.hasPrefix("gradfuzz: ") && run.stderr.contains("expected") && !run.stderr.contains("Missing value"),
        "\(arguments): \(run.stderr)")
    #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
}

@Test(.spawnsProcesses) func helpPrintsEachDefaultOnceAndNoSentenceBrokenByTheSource() async throws {
    for command in ["fuzz", "replay", "validate", "mutants", "fixtures", "bench"] {
        let run = try await runGradfuzz([command, "--help"])
        #expect(run.status == 0, "\(command): \(run.stderr)")
        for line in run.stdout.split(separator: "\n") {
            #expect(line.components(separatedBy: "default").count <= 2, "\(command): \(line)")
        }
        #expect(!run.stdout.contains("(default 6)") && !run.stdout.contains("default: 6)."), "\(command): \(run.stdout)")
    }
    // The discussion wraps as one paragraph: no line ends in the middle of "for any --jobs, and --shard".
    let fuzz = try await runGradfuzz(["fuzz", "--help"])
    #expect(fuzz.stdout.contains("verdicts for any --jobs, and --shard K/N splits a run between N machines."), "\(fuzz.stdout)")
}

@Test(.spawnsProcesses) func aShardWithNoIterationIsAnErrorNotASuccess() async throws {
    let run = try await runGradfuzz(["--shard", "50/100", "--iters", "20", "--out", try temporaryDirectory("fuzz-empty-shard").path])
    #expect(run.status == 2, "status \(run.status): \(run.stdout)")
    #expect(run.stderr.contains("--shard 50/100") && run.stderr.contains("expected --iters ≥ 50"), "\(run.stderr)")
}

@Test func aShardCountsItsIterationsWithoutWalkingThem() {
    for (k, n, total) in [(1, 1, 20), (3, 4, 20), (4, 4, 3), (50, 100, 20), (50, 100, 50), (2, 3, 1000)] {
        let shard = Shard(index: k, count: n)
        #expect(shard.count(of: total) == Array(shard.iterations(of: total)).count, "\(shard) of \(total)")
    }
    #expect(Shard.whole.count(of: Int.max) == Int.max)
    #expect(Shard(index: 2, count: 3).count(of: Int.max) == (Int.max - 2) / 3 + 1)
}

@Test(.spawnsProcesses) func theLargestRunStartsAtOnceAndStopsAtTheFirstInterrupt() async throws {
    let directory = try temporaryDirectory("fuzz-largest")
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try RunningGradfuzz(
        [
            "--iters", "9223372036854775807", "--jobs", "1", "--max-depth", "1", "--max-width", "2",
            "--max-batch", "1", "--out", directory.appendingPathComponent("found").path,
        ], output: directory)
    // Generous waits that only a failure spends: a run that first walked its 2⁶³ iterations would never start.
    let started = try await eventually(within: 60) { run.stdout.contains("testing reference") }
    #expect(started, "no first case within 60 s: \(run.stdout)")
    try await Task.sleep(for: .milliseconds(500))
    run.send(SIGINT)
    let status = try await run.exitStatus(within: 60)
    #expect(status == 130, "status \(String(describing: status)): \(run.stderr)")
    #expect(run.stdout.contains("of 9223372036854775807 (interrupted)"), "\(run.stdout)")
}

@Test(.spawnsProcesses) func lossesThatCannotBeDrawnAreNamedWithWhy() async throws {
    let run = try await runGradfuzz([
        "--activations", "relu", "--losses", "cross_entropy,squared_error", "--iters", "3", "--seed", "1",
        "--out", try temporaryDirectory("fuzz-dropped").path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("cross_entropy") && run.stdout.contains("needs a softmax output layer"), "\(run.stdout)")
}

@Test(.spawnsProcesses) func aRunWhereNoCaseCouldBeCheckedIsNotASuccess() async throws {
    // The tanh mistake declines every case without a tanh layer: with relu only, it answers none.
    let run = try await runGradfuzz([
        "--mutant", "tanh_prime_one_minus_z_squared", "--activations", "relu", "--losses", "squared_error",
        "--iters", "5", "--seed", "1", "--out", try temporaryDirectory("fuzz-unchecked").path,
    ])
    #expect(run.status == 2, "status \(run.status): \(run.stdout)")
    #expect(run.stderr.contains("no case was checked: tanh_prime_one_minus_z_squared declined 5 of the 5 cases"), "\(run.stderr)")
    #expect(
        run.stderr.contains("by loss: squared_error 5") && run.stderr.contains("--hidden-activations"),
        "it names what was declined and the family options: \(run.stderr)")
}
