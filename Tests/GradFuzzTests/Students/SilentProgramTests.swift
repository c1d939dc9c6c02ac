import Foundation
import GradFuzzTestSupport
import Testing

@testable import GradFuzz
@testable import GradFuzzCore
@testable import GradFuzzFixtures
@testable import GradFuzzStudents

// A program that never answers, what a failure shows of a program's stderr, and the Python
// adapter on Python 2.

// That it gives up is shown by what it reports (96 fixtures at 2 s each would take minutes, which
// the time limit forbids), never by a clock: the suite must pass on a machine whose cores are busy.
@Test(.spawnsProcesses, .timeLimit(.minutes(3)))
func aProgramThatNeverReadsItsInputIsGivenUpOnAfterThreeTimeouts() async throws {
    let cases = testCases((0..<96).map { "silent-\($0)" }, layers: [2, 2], activations: [.identity])
    let student = ExternalImplementation(command: ["sleep", "600"], timeout: .seconds(1), startupAllowance: .seconds(1))
    let report = await Validation.run(cases, implementation: student)
    #expect(report.results.count == 96, "every fixture is reported")
    #expect(report.results.allSatisfy { $0.outcome == .error }, "\(report.summary)")
    for r in report.results.prefix(3) {
        #expect(
            r.summary.contains("no answer within 2 s") && r.summary.contains("read-ahead") && r.summary.contains("flush"),
            "\(r.id): \(r.summary)")
    }
    for r in report.results.dropFirst(3) {
        #expect(
            r.summary.hasPrefix("not run: the program never answered") && r.summary.contains("3 requests in a row"),
            "\(r.id): \(r.summary)")
    }
    #expect(await student.process.starts == 3, "one start for each of the three requests sent, none after")
    #expect(report.exitCode == 1)
}

@Test(.spawnsProcesses) func theStderrShownUnderAFailureIsWhatTheProgramPrintedForThatFixture() async throws {
    let directory = try temporaryDirectory("stderr-per-fixture")
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = try pythonScript(
        """
        import json
        from gradfuzz_student import answer
        from student import backprop

        for line in iter(sys.stdin.readline, ""):
            request = json.loads(line)
            sys.stderr.write("answering %s\\n" % request["id"])
            sys.stderr.flush()
            reply = answer(request, backprop)
            reply["dW"][0][0][0] += 1.0
            print(json.dumps(reply), flush=True)
        """, in: directory)
    let report = await Validation.run(
        testCases(["first", "second", "third"]), implementation: ExternalImplementation(command: ["python3", script], startupAllowance: testStartupAllowance))
    #expect(report.results.map(\.outcome) == [.fail, .fail, .fail], "\(report.summary)")
    for r in report.results {
        #expect(r.stderrTail == "answering \(r.id)", "\(r.id): stderr tail \(r.stderrTail)")
    }
}

/// A Python 2.7 interpreter, when the machine has one.
let python2: String? = {
    var candidates = ["/usr/bin/python2.7", "/usr/bin/python2", "/usr/local/bin/python2.7"]
    let pyenv = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".pyenv/versions")
    for version in (try? FileManager.default.contentsOfDirectory(atPath: pyenv.path)) ?? [] where version.hasPrefix("2.7") {
        candidates.append(pyenv.appendingPathComponent("\(version)/bin/python").path)
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

@Test(.spawnsProcesses, .enabled(if: python2 != nil, "no Python 2.7 here"))
func theAdapterSeesEachRequestAtOnceOnPython2() async throws {
    let directory = try temporaryDirectory("python2")
    defer { try? FileManager.default.removeItem(at: directory) }
    // Python 2 without numpy: the adapter's request loop alone, declining every problem.
    let file = directory.appendingPathComponent("student2.py")
    try """
    import sys
    sys.path.insert(0, \(String(reflecting: pythonExamples.path)))
    from gradfuzz_student import requests, reply

    for request in requests():
        reply({"id": request["id"], "error": "declined by a Python %d program" % sys.version_info[0]})
    """.write(to: file, atomically: true, encoding: .utf8)
    let student = ExternalImplementation(command: [try #require(python2), file.path], timeout: .seconds(60), startupAllowance: testStartupAllowance)
    let report = await Validation.run(testCases(["a", "b", "c"]), implementation: student)
    #expect(
        report.results.map(\.outcome) == [.unsupported, .unsupported, .unsupported],
        "\(report.results.map { $0.summary + " " + $0.stderrTail })")
    #expect(report.results.allSatisfy { $0.summary.contains("declined by a Python 2 program") })
}
