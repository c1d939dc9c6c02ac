import Foundation
import Testing

@testable import GradFuzzStudents

// Each fixture's stderr is exactly what the program wrote while answering it, even with both
// cores busy: an answer line must not overtake the stderr written before it (it then showed
// under the next fixture, and its own fixture showed none).

/// `count` busy loops, one per core, until `stop` is called.
private func busyLoops(_ count: Int) throws -> () -> Void {
    let loops = try (0..<count).map { _ in
        let loop = Process()
        loop.executableURL = URL(fileURLWithPath: "/bin/sh")
        loop.arguments = ["-c", "while :; do :; done"]
        try loop.run()
        return loop
    }
    return {
        for loop in loops {
            // SIGKILL: a child of Foundation's Process may start with SIGTERM blocked.
            _ = kill(loop.processIdentifier, SIGKILL)
            loop.waitUntilExit()
        }
    }
}

@Test(.spawnsProcesses) func eachFixturesStderrIsWhatTheProgramWroteWhileAnsweringItUnderLoad() async throws {
    let directory = try temporaryDirectory("stderr-per-fixture")
    defer { try? FileManager.default.removeItem(at: directory) }
    // Three lines of stderr naming the request, then a wrong answer: an odd request's has no dW
    // (found wrong the moment the line arrives), an even one's dW is doubled (found wrong when judged).
    let script = try pythonScript(
        """
        from gradfuzz_student import requests, reply, answer
        from student import backprop
        for request in requests():
            for k in range(3):
                sys.stderr.write("stderr of %s, line %d\\n" % (request["id"], k))
                sys.stderr.flush()
            out = answer(request, backprop)
            if int(request["id"].split("-")[1]) % 2:
                out["dW"] = []
            else:
                out["dW"] = [[[2 * x for x in row] for row in dW] for dW in out["dW"]]
            reply(out)

        """, in: directory)
    let stop = try busyLoops(2)
    defer { stop() }
    let ids = (0..<40).map { "fixture-\($0)" }
    let student = ExternalImplementation(command: ["python3", script], startupAllowance: testStartupAllowance)
    let report = await Validation.run(testCases(ids), implementation: student)
    #expect(report.results.map(\.id) == ids)
    for (n, result) in zip(0..., report.results) {
        #expect(result.outcome == .fail, "\(result.id): \(result.summary)")
        #expect(result.summary.contains(n % 2 == 1 ? "\"dW\": expected" : "entries wrong"), "\(result.id): \(result.summary)")
        let expected = (0..<3).map { "stderr of \(result.id), line \($0)" }.joined(separator: "\n")
        #expect(result.stderrTail == expected, "\(result.id) shows stderr \(result.stderrTail.debugDescription)")
    }
}
