import Foundation
import GradFuzzFixtures
import Testing

// --oracle of fuzz, replay and validate, and the oracle benchmarks of `gradfuzz bench`.

@Test(.spawnsProcesses) func theOracleIsChosenWithTheOracleOption() async throws {
    let directory = try temporaryDirectory("oracle-option")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("one.json")
    try testCases(["one"])[0].fixture.write(to: file)
    for method in ["units", "entries"] {
        let replay = try await runGradfuzz(["replay", file.path, "--oracle", method])
        #expect(replay.status == 0 && replay.stdout.contains("one — PASS"), "\(method): \(replay.stdout)\(replay.stderr)")
        let fuzz = try await runGradfuzz(
            ["fuzz", "--iters", "4", "--seed", "3", "--oracle", method, "--out", directory.appendingPathComponent("found").path])
        #expect(fuzz.status == 0 && fuzz.stdout.contains("against the GSL oracle (\(method))"), "\(method): \(fuzz.stdout)\(fuzz.stderr)")
    }
    let validate = try await runGradfuzz(["validate", "--oracle", "entries", "--fixtures", file.path, "--", "python3", exampleStudent])
    #expect(validate.status == 0 && validate.stdout.contains("a fresh GSL oracle (entries)"), "\(validate.stdout)\(validate.stderr)")
    let student = try mistakenStudent("db[l] = g.mean(axis=0)", "db[l] = g.sum(axis=0)", in: directory)
    let wrong = try await runGradfuzz(["validate", "--oracle", "units", "--fixtures", file.path, "--", "python3", student])
    #expect(wrong.status == 1 && wrong.stdout.contains("FAIL  one"), "\(wrong.stdout)\(wrong.stderr)")
    let unknown = try await runGradfuzz(["replay", file.path, "--oracle", "weights"])
    #expect(unknown.status == 2 && unknown.stderr.contains("units") && unknown.stderr.contains("entries"), "\(unknown.stderr)")
}

@Test(.spawnsProcesses) func benchComparesTheOraclesAndTimesAnyNetwork() async throws {
    let agreement = try await runGradfuzz(["bench", "--agreement", "--iters", "30", "--seed", "2"])
    #expect(agreement.status == 0 && agreement.stdout.contains("on 30 fuzz cases"), "\(agreement.stdout)\(agreement.stderr)")
    #expect(agreement.stdout.contains(", 0 outside the sum of the error estimates"), "\(agreement.stdout)")
    let custom = try await runGradfuzz(["bench", "--layers", "6,5,3", "--batch", "2", "--runs", "1", "--oracle", "entries"])
    #expect(custom.status == 0 && custom.stdout.contains("| 6x5x3 | 6,5,3 | relu → softmax, cross_entropy | 2 | 53 |"), "\(custom.stdout)\(custom.stderr)")
    #expect(custom.stdout.contains("oracle entries"), "\(custom.stdout)")
    let bad = try await runGradfuzz(["bench", "--layers", "6,x"])
    #expect(bad.status == 2 && bad.stderr.contains("--layers: expected at least two"), "\(bad.stderr)")
}
