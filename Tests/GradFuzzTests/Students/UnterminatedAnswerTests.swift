import Foundation
import GradFuzzTestSupport
import Testing

@testable import GradFuzzStudents

// A program that prints its answer without the newline that ends the line, then exits: told that
// the line was never ended, not that it gave no answer.

@Test(.spawnsProcesses) func anAnswerWithoutItsNewlineBeforeTheProgramExitsIsNamedAsSuch() async throws {
    let directory = try temporaryDirectory("unterminated")
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = try pythonScript(
        """
        import json
        from gradfuzz_student import answer
        from student import backprop

        request = json.loads(sys.stdin.readline())
        sys.stdout.write(json.dumps(answer(request, backprop)))
        """, in: directory)
    let report = await Validation.run(
        testCases(["unterminated"]), implementation: ExternalImplementation(command: ["python3", script], startupAllowance: testStartupAllowance))
    let result = try #require(report.results.first)
    #expect(result.outcome == .error, "\(result.outcome): \(result.summary)")
    #expect(
        result.summary.hasPrefix("the answer's line was not terminated by a newline before the program exited (status 0)"),
        "\(result.summary)")
}

@Test(.spawnsProcesses) func anAnswerWithoutItsNewlineWhileTheProgramWaitsIsNamedWhenItTimesOut() async throws {
    let directory = try temporaryDirectory("unterminated-waiting")
    defer { try? FileManager.default.removeItem(at: directory) }
    // The first answer is whole, so that the second one is given the plain timeout.
    let script = try pythonScript(
        """
        import json
        from gradfuzz_student import answer
        from student import backprop

        for n, line in enumerate(iter(sys.stdin.readline, "")):
            sys.stdout.write(json.dumps(answer(json.loads(line), backprop)) + ("\\n" if n == 0 else ""))
            sys.stdout.flush()
        """, in: directory)
    let student = ExternalImplementation(command: ["python3", script], timeout: .seconds(5), startupAllowance: testStartupAllowance)
    let report = await Validation.run(testCases(["whole", "unended"]), implementation: student)
    #expect(report.results.map(\.outcome) == [.pass, .error], "\(report.summary)")
    let summary = report.results.last?.summary ?? ""
    #expect(summary.hasPrefix("no answer line within 5 s: the program printed "), "\(summary)")
    #expect(summary.contains(" bytes without ending the line: \"{\\\"id\\\": \\\"unended\\\""), "\(summary)")
}
