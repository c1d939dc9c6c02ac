import Foundation
import Testing

// A tolerance stands for rounding. One loose enough to pass a program that forgets its 1/m is
// refused unless asked for by name (--allow-loose-tolerance), whether it comes from a flag or from
// a fixture's file; and a tolerance looser than the presets is said in every verdict it decides.

/// A curated fixture with a batch of 3: a missing 1/m makes every dW entry 3 times too large.
private let batchOfThree = "fixtures/curated/hidden-tanh.json"

/// The example student without the 1/m of dW.
private func studentMissingOneOverM(in directory: URL) throws -> String {
    try mistakenStudent("dW[l] = A[l].T @ g / m", "dW[l] = A[l].T @ g", in: directory)
}

/// `batchOfThree` with its stored tolerance replaced by `tolerance` (JSON text), in `directory`.
private func fixtureStoring(_ tolerance: String, in directory: URL, name: String = "loose.json") throws -> String {
    let text = try String(contentsOf: packageRoot.appendingPathComponent(batchOfThree), encoding: .utf8)
    let stored = "\"tolerance\": {\"rtol\": 1e-06, \"atol\": 1e-09}"
    #expect(text.contains(stored), "the fixture no longer stores the float64 preset as expected")
    let file = directory.appendingPathComponent(name)
    try text.replacingOccurrences(of: stored, with: "\"tolerance\": \(tolerance)").write(to: file, atomically: true, encoding: .utf8)
    return file.path
}

/// An error printed as the one line a usage error is.
private func oneLine(_ stderr: String) -> Bool {
    let text = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    return !text.isEmpty && !text.contains("\n")
}

@Test(.spawnsProcesses, arguments: [["--atol", "1e300"], ["--atol", "1"], ["--rtol", "0.9"]])
func aLooseToleranceOnTheCommandLineDoesNotLetAMissingOneOverMPass(_ loose: [String]) async throws {
    let directory = try temporaryDirectory("loose-flag")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = try studentMissingOneOverM(in: directory)
    let validate = try await runGradfuzz(["validate", "--fixtures", batchOfThree] + loose + ["--", "python3", student], directory: packageRoot)
    #expect(validate.status == 2, "\(validate.stdout)\(validate.stderr)")
    #expect(!validate.stdout.contains("PASS"), "\(validate.stdout)")
    #expect(oneLine(validate.stderr), "\(validate.stderr)")
    // The flag, the range allowed and the way to apply it anyway.
    for said in [loose[0], "rtol ≤ 0.01", "atol ≤ 0.001", "--allow-loose-tolerance"] {
        #expect(validate.stderr.contains(said), "“\(said)” missing: \(validate.stderr)")
    }
    // replay and fuzz take the same flags: the mutant missing its 1/m does not pass there either.
    let replay = try await runGradfuzz(["replay", batchOfThree, "--mutant", "no_one_over_m"] + loose, directory: packageRoot)
    #expect(replay.status == 2 && replay.stderr.contains("--allow-loose-tolerance"), "\(replay.stdout)\(replay.stderr)")
    let fuzz = try await runGradfuzz(
        ["--mutant", "no_one_over_m", "--iters", "3", "--seed", "1", "--out", directory.appendingPathComponent("found").path] + loose)
    #expect(fuzz.status == 2 && fuzz.stderr.contains("--allow-loose-tolerance"), "\(fuzz.stdout)\(fuzz.stderr)")
    #expect(!fuzz.stdout.contains("iterations"), "refused before any case")
}

@Test(.spawnsProcesses) func aFixtureStoringALooseToleranceIsRefusedNamingTheFileAndTheField() async throws {
    let directory = try temporaryDirectory("loose-fixture")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = try studentMissingOneOverM(in: directory)
    let atol = try fixtureStoring("{\"rtol\": 1e-06, \"atol\": 1e300}", in: directory)
    let validate = try await runGradfuzz(["validate", "--fixtures", atol, "--", "python3", student], directory: packageRoot)
    #expect(validate.status == 2, "\(validate.stdout)\(validate.stderr)")
    #expect(!validate.stdout.contains("PASS"), "\(validate.stdout)")
    #expect(oneLine(validate.stderr), "\(validate.stderr)")
    for said in ["loose.json", "tolerance.atol", "atol ≤ 0.001", "--allow-loose-tolerance"] {
        #expect(validate.stderr.contains(said), "“\(said)” missing: \(validate.stderr)")
    }
    let rtol = try fixtureStoring("{\"rtol\": 0.9, \"atol\": 1e-09}", in: directory, name: "loose-rtol.json")
    let replay = try await runGradfuzz(["replay", rtol, "--mutant", "no_one_over_m"], directory: packageRoot)
    #expect(replay.status == 2, "\(replay.stdout)\(replay.stderr)")
    #expect(!replay.stdout.contains("PASS"), "\(replay.stdout)")
    #expect(replay.stdout.contains("loose-rtol.json") && replay.stdout.contains("tolerance.rtol"), "\(replay.stdout)")
}

@Test(.spawnsProcesses) func aLooseToleranceAskedForByNameIsSaidInEveryVerdictAndTheSummary() async throws {
    let directory = try temporaryDirectory("loose-allowed")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = try studentMissingOneOverM(in: directory)
    let stored = try fixtureStoring("{\"rtol\": 1e-06, \"atol\": 1e300}", in: directory)
    for fixtures in [[batchOfThree, "--atol", "1e300"], [stored]] {
        let run = try await runGradfuzz(
            ["validate", "--allow-loose-tolerance", "--fixtures"] + fixtures + ["--", "python3", student], directory: packageRoot)
        // Asked for, it applies: the program passes, and every line that says so says under what.
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let verdicts = run.stdout.split(separator: "\n").filter { $0.hasPrefix("PASS") }
        #expect(verdicts.count == 1, "\(run.stdout)")
        #expect(verdicts.allSatisfy { $0.contains("atol 1e+300") && $0.contains("looser than the float64 preset") }, "\(run.stdout)")
        let summary = run.stdout.split(separator: "\n").first { $0.hasPrefix("1 fixture:") }
        #expect(summary?.contains("looser than") == true, "\(run.stdout)")
    }
    let replay = try await runGradfuzz(["replay", stored, "--mutant", "no_one_over_m", "--allow-loose-tolerance"], directory: packageRoot)
    #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
    let verdict = replay.stdout.split(separator: "\n").first { $0.contains("PASS") }
    #expect(verdict?.contains("looser than the float64 preset") == true, "\(replay.stdout)")
}

@Test(.spawnsProcesses) func aToleranceWithinTheRangeButLooserThanItsPresetIsSaid() async throws {
    let directory = try temporaryDirectory("preset-note")
    defer { try? FileManager.default.removeItem(at: directory) }
    let fuzz = try await runGradfuzz(["--iters", "3", "--seed", "1", "--atol", "1e-4", "--out", directory.appendingPathComponent("found").path])
    #expect(fuzz.status == 0, "\(fuzz.stdout)\(fuzz.stderr)")
    // In the heading and again beside the totals.
    let said = fuzz.stdout.split(separator: "\n").filter { $0.contains("atol 0.0001") && $0.contains("looser than the float64 preset") }
    #expect(said.count == 2, "\(fuzz.stdout)")
    let presets = try await runGradfuzz(["--iters", "3", "--seed", "1", "--out", directory.appendingPathComponent("found").path])
    #expect(presets.status == 0 && !presets.stdout.contains("looser than"), "\(presets.stdout)")
    let replay = try await runGradfuzz(["replay", batchOfThree, "--tolerance", "float32"], directory: packageRoot)
    #expect(replay.status == 0 && !replay.stdout.contains("looser than"), "a preset is not looser than the presets: \(replay.stdout)")
}
