import Foundation
import GradFuzzTestSupport
import Testing

@testable import GradFuzzStudents

// A program that prints its answer without the newline that ends the line, then exits: told that
// the line was never ended, not that it gave no answer.

@Test func anAnswerWithoutItsNewlineBeforeTheProgramExitsIsNamedAsSuch() async throws {
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
