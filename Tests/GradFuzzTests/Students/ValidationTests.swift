import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzJudging
import GradFuzzOracle
import GradFuzzTestSupport
import Testing

@testable import GradFuzzStudents

// End to end: real child processes (python3 scripts written to temporary directories) validated
// against fixtures, with the example student in Examples/python.

let pythonExamples = packageRoot.appendingPathComponent("Examples/python")
let exampleStudent = pythonExamples.appendingPathComponent("student.py").path

/// A python3 script in `directory` that can import the examples (gradfuzz_student, student).
func pythonScript(_ source: String, in directory: URL, name: String = "student.py") throws -> String {
    let file = directory.appendingPathComponent(name)
    try ("import sys\nsys.path.insert(0, \(String(reflecting: pythonExamples.path)))\n" + source).write(to: file, atomically: true, encoding: .utf8)
    return file.path
}

/// Small fixtures with the given ids, each a problem of `layers` drawn from its own seed.
func testCases(
    _ ids: [String], layers: [Int] = [3, 4, 2], activations: [Activation] = [.tanh, .identity],
    loss: Loss = .squaredError, batch: Int = 3
) -> [Validation.Case] {
    ids.enumerated().map { n, id in
        let problem = randomProblem(layers, activations, loss, batch: batch, seed: UInt64(100 + n))
        return Validation.Case(fixture: Fixture(id: id, description: "test \(id)", origin: .curated, problem: problem), file: "test/\(id).json")
    }
}

/// The example student's code with one line replaced: an injected mistake.
func mistakenStudent(_ original: String, _ replacement: String, in directory: URL) throws -> String {
    let source = try String(contentsOfFile: exampleStudent, encoding: .utf8)
    #expect(source.contains(original), "the example no longer contains the line the mistake replaces")
    let file = directory.appendingPathComponent("mistaken.py")
    try source.replacingOccurrences(of: original, with: replacement).write(to: file, atomically: true, encoding: .utf8)
    // It imports gradfuzz_student from beside it.
    try? FileManager.default.copyItem(
        at: pythonExamples.appendingPathComponent("gradfuzz_student.py"),
        to: directory.appendingPathComponent("gradfuzz_student.py"))
    return file.path
}

private func describe(_ report: ValidationReport) -> String {
    report.results.map(ValidationReport.line).joined(separator: "\n") + "\n" + report.summary
}

@Test(.spawnsProcesses) func thePythonExamplePassesEveryCuratedFixture() async throws {
    let cases = try Validation.load([packageRoot.appendingPathComponent("fixtures/curated").path])
    #expect(cases.count >= 50)
    let report = await Validation.run(
        cases, implementation: ExternalImplementation(command: ["python3", exampleStudent], startupAllowance: testStartupAllowance))
    #expect(report.count(.pass) == cases.count, "\(describe(report))")
    #expect(report.exitCode == 0)
    // It sends delta and cost, and both are compared.
    let compared = report.results.compactMap(\.verdict)
    #expect(compared.count == cases.count && compared.allSatisfy { $0.cost != nil && $0.matrices.contains { $0.quantity == .delta } })
}

@Test func theSwiftExampleStudentPassesEveryCuratedFixture() async throws {
    let cases = try Validation.load([packageRoot.appendingPathComponent("fixtures/curated").path])
    let report = await Validation.run(cases, implementation: SwiftStudent())
    #expect(report.count(.pass) == cases.count, "\(describe(report))")
}

@Test(.spawnsProcesses) func aFloat32StudentPassesWithTheFloat32Tolerance() async throws {
    let cases = try Validation.load([packageRoot.appendingPathComponent("fixtures/curated").path])
    let student = ["python3", exampleStudent, "--dtype", "float32"]
    let single = await Validation.run(
        cases, implementation: ExternalImplementation(command: student, startupAllowance: testStartupAllowance),
        options: Validation.Options(tolerance: .float32))
    #expect(single.count(.pass) == cases.count, "\(describe(single))")
    // The tolerance matters: under float64's, single precision is visibly not enough.
    let double = await Validation.run(
        cases, implementation: ExternalImplementation(command: student, startupAllowance: testStartupAllowance),
        options: Validation.Options(tolerance: .float64))
    #expect(double.count(.fail) > cases.count / 2, "\(double.summary)")
    let hinted = double.results.filter { $0.details.contains { $0.contains("single precision") } }
    #expect(!hinted.isEmpty, "a float32 program's failures suggest --tolerance float32")
}

@Test(.spawnsProcesses) func anInjectedMistakeFailsNamingTheLayer() async throws {
    let directory = try temporaryDirectory("mistake")
    defer { try? FileManager.default.removeItem(at: directory) }
    // The seed's eq. (110) error: f where f' belongs, in the backward step into hidden layers.
    let student = try mistakenStudent(
        "g = backward(activations[l - 1], Z[l - 1], A[l], g @ W[l].T)",
        "g = activate(activations[l - 1], Z[l - 1]) * (g @ W[l].T)", in: directory)
    let cases = testCases(["two-layers"]) + testCases(["three-layers"], layers: [3, 5, 4, 2], activations: [.sigmoid, .tanh, .identity])
    let report = await Validation.run(cases, implementation: ExternalImplementation(command: ["python3", student], startupAllowance: testStartupAllowance))
    #expect(report.count(.fail) == 2 && report.exitCode == 1, "\(describe(report))")
    // Layer L is right (its g needs no f' of a hidden layer); the first wrong layer is L − 1.
    let two = report.results[0], three = report.results[1]
    #expect(two.verdict?.firstWrongLayer == 1 && two.summary.contains("first wrong layer: 1 of 2 (your W[0]) (by delta)"), "\(two.summary)")
    #expect(three.verdict?.firstWrongLayer == 2 && three.summary.contains("first wrong layer: 2 of 3 (your W[1]) (by delta)"), "\(three.summary)")
    #expect(two.verdict?.matrices.filter { $0.layer == 2 }.allSatisfy(\.passed) == true)
    // Every entry of layer 1's dW is wrong, and the map shows it.
    #expect(two.details.contains("dW[0] (layer 1), 3×4, 12 wrong — every entry (X wrong, . right):"), "\(two.details.joined(separator: "\n"))")
    #expect(two.details.contains("  XXXX"))
    #expect(two.details.contains { $0.hasPrefix("  dW[0][") && $0.contains("(layer 1)") && $0.contains("expected") && $0.contains("got") })
}

@Test(.spawnsProcesses) func aMissingOneOverMIsDiagnosed() async throws {
    let directory = try temporaryDirectory("one-over-m")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = try mistakenStudent("dW[l] = A[l].T @ g / m", "dW[l] = A[l].T @ g", in: directory)
    let report = await Validation.run(
        testCases(["batch-of-3"]), implementation: ExternalImplementation(command: ["python3", student], startupAllowance: testStartupAllowance))
    let result = try #require(report.results.first)
    #expect(result.outcome == .fail)
    #expect(result.details.first?.hasPrefix("diagnosis: ") == true, "\(result.explanation)")
    #expect(result.details.first?.contains("m = 3 times the expected values") == true, "\(result.explanation)")
    // Only dW is wrong: the map of each layer's dW is all X, db and delta are right.
    #expect(result.verdict?.matrices.filter { !$0.passed }.map(\.quantity) == [.dW, .dW])
}

@Test(.spawnsProcesses) func aWrongCostAloneFailsAndSaysSo() async throws {
    let directory = try temporaryDirectory("cost")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = try mistakenStudent("cost = losses(loss, Z[-1], A[-1], Y).mean()", "cost = losses(loss, Z[-1], A[-1], Y).sum()", in: directory)
    let report = await Validation.run(
        testCases(["cost"]), implementation: ExternalImplementation(command: ["python3", student], startupAllowance: testStartupAllowance))
    let result = try #require(report.results.first)
    #expect(result.outcome == .fail && result.summary == "cost wrong, every gradient entry right", "\(result.explanation)")
    let cost = try #require(result.verdict?.cost)
    expectClose(cost.got, 3 * cost.expected, within: 1e-12 * abs(cost.expected), "the summed cost is m = 3 times the mean")
    #expect(result.details.contains { $0.hasPrefix("cost: expected \(cost.expected), got \(cost.got)") }, "\(result.explanation)")
    #expect(result.details.first?.hasPrefix("diagnosis: ") == true, "\(result.explanation)")
}

@Test(.spawnsProcesses) func aPythonStudentThatNeverFlushesStillAnswers() async throws {
    let directory = try temporaryDirectory("unflushed")
    defer { try? FileManager.default.removeItem(at: directory) }
    let minimal = try String(contentsOf: pythonExamples.appendingPathComponent("minimal_student.py"), encoding: .utf8)
    #expect(minimal.contains(", flush=True)"))
    let script = try pythonScript(minimal.replacingOccurrences(of: ", flush=True)", with: ")"), in: directory)
    let report = await Validation.run(
        testCases(["a", "b"]),
        implementation: ExternalImplementation(command: ["python3", script], timeout: .seconds(60), startupAllowance: testStartupAllowance))
    #expect(report.results.map(\.outcome) == [.pass, .pass], "\(report.results.map(\.summary))")
}

/// A student that misbehaves in the way its request's id says, and answers correctly otherwise.
private let misbehavingStudent = """
    import json, os, signal, time
    import numpy as np
    from gradfuzz_student import answer
    from student import backprop

    for line in sys.stdin:
        request = json.loads(line)
        kind = request["id"].split("-")[0]
        reply = answer(request, backprop)
        if kind == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif kind == "raise":
            raise ValueError("shapes (3,4) and (3,) not aligned")
        elif kind == "hang":
            time.sleep(60)
        elif kind == "exit":
            sys.exit(0)
        elif kind == "closeout":
            os.close(1)
            time.sleep(60)
        elif kind == "garbage":
            print("dW is", np.array(reply["dW"][0]), flush=True)
            continue
        elif kind == "wrongid":
            reply["id"] = "someone-else"
        elif kind == "transposed":
            reply["dW"][0] = np.array(reply["dW"][0]).T.tolist()
        elif kind == "nan":
            reply["dW"][0][1][2] = float("nan")
            reply["db"][1][0] = float("inf")
        elif kind == "huge":
            sys.stdout.write("[" + "0.125, " * 500000 + "0]\\n")
            continue
        elif kind == "missing":
            del reply["dW"]
        elif kind == "unsupported":
            reply = {"id": request["id"], "error": "tanh is not implemented yet"}
        elif kind == "stderr":
            for _ in range(2000):
                sys.stderr.write("debug: " + "x" * 500 + "\\n")
        print(json.dumps(reply), flush=True)
    """

@Test(.spawnsProcesses) func misbehavingStudentsGetClearErrorsAndTheRunCompletes() async throws {
    let directory = try temporaryDirectory("misbehaving")
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = try pythonScript(misbehavingStudent, in: directory)
    let kinds = [
        "ok", "crash", "ok", "raise", "ok", "exit", "ok", "garbage", "ok", "wrongid", "ok",
        "transposed", "nan", "huge", "ok", "missing", "unsupported", "stderr", "ok", "closeout", "ok",
    ]
    let ids = kinds.enumerated().map { "\($1)-\($0)" }
    // No answer here is meant to time out (a hang has a test of its own): the timeout only has to
    // outlast the slowest answer, or exit, on a machine whose cores are all busy.
    let student = ExternalImplementation(
        command: ["python3", script], timeout: .seconds(60), startupAllowance: testStartupAllowance,
        maxLineBytes: 1 << 20)
    let report = await Validation.run(testCases(ids), implementation: student)
    #expect(report.results.count == ids.count, "every fixture has a result")
    let byKind = Dictionary(grouping: report.results) { String($0.id.prefix { $0 != "-" }) }
    func expect(
        _ kind: String, _ outcome: Outcome, _ text: String, stderr: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for r in byKind[kind] ?? [] {
            #expect(
                r.outcome == outcome && r.explanation.contains(text),
                "\(kind): expected \(outcome) with “\(text)”, got \(r.outcome): \(r.explanation)", sourceLocation: sourceLocation)
            if let stderr { #expect(r.stderrTail.contains(stderr), "\(kind): stderr tail \(r.stderrTail)", sourceLocation: sourceLocation) }
        }
    }
    expect("ok", .pass, "entries of dW, db, delta right")
    expect("crash", .error, "the program crashed (killed by signal 11, SIGSEGV")
    expect("raise", .error, "the program exited (status 1) before answering request \"raise-3\"", stderr: "ValueError: shapes (3,4) and (3,) not aligned")
    expect("exit", .error, "the program exited (status 0) before answering")
    expect("garbage", .error, "not JSON: \"dW is [[")
    expect("wrongid", .error, "answered id \"someone-else\" to the request with id \"wrongid-9\"")
    expect("transposed", .fail, "\"dW[0]\": expected 3×4 (m_0 rows × m_1 columns, shaped as W[0]), got 4×3 — is your dW transposed?")
    expect("nan", .fail, "2 of")
    expect("nan", .fail, "non-finite values")
    expect("huge", .error, "the answer line ran past 1 MB without a newline")
    expect("missing", .error, "\"dW\": missing")
    expect("unsupported", .unsupported, "tanh is not implemented yet")
    expect("stderr", .pass, "right")
    expect("closeout", .error, "the program closed its stdout before answering request \"closeout-19\" but did not exit; it was stopped")
    let nan = try #require(byKind["nan"]?.first?.verdict)
    #expect(nan.matrices.first { $0.layer == 1 && $0.quantity == .dW }?.failed == (0..<12).map { $0 == 1 * 4 + 2 })
    #expect(report.count(.pass) == 10 && report.exitCode == 1, "\(describe(report))")
    // Restarted after each misbehaviour that left it dead or out of step, and only then.
    #expect(await student.process.starts == 8, "crash, raise, exit, garbage, wrongid, huge, closeout: 7 restarts")
}

@Test(.spawnsProcesses) func aHangingAnswerTimesOutAndTheProgramIsRestartedForTheNext() async throws {
    let directory = try temporaryDirectory("hanging")
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = try pythonScript(misbehavingStudent, in: directory)
    // Only the hang meets the bare 1 s timeout: each other answer is the first after a start, which
    // has the (long) allowance for starting on top.
    let student = ExternalImplementation(command: ["python3", script], timeout: .seconds(1), startupAllowance: testStartupAllowance)
    let report = await Validation.run(testCases(["ok-0", "hang-1", "ok-2"]), implementation: student)
    #expect(report.results.map(\.outcome) == [.pass, .error, .pass], "\(describe(report))")
    let hang = try #require(report.results.dropFirst().first)
    #expect(hang.summary.hasPrefix("no answer within 1 s (timeout)"), "\(hang.summary)")
    #expect(await student.process.starts == 2, "restarted once, after the hang")
}

@Test(.spawnsProcesses) func aProgramThatIsNotFoundIsReportedOnEveryFixtureAndExitsTwo() async throws {
    let student = ExternalImplementation(command: ["gradfuzz-no-such-student", "x.py"])
    let report = await Validation.run(testCases(["a", "b", "c"]), implementation: student)
    #expect(report.results.map(\.outcome) == [.error, .error, .error])
    #expect(report.results.allSatisfy { $0.summary.hasPrefix("command not found: gradfuzz-no-such-student") }, "\(describe(report))")
    #expect(report.exitCode == 2)
    let missingFile = await Validation.run(testCases(["a"]), implementation: ExternalImplementation(command: ["./no/such/student"]))
    #expect(missingFile.results.first?.summary == "command not found: ./no/such/student (no such file)")
    // Told before any clock runs: a missing command is never mistaken for a silent program, however
    // short the timeout and however busy the machine.
    let hurried = ExternalImplementation(command: ["gradfuzz-no-such-student"], timeout: .milliseconds(1), startupAllowance: .zero)
    let quick = await Validation.run(testCases(["a", "b"]), implementation: hurried)
    #expect(quick.results.allSatisfy { $0.summary.hasPrefix("command not found: gradfuzz-no-such-student (not on PATH") }, "\(describe(quick))")
}

@Test(.spawnsProcesses) func aHungShellScriptIsKilledWithItsChildren() async throws {
    let directory = try temporaryDirectory("hung-shell")
    defer { try? FileManager.default.removeItem(at: directory) }
    // sh runs python3 as a child (not exec): killing sh alone would leave python3 holding the pipes.
    let script = try pythonScript("import time\nfor line in sys.stdin:\n    time.sleep(60)\n", in: directory)
    let student = ExternalImplementation(
        command: ["sh", "-c", "python3 \(script); echo done"],
        timeout: .milliseconds(500), startupAllowance: .milliseconds(500))
    let report = await Validation.run(testCases(["hang-1", "hang-2"]), implementation: student)
    #expect(
        report.results.allSatisfy { $0.outcome == .error && $0.summary.contains("no answer within 1 s (timeout, with the allowance for starting)") },
        "\(describe(report))")
    // No python3 running the script is left: the whole process group was killed, not only sh.
    // (A generous wait: on a busy machine a killed process can take a while to be gone.)
    let gone = try await eventually(within: 30) { processes(running: script).isEmpty }
    #expect(gone, "left running: \(processes(running: script))")
}

/// The ids of processes whose command line mentions `text`, from /proc.
func processes(running text: String) -> [String] {
    let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) } ?? []
    return ids.filter { id in
        guard let data = FileManager.default.contents(atPath: "/proc/\(id)/cmdline") else { return false }
        let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return words.first?.hasSuffix("sh") == false && words.contains { $0.contains(text) }
    }
}

@Test func onlySelectsFixturesByGlobOrSubstring() {
    let cases = testCases(["relu-hidden", "tanh-hidden", "deep"])
    #expect(cases.filter(Validation.Options(only: "hidden").selects).map(\.fixture.id) == ["relu-hidden", "tanh-hidden"])
    #expect(cases.filter(Validation.Options(only: "*-hidden").selects).map(\.fixture.id) == ["relu-hidden", "tanh-hidden"])
    #expect(cases.filter(Validation.Options(only: "test/d*").selects).map(\.fixture.id) == ["deep"])
    #expect(cases.filter(Validation.Options(only: "r?lu*").selects).map(\.fixture.id) == ["relu-hidden"])
}

@Test(.spawnsProcesses) func concurrentCallsToAnExternalImplementationAreAnsweredInTurn() async throws {
    let student = ExternalImplementation(command: ["python3", exampleStudent], startupAllowance: testStartupAllowance)
    let cases = testCases((0..<8).map { "c\($0)" })
    let answers = try await withThrowingTaskGroup(of: (Int, Answer).self) { group in
        for (n, c) in cases.enumerated() { group.addTask { (n, try await student.backprop(c.fixture.problem)) } }
        return try await group.reduce(into: [Int: Answer]()) { $0[$1.0] = $1.1 }
    }
    await student.close()
    for (n, c) in cases.enumerated() {
        let verdict = Verdict(answer: try #require(answers[n]), expected: c.fixture.expected.answer, tolerance: .float64)
        #expect(verdict.passed, "request \(n) got another request's answer")
    }
}

@Test(.spawnsProcesses) func theReadmesMinimalStudentPassesWhatItSupportsAndDeclinesTheRest() async throws {
    let cases = try Validation.load([packageRoot.appendingPathComponent("fixtures/curated").path])
    let student = ExternalImplementation(
        command: ["python3", pythonExamples.appendingPathComponent("minimal_student.py").path], startupAllowance: testStartupAllowance)
    let report = await Validation.run(cases, implementation: student)
    let supported: Set<Activation> = [.identity, .sigmoid, .tanh]
    for (c, r) in zip(cases, report.results) {
        let p = c.fixture.problem
        let expected: Outcome = p.loss == .squaredError && p.network.activations.allSatisfy(supported.contains) ? .pass : .unsupported
        #expect(r.outcome == expected, "\(r.id): expected \(expected), got \(r.outcome): \(r.summary)")
    }
    #expect(report.count(.pass) >= 5)
}

@Test(.spawnsProcesses) func thePythonExampleAgreesWithTheOracleOnEveryActivationAndLoss() async throws {
    // What `gradfuzz --impl 'python3 Examples/python/student.py'` checks: the answer against GSL, not the reference.
    let student = ExternalImplementation(command: ["python3", exampleStudent], startupAllowance: testStartupAllowance)
    var checked = 0
    for (n, hidden) in Activation.allCases.enumerated() {
        for (k, loss) in Loss.allCases.enumerated() {
            let output = loss.requiredOutput ?? Activation.allCases[(n + k) % Activation.allCases.count]
            let problem = randomProblem([3, 4, 2], [hidden, output], loss, batch: 2, seed: UInt64(1000 + 10 * n + k))
            let verdict = Verdict(answer: try await student.backprop(problem), oracle: Oracle().differentiate(problem))
            #expect(verdict.passed, "\(hidden) → \(output), \(loss): \(verdict.matrices.flatMap(\.failures).prefix(3))")
            checked += verdict.checked
        }
    }
    await student.close()
    #expect(checked > 2500, "77 problems of 38 entries each, less any at kinks")
}
