import Foundation
import GradFuzzFixtures
import GradFuzzStudents
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

// `gradfuzz validate` end to end: the built executable run on fixtures and python3 students.

@Test func validateCommandExitCodes() async throws {
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

@Test func validateNamesTheStudentsMistakeEndToEnd() async throws {
    let directory = try temporaryDirectory("validate-diagnosis")
    defer { try? FileManager.default.removeItem(at: directory) }
    // The seed's eq. (110) as printed: f where f' belongs.
    let student = try mistakenStudent(
        "g = backward(activations[l - 1], Z[l - 1], A[l], g @ W[l].T)",
        "g = activate(activations[l - 1], Z[l - 1]) * (g @ W[l].T)", in: directory)
    let run = try await runGradfuzz(["validate", "--fixtures", "fixtures/curated/hidden-tanh.json", "--", "python3", student], directory: packageRoot)
    #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
    #expect(run.stdout.contains("first wrong layer: 1 of 2 (by delta)"), "\(run.stdout)")
    #expect(run.stdout.contains("diagnosis: all failing matrices (layer 1 dW, db, delta) match f_instead_of_fprime"), "\(run.stdout)")
    let correct = try await runGradfuzz(["validate", "--fixtures", "fixtures/curated", "--", "python3", "Examples/python/student.py"], directory: packageRoot)
    #expect(correct.status == 0)
    #expect(!correct.stdout.contains("diagnosis"), "a correct student gets no diagnosis")
}

@Test func validateWritesBothReportsAtomically() async throws {
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

/// With no --fixtures, validate grades the committed sets, not what fuzz runs left in fixtures/found.
@Test func theDefaultFixturesLeaveOutWhatTheFuzzerFound() async throws {
    let root = try temporaryDirectory("validate-default")
    defer { try? FileManager.default.removeItem(at: root) }
    let manager = FileManager.default
    for folder in ["curated", "found"] {
        try manager.createDirectory(at: root.appendingPathComponent("fixtures/\(folder)"), withIntermediateDirectories: true)
    }
    try manager.copyItem(
        at: packageRoot.appendingPathComponent("fixtures/curated/one-neuron.json"),
        to: root.appendingPathComponent("fixtures/curated/one-neuron.json"))
    try Data("{\"not\": \"a fixture\"}".utf8).write(to: root.appendingPathComponent("fixtures/found/fuzz-0.json"))
    let run = try await runGradfuzz(["validate", "--", "python3", exampleStudent], directory: root)
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    #expect(run.stdout.contains("1 fixture: 1 passed"), "\(run.stdout)")
}
