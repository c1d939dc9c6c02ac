import Foundation
import GradFuzzStudents
import GradFuzzTestSupport
import Testing

@testable import GradFuzzCore
@testable import GradFuzzFixtures
@testable import GradFuzzFuzzing

// Families on the command line, end to end: the example student restricted to one family with
// --family, fuzzed, validated and replayed with the matching family options; exams; problem files.

@Test(.spawnsProcesses, arguments: Family.named.map(\.name))
func fuzzWithTheFamilyOptionsAnswersNearlyEveryCase(_ name: String) async throws {
    let directory = try temporaryDirectory("fuzz-family")
    defer { try? FileManager.default.removeItem(at: directory) }
    let json = directory.appendingPathComponent("summary.json")
    let run = try await runGradfuzz([
        "--impl", "python3 \(exampleStudent) --family \(name)", "--family", name, "--iters", "60", "--seed", "5",
        "--jobs", "2", "--out", directory.appendingPathComponent("found").path, "--json", json.path,
    ])
    #expect(run.status == 0, "\(name): status \(run.status): \(run.stdout)\n\(run.stderr)")
    let summary = try JSONDecoder().decode(FuzzSummary.self, from: Data(contentsOf: json))
    #expect(summary.failures == 0 && summary.checked + summary.declined + summary.oracleUnusable == 60)
    #expect(summary.answeredFraction >= 0.95, "\(name): \(summary.declined) of 60 declined: \(summary.declinedDescription)")
    #expect(!run.stdout.contains("most cases were declined"))
}

/// A failing case shrinks within the family: a program that answers everything, fuzzed inside a
/// family, gets fixtures its family's validate will run (not an identity layer it never supports).
@Test(.spawnsProcesses) func failingCasesShrinkWithinTheFamily() async throws {
    let directory = try temporaryDirectory("family-shrink")
    defer { try? FileManager.default.removeItem(at: directory) }
    let family = try #require(Family.named("sigmoid-squared-error"))
    let run = try await runGradfuzz([
        "--mutant", "f_instead_of_fprime", "--family", "sigmoid-squared-error", "--min-batch", "2", "--iters", "10", "--seed", "2",
        "--out", directory.path,
    ])
    #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
    let cases = try Validation.load([directory.path])
    #expect(!cases.isEmpty)
    for c in cases {
        #expect(family.whyOutside(c.fixture.problem) == nil, "\(c.fixture.id): \(family.whyOutside(c.fixture.problem) ?? "")")
        #expect(c.fixture.problem.batchSize >= 2, "--min-batch 2 holds while shrinking")
    }
}

@Test(.spawnsProcesses) func fuzzWithoutTheFamilyOptionsSaysWhatWasDeclined() async throws {
    let directory = try temporaryDirectory("fuzz-declined")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = "python3 \(exampleStudent) --family tanh-sigmoid-squared-error"
    // Most cases declined: the run checks the rest and says so.
    let some = try await runGradfuzz([
        "--impl", student, "--activations", "tanh,sigmoid,relu", "--losses", "squared_error,hinge", "--iters", "40",
        "--seed", "2", "--jobs", "2", "--out", directory.path,
    ])
    #expect(some.status == 0, "\(some.stdout)\n\(some.stderr)")
    #expect(some.stdout.contains("note: most cases were declined") && some.stdout.contains("--family NAME"), "\(some.stdout)")
    // Nothing checked: exit 2, naming what was declined and the family options.
    let none = try await runGradfuzz(["--impl", student, "--activations", "relu", "--iters", "10", "--seed", "2", "--out", directory.path])
    #expect(none.status == 2, "\(none.stdout)\n\(none.stderr)")
    #expect(
        none.stderr.contains("no case was checked") && none.stderr.contains("by activation (in some layer): relu 10")
            && none.stderr.contains("--hidden-activations"), "\(none.stderr)")
}

@Test(.spawnsProcesses) func validateWithTheFamilyReportsACompleteExamAndExitsZero() async throws {
    let name = "relu-softmax-cross-entropy"
    let right = try await runGradfuzz(
        ["validate", "-q", "--fixtures", "fixtures", "--family", name, "--", "python3", exampleStudent, "--family", name],
        directory: packageRoot)
    #expect(right.status == 0, "\(right.stdout)\n\(right.stderr)")
    #expect(right.stdout.contains("outside the family (skipped)") && right.stdout.contains("0 unsupported"), "\(right.stdout)")
    #expect(right.stdout.contains("a complete exam"), "\(right.stdout)")
    // A mistake that can occur in the family fails inside it: exit 1, and the exam is not complete for it.
    let directory = try temporaryDirectory("validate-family")
    defer { try? FileManager.default.removeItem(at: directory) }
    let mistaken = try mistakenStudent("g = A[-1] * Y.sum(axis=1, keepdims=True) - Y", "g = A[-1] - 2 * Y", in: directory)
    let wrong = try await runGradfuzz(
        ["validate", "-q", "--fixtures", "fixtures/exams/\(name)", "--family", name, "--", "python3", mistaken, "--family", name],
        directory: packageRoot)
    #expect(wrong.status == 1 && wrong.stdout.contains("incomplete"), "\(wrong.stdout)\n\(wrong.stderr)")
    // No fixture inside the family: exit 2.
    let none = try await runGradfuzz(
        ["validate", "--fixtures", "fixtures/curated/one-neuron.json", "--family", name, "--", "python3", exampleStudent],
        directory: packageRoot)
    #expect(none.status == 2 && none.stderr.contains("no fixture is inside the family"), "\(none.stderr)")
}

@Test(.spawnsProcesses) func aFamilyWithNoValidNetworkIsAUsageErrorNamingWhy() async throws {
    for (arguments, words) in [
        (["--output-activations", "tanh", "--losses", "cross_entropy"], "cross_entropy needs softmax"),
        (["--hidden-activations", "", "--min-depth", "2"], "expected at least one"),
        (["--family", "relu-everything"], "unknown family \"relu-everything\""),
        (["--min-depth", "4", "--max-depth", "2"], "--min-depth 4 is above --max-depth 2"),
        (["--outputs", "3-1"], "expected N, N-M or N-"),
        (["--labels", "fuzzy"], "expected hard, soft, one-hot"),
    ] {
        for command in [["exam", "--out", "/tmp/gradfuzz-never-written"], ["fuzz", "--iters", "1"]] {
            let run = try await runGradfuzz(command + arguments)
            #expect(
                run.status == 2 && run.stderr.contains(words) && run.stderr.split(separator: "\n").count == 1,
                "\(command + arguments): \(run.status) \(run.stderr)")
        }
    }
}

@Test(.spawnsProcesses) func examIsTheSameBytesForTheSameSeedAndCompleteForItsFamily() async throws {
    let directory = try temporaryDirectory("exam")
    defer { try? FileManager.default.removeItem(at: directory) }
    let options = ["--hidden-activations", "tanh,relu", "--output-activations", "identity", "--losses", "squared_error,huber", "--max-depth", "3"]
    func exam(_ seed: String, _ out: String) async throws -> [String: Data] {
        let run = try await runGradfuzz(["exam"] + options + ["--seed", seed, "--out", directory.appendingPathComponent(out).path])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("catalogued mistakes that can occur in the family fails at least one"), "\(run.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(out).path).sorted()
        return try Dictionary(uniqueKeysWithValues: files.map { ($0, try Data(contentsOf: directory.appendingPathComponent(out).appendingPathComponent($0))) })
    }
    let one = try await exam("3", "one"), again = try await exam("3", "again"), other = try await exam("4", "other")
    #expect(one == again, "same seed, same bytes")
    #expect(one != other, "another seed, another exam")
    #expect(one["manifest.json"] != nil && one.count >= 2)
    let fixtures = try Fixture.files(in: [directory.appendingPathComponent("one").path]).map { try Fixture.read(from: $0) }
    var family = Family(hiddenActivations: [.tanh, .relu], outputActivations: [.identity], losses: [.squaredError, .huber])
    family.depth = 1...3
    expectComplete(fixtures, family: family, "custom exam")
    let manifest = try JSONSerialization.jsonObject(with: one["manifest.json"]!) as! [String: Any]
    #expect((manifest["command"] as? String)?.contains("--hidden-activations tanh,relu") == true && manifest["seed"] as? Int == 3)
}

@Test(.spawnsProcesses) func aProblemFileReplaysValidatesAndCompletes() async throws {
    let directory = try temporaryDirectory("problem-file")
    defer { try? FileManager.default.removeItem(at: directory) }
    let problem = randomProblem([3, 4, 2], [.relu, .softmax], .crossEntropy, batch: 2, seed: 21)
    let file = directory.appendingPathComponent("mine.json")
    try JSONEncoder().encode(RawProblem(problem)).write(to: file)
    let replay = try await runGradfuzz(["replay", file.path])
    #expect(replay.status == 0 && replay.stdout.contains("mine — PASS"), "\(replay.stdout)\n\(replay.stderr)")
    let validate = try await runGradfuzz(["validate", "--fixtures", file.path, "--", "python3", exampleStudent])
    #expect(validate.status == 0 && validate.stdout.contains("PASS  mine"), "\(validate.stdout)\n\(validate.stderr)")
    // Outside the family given, the problem is skipped rather than replayed.
    let skipped = try await runGradfuzz(["replay", file.path, "--family", "sigmoid-squared-error"])
    #expect(skipped.status == 2 && skipped.stdout.contains("SKIPPED, outside the family"), "\(skipped.stdout)")
    let complete = try await runGradfuzz(["fixtures", "--complete", file.path])
    #expect(complete.status == 0, "\(complete.stderr)")
    let completed = try Data(contentsOf: file)
    #expect(completed == Fixture(id: "mine", description: "", origin: Fixture.Origin(kind: "problem"), problem: problem).json())
    // A malformed problem file gets the same one-line error as a fixture, and is left as it was.
    var raw = RawProblem(problem)
    raw.W = [[[1, 2, 3, 4]], [[1, 2]]]
    let bad = directory.appendingPathComponent("bad.json")
    let badBytes = try JSONEncoder().encode(raw)
    try badBytes.write(to: bad)
    let refused = try await runGradfuzz(["fixtures", "--complete", bad.path])
    #expect(
        refused.status == 2 && refused.stderr.contains("\"W[0]\": expected 3×4") && refused.stderr.split(separator: "\n").count == 1,
        "\(refused.stderr)")
    #expect(try Data(contentsOf: bad) == badBytes)
}

@Test(.spawnsProcesses) func anExamWrittenAgainReplacesTheOlderOneWhole() async throws {
    let directory = try temporaryDirectory("exam-rerun")
    defer { try? FileManager.default.removeItem(at: directory) }
    let out = directory.appendingPathComponent("exam")
    let first = try await runGradfuzz(["exam", "--family", "relu-softmax-cross-entropy", "--seed", "5", "--out", out.path])
    #expect(first.status == 0, "\(first.stderr)")
    let older = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
    // A seed whose exam has fewer fixtures: none of the older one may stay beside it.
    let second = try await runGradfuzz(["exam", "--family", "relu-softmax-cross-entropy", "--seed", "1", "--out", out.path])
    #expect(second.status == 0, "\(second.stderr)")
    let fixtures = try Fixture.files(in: [out.path]).map { try Fixture.read(from: $0, oracle: nil) }
    #expect(!fixtures.isEmpty && fixtures.allSatisfy { $0.origin.seed == 1 }, "older files \(older) stayed: \(fixtures.map(\.id))")
    // Anything that is not part of an exam is never replaced.
    try Data("notes".utf8).write(to: out.appendingPathComponent("notes.txt"))
    let refused = try await runGradfuzz(["exam", "--family", "relu-softmax-cross-entropy", "--seed", "2", "--out", out.path])
    #expect(refused.status == 2 && refused.stderr.contains("holds notes.txt"), "\(refused.stderr)")
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("notes.txt").path))
}

@Test(.spawnsProcesses) func aFileWhereAnExamOrTheCuratedSetShouldGoIsSaidBeforeAnythingIsWritten() async throws {
    let directory = try temporaryDirectory("exam-file")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: file)
    let exam = try await runGradfuzz(["exam", "--family", "sigmoid-squared-error", "--out", file.path])
    #expect(exam.status == 2 && exam.stderr.contains("it is a regular file; expected a directory"), "\(exam.stderr)")
    let curated = directory.appendingPathComponent("curated")
    let fixtures = try await runGradfuzz(["fixtures", "--out", curated.path, "--exams", file.path])
    #expect(fixtures.status == 2 && fixtures.stderr.contains("--exams"), "\(fixtures.stderr)")
    #expect(fixtures.stderr.contains("it is a regular file; expected a directory"), "\(fixtures.stderr)")
    for run in [exam, fixtures] {
        let message = withoutPath(run.stderr, directory)
        #expect(message.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1 && !isRawFoundationError(message), "\(run.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: curated.path), "nothing written before the error")
}

@Test(.spawnsProcesses) func fuzzOfAProgramThatDeclaresItsFamilyDrawsOnlyFromIt() async throws {
    let directory = try temporaryDirectory("fuzz-declared")
    defer { try? FileManager.default.removeItem(at: directory) }
    let program = "python3 \(exampleStudent) --family relu-identity-squared-error --declare"
    let run = try await runGradfuzz(["fuzz", "--impl", program, "--iters", "60", "--seed", "3", "--out", directory.path])
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    // Without the declaration, this program declines every case outside its family.
    #expect(run.stdout.contains("family declared by the program: relu-identity-squared-error"), "\(run.stdout)")
    #expect(run.stdout.contains("cases: 60 checked (60 passed, 0 failed), 0 declined by the program"), "\(run.stdout)")
    let contradicting = try await runGradfuzz(["fuzz", "--impl", program, "--family", "sigmoid-squared-error", "--iters", "5", "--out", directory.path])
    #expect(contradicting.status == 2 && contradicting.stderr.contains("no network in common"), "\(contradicting.stderr)")
}
