import Foundation
import GradFuzz
import GradFuzzTestSupport
import Testing

// A program computing in single precision, fuzzed and replayed with --tolerance float32.

@Test(.spawnsProcesses) func aFloat32StudentFuzzesCleanWithTheFloat32ToleranceAndItsMistakesAreStillFound() async throws {
    let directory = try temporaryDirectory("fuzz-float32")
    defer { try? FileManager.default.removeItem(at: directory) }
    let single = "python3 \(exampleStudent) --dtype float32"
    let clean = try await runGradfuzz([
        "--impl", single, "--tolerance", "float32", "--iters", "300", "--seed", "5",
        "--out", directory.appendingPathComponent("clean").path,
    ])
    #expect(clean.status == 0, "status \(clean.status): \(clean.stdout) \(clean.stderr)")
    #expect(clean.stdout.contains("failures: 0 cases"), "\(clean.stdout)")
    // Under float64's tolerance the same program fails: the option is what lets it through.
    let strict = try await runGradfuzz([
        "--impl", single, "--iters", "30", "--seed", "5", "--no-shrink",
        "--out", directory.appendingPathComponent("strict").path,
    ])
    #expect(strict.status == 1, "status \(strict.status): \(strict.stdout)")

    // The same student with a missing 1/m, in float32: still found, and the fixtures keep float32.
    let mistaken = try mistakenStudent("dW[l] = A[l].T @ g / m", "dW[l] = A[l].T @ g", in: directory)
    let found = directory.appendingPathComponent("found")
    let run = try await runGradfuzz([
        "--impl", "python3 \(mistaken) --dtype float32", "--tolerance", "float32", "--iters", "30",
        "--seed", "6", "--max-depth", "3", "--max-width", "5", "--out", found.path,
    ])
    #expect(run.status == 1, "status \(run.status): \(run.stdout) \(run.stderr)")
    let cases = try Validation.load([found.path])
    #expect(!cases.isEmpty)
    #expect(cases.allSatisfy { $0.fixture.tolerance == .float32 }, "\(cases.map(\.fixture.tolerance))")
    // validate and replay judge them alike, by the stored tolerance: the mistake fails, the right program passes.
    let wrong = await Validation.run(
        cases, implementation: ExternalImplementation(command: ["python3", mistaken, "--dtype", "float32"], startupAllowance: testStartupAllowance))
    #expect(wrong.results.allSatisfy { $0.outcome == .fail }, "\(wrong.summary)")
    let right = await Validation.run(
        cases, implementation: ExternalImplementation(command: ["python3", exampleStudent, "--dtype", "float32"], startupAllowance: testStartupAllowance))
    #expect(right.allPassed, "\(right.summary)")
    let file = cases[0].file
    #expect(try await runGradfuzz(["replay", file, "--impl", "python3 \(mistaken) --dtype float32"]).status == 1)
    let replayRight = try await runGradfuzz(["replay", file, "--impl", single])
    #expect(replayRight.status == 0, "\(replayRight.stdout)")
    // On replay, --tolerance overrides the stored one: the curated fixtures store float64.
    let curated = packageRoot.appendingPathComponent("fixtures/curated").path
    #expect(try await runGradfuzz(["replay", curated, "--impl", single]).status == 1)
    let relaxed = try await runGradfuzz(["replay", curated, "--impl", single, "--tolerance", "float32"])
    #expect(relaxed.status == 0, "\(relaxed.stdout.split(separator: "\n").filter { $0.contains("FAIL") })")
}

/// Cases where the float32 tolerance alone cried wolf on this correct float32 student (deep or
/// saturated networks, a σ near 0 or 1, a residual of large values), found by fuzzing it and shrunk:
/// fuzz, replay and validate pass it there now, since the float32 tolerance allows for its rounding.
@Test(.spawnsProcesses) func aFloat32StudentPassesWhereSinglePrecisionOnceCriedWolf() async throws {
    let folder = packageRoot.appendingPathComponent("fixtures/float32-regressions").path
    let cases = try Validation.load([folder])
    #expect(cases.count >= 20)
    #expect(cases.allSatisfy { $0.fixture.tolerance == .float32 })
    let single = "python3 \(exampleStudent) --dtype float32"
    let replay = try await runGradfuzz(["replay", folder, "--impl", single])
    #expect(replay.status == 0, "\(replay.stdout.split(separator: "\n").filter { $0.contains("FAIL") || $0.contains("allowed") })")
    // A float32 tolerance made stricter is still one for a float32 program: its rounding is still allowed.
    let stricter = try await runGradfuzz([
        "validate", "-q", "--fixtures", folder, "--tolerance", "float32", "--rtol", "1.9e-3", "--", "python3", exampleStudent, "--dtype", "float32",
    ])
    #expect(stricter.status == 0, "\(stricter.stdout)")
    let student = ExternalImplementation(command: ["python3", exampleStudent, "--dtype", "float32"], startupAllowance: testStartupAllowance)
    let validated = await Validation.run(cases, implementation: student)
    #expect(validated.allPassed, "\(validated.summary)")
    // They are hard cases: judged by rtol and atol alone, the same answers fail most of them.
    let plain = validated.results.filter { result in
        guard let answer = result.answer, let c = cases.first(where: { $0.fixture.id == result.id }) else { return false }
        return !Verdict(answer: answer, expected: c.fixture.expected.answer, tolerance: .float32).passed
    }
    #expect(plain.count > cases.count / 2, "\(plain.count) of \(cases.count)")
    // And the float32 tolerance is no blanket: the student with f where f' belongs fails them.
    let directory = try temporaryDirectory("float32-regressions")
    defer { try? FileManager.default.removeItem(at: directory) }
    let mistaken = try mistakenStudent(
        "g = backward(activations[l - 1], Z[l - 1], A[l], g @ W[l].T)",
        "g = activate(activations[l - 1], Z[l - 1]) * (g @ W[l].T)", in: directory)
    let wrong = await Validation.run(
        cases, implementation: ExternalImplementation(command: ["python3", mistaken, "--dtype", "float32"], startupAllowance: testStartupAllowance))
    #expect(wrong.count(.fail) > cases.count / 2, "\(wrong.summary)")
}
