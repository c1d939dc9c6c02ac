import Foundation
import GradFuzzFixtures
import GradFuzzStudents
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

// `gradfuzz validate` end to end: the built executable run on fixtures and python3 students.

@Test(.spawnsProcesses) func validateCommandExitCodes() async throws {
    let directory = try temporaryDirectory("cli")
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixtures = directory.appendingPathComponent("fixtures/sub")
    try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
    for c in testCases(["one", "two"]) { try c.fixture.write(to: fixtures.appendingPathComponent(c.fixture.id + ".json")) }
    let root = directory.appendingPathComponent("fixtures").path
    let pass = try await runGradfuzz(["validate", "--fixtures", root, "--", "python3", exampleStudent])
    #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
    #expect(pass.stdout.contains("PASS  one") && pass.stdout.contains("2 fixtures: 2 passed, 0 failed"), "\(pass.stdout)")
    let student = try mistakenStudent("db[l] = g.mean(axis=0)", "db[l] = g.sum(axis=0)", in: directory)
    let fail = try await runGradfuzz(["validate", "--fixtures", root, "--only", "two", "--", "python3", student])
    #expect(fail.status == 1, "\(fail.stdout)\(fail.stderr)")
    #expect(fail.stdout.contains("FAIL  two") && fail.stdout.contains("1 fixture: 0 passed, 1 failed"), "\(fail.stdout)")
    let missing = try await runGradfuzz(["validate", "--fixtures", directory.appendingPathComponent("nothing").path, "--", "python3", exampleStudent])
    #expect(missing.status == 2 && missing.stderr.contains("no such file or directory"), "\(missing.stderr)")
    let notFound = try await runGradfuzz(["validate", "--fixtures", root, "--", "gradfuzz-no-such-student"])
    #expect(notFound.status == 2 && notFound.stderr.contains("command not found: gradfuzz-no-such-student"), "\(notFound.stderr)")
    let noCommand = try await runGradfuzz(["validate", "--fixtures", root])
    #expect(noCommand.status == 2, "usage error: \(noCommand.status)")
    #expect(noCommand.stderr.contains("expected the student's command after --"), "\(noCommand.stderr)")
}

@Test(.spawnsProcesses) func validateNamesTheStudentsMistakeEndToEnd() async throws {
    let directory = try temporaryDirectory("validate-diagnosis")
    defer { try? FileManager.default.removeItem(at: directory) }
    // The seed's eq. (110) as printed: f where f' belongs.
    let student = try mistakenStudent(
        "g = backward(activations[l - 1], Z[l - 1], A[l], g @ W[l].T)",
        "g = activate(activations[l - 1], Z[l - 1]) * (g @ W[l].T)", in: directory)
    let run = try await runGradfuzz(["validate", "--fixtures", "fixtures/curated/hidden-tanh.json", "--", "python3", student], directory: packageRoot)
    #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
    // In the student's indexing: layer 1 is their W[0]; the fix in their array code.
    #expect(run.stdout.contains("first wrong layer: 1 of 2 (your W[0]) (by delta)"), "\(run.stdout)")
    #expect(run.stdout.contains("diagnosis: all failing matrices (layer 1 (your W[0]) dW, db, delta) match f_instead_of_fprime"), "\(run.stdout)")
    #expect(run.stdout.contains("fix: G[0] = (G[1] @ W[1].T) * fprime(Z[0])"), "\(run.stdout)")
    #expect(!run.stdout.contains("eq. (") && !run.stdout.contains("seed's"), "no equation numbers of a document the student does not have")
    let correct = try await runGradfuzz(["validate", "--fixtures", "fixtures/curated", "--", "python3", "Examples/python/student.py"], directory: packageRoot)
    #expect(correct.status == 0)
    #expect(!correct.stdout.contains("diagnosis"), "a correct student gets no diagnosis")
}

@Test(.spawnsProcesses) func validateWritesBothReportsAtomically() async throws {
    let directory = try temporaryDirectory("reports")
    defer { try? FileManager.default.removeItem(at: directory) }
    for c in testCases(["ok-1", "transposed-2"]) { try c.fixture.write(to: directory.appendingPathComponent(c.fixture.id + ".json")) }
    let script = try pythonScript(gradedStudent, in: directory, name: "graded.py")
    let junit = directory.appendingPathComponent("out/junit.xml"), gradescope = directory.appendingPathComponent("results.json")
    try FileManager.default.createDirectory(at: junit.deletingLastPathComponent(), withIntermediateDirectories: true)
    let run = try await runGradfuzz([
        "validate", "--fixtures", directory.path, "--junit", junit.path, "--gradescope", gradescope.path,
        "--", "python3", script,
    ])
    #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
    let parser = try #require(XMLParser(contentsOf: junit))
    let reader = JUnitReader()
    parser.delegate = reader
    #expect(parser.parse())
    #expect(reader.cases.map(\.outcome) == ["pass", "failure"])
    let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: gradescope)) as? [String: Any])
    #expect(results["score"] as? Int == 1 && (results["tests"] as? [Any])?.count == 2)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: junit.deletingLastPathComponent().path)
    #expect(leftovers == ["junit.xml"], "no temporary files left: \(leftovers)")
}

/// With no --fixtures, validate checks the family's complete set made in memory: it needs no files,
/// so it works from an empty folder, and a fixtures/found folder there is not read.
@Test(.spawnsProcesses) func withoutFixturesValidateChecksTheFamilysCompleteSetFromAnEmptyFolder() async throws {
    let root = try temporaryDirectory("validate-default")
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(at: root.appendingPathComponent("fixtures/found"), withIntermediateDirectories: true)
    try Data("{\"not\": \"a fixture\"}".utf8).write(to: root.appendingPathComponent("fixtures/found/fuzz-0.json"))
    let run = try await runGradfuzz(
        ["validate", "-q", "--family", "relu-softmax-cross-entropy", "--", "python3", exampleStudent], directory: root)
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    #expect(run.stdout.contains("the family's exam (seed 1,") && run.stdout.contains("complete for the family"), "\(run.stdout)")
    #expect(run.stdout.contains("fuzz of the family (seed 1): 300 cases, all right"), "\(run.stdout)")
    #expect(run.stdout.contains("a complete exam"), "\(run.stdout)")
}

@Test(.spawnsProcesses) func aProgramThatDeclaresItsFamilyNeedsNoOptionsAndTheCommandLineMayOnlyNarrowIt() async throws {
    let declaring = ["--", "python3", exampleStudent, "--family", "sigmoid-squared-error", "--declare"]
    let run = try await runGradfuzz(["validate", "-q", "--fuzz-cases", "50"] + declaring)
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    #expect(run.stdout.contains("family (declared by the program): sigmoid-squared-error"), "\(run.stdout)")
    #expect(run.stdout.contains("0 unsupported") && run.stdout.contains("complete for the family"), "\(run.stdout)")
    let narrowed = try await runGradfuzz(["validate", "-q", "--fuzz-cases", "0", "--max-depth", "2"] + declaring)
    #expect(narrowed.status == 0 && narrowed.stdout.contains("family (stated on the command line, declared by the program)"), "\(narrowed.stdout)")
    let contradicting = try await runGradfuzz(["validate", "--family", "relu-softmax-cross-entropy"] + declaring)
    #expect(contradicting.status == 2 && contradicting.stderr.contains("no network in common"), "\(contradicting.stderr)")
}

@Test(.spawnsProcesses) func namedFixturesThatAreIncompleteAreSaidSoFirstAndCanBeMadeAnError() async throws {
    let arguments = ["--fixtures", "fixtures/curated/one-neuron.json", "--family", "sigmoid-squared-error", "--", "python3", exampleStudent]
    let run = try await runGradfuzz(["validate"] + arguments, directory: packageRoot)
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    let warning = try #require(run.stdout.range(of: "WARNING: these fixtures are incomplete"), "\(run.stdout)")
    let verdict = try #require(run.stdout.range(of: "PASS  one-neuron"))
    #expect(warning.lowerBound < verdict.lowerBound && run.stdout.contains("f_instead_of_fprime"), "said before the run, naming the mistakes")
    let required = try await runGradfuzz(["validate", "--require-complete"] + arguments, directory: packageRoot)
    #expect(required.status == 1 && !required.stdout.contains("PASS"), "\(required.stdout)")
    let completed = try await runGradfuzz(["validate", "-q", "--complete-with-exam"] + arguments, directory: packageRoot)
    #expect(completed.status == 0 && completed.stdout.contains("a complete exam") && !completed.stdout.contains("WARNING"), "\(completed.stdout)")
}

@Test(.spawnsProcesses) func anExamFoldersManifestStatesTheFamily() async throws {
    let run = try await runGradfuzz(
        ["validate", "-q", "--fixtures", "fixtures/exams/sigmoid-squared-error", "--", "python3", exampleStudent, "--family", "sigmoid-squared-error"],
        directory: packageRoot)
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    #expect(run.stdout.contains("family (of the exam fixtures/exams/sigmoid-squared-error): sigmoid-squared-error"), "\(run.stdout)")
}

/// The student's first command, from an empty folder: a classic mistake fails, named in their indexing.
@Test(.spawnsProcesses) func aStudentsFirstValidateCatchesTheirMistakeInTheirOwnIndexing() async throws {
    let directory = try temporaryDirectory("first-validate")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = try mistakenStudent(
        "\"sigmoid\":    (sigmoid,                                      lambda z, a: a * (1 - a)),",
        "\"sigmoid\":    (sigmoid,                                      lambda z, a: a),", in: directory)
    let run = try await runGradfuzz(["validate", "-q", "--family", "sigmoid-softmax-cross-entropy", "--", "python3", student], directory: directory)
    #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
    #expect(run.stdout.contains("match f_instead_of_fprime") && run.stdout.contains("(your W["), "\(run.stdout)")
    #expect(run.stdout.contains("fix: G[") && run.stdout.contains("* fprime(Z["), "\(run.stdout)")
}
