import Foundation
import Testing

@testable import GradFuzzStudents

// No process escapes: a student's descendants that leave its session and process group (setsid,
// or a double fork and setsid, re-parented away from the student) are ended with it — by the
// supervisor, its subreaper, when the session ends, and by gradfuzz itself when it exits.
// They are found by a marker in their argv, never by PID.

/// A correct numpy student that first starts two sleepers carrying `marker` in argv: a child that
/// calls setsid, and a grandchild that double-forks and calls setsid (its parent exits at once).
/// It answers only once both have said (by a file in `directory`) that they run, and each answer
/// takes `delay` seconds.
/// With `killsItsSupervisor`, it first kills its parent, the supervisor (it runs as the same user).
private func escapingStudent(
    in directory: URL, marker: String, delay: Double = 0, killsItsSupervisor: Bool = false
) throws -> String {
    let ready = directory.appendingPathComponent("ready").path
    return try pythonScript(
        """
        import os, subprocess, time
        from gradfuzz_student import serve
        from student import backprop
        marker, ready = \(String(reflecting: marker)), \(String(reflecting: ready))
        if \(killsItsSupervisor ? "True" : "False"):
            os.kill(os.getppid(), 9)
        sleeper = "import os, sys, time\\nos.setsid()\\nopen(sys.argv[1] + '.' + sys.argv[2], 'w').close()\\ntime.sleep(600)"
        subprocess.Popen([sys.executable, "-c", sleeper, ready, marker + "-setsid"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for n in (0, 1, 2):
                    os.dup2(null, n)
                os.execv(sys.executable, [sys.executable, "-c", sleeper, ready, marker + "-double"])
            os._exit(0)
        while not (os.path.exists(ready + "." + marker + "-setsid") and os.path.exists(ready + "." + marker + "-double")):
            time.sleep(0.01)

        def slow_backprop(*arguments):
            time.sleep(\(delay))
            return backprop(*arguments)

        serve(slow_backprop)

        """, in: directory, name: "escaping_student.py")
}

/// A marker no other test's process carries.
private func uniqueMarker() -> String { "gradfuzz-escape-\(UInt64.random(in: 0...UInt64.max))" }

/// Fails if any process carrying `marker` is alive, and kills it.
private func expectNoneLeft(_ marker: String, _ when: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let left = processes(running: marker)
    #expect(left.isEmpty, "\(when): \(left.count) of the student's setsid descendants still run", sourceLocation: sourceLocation)
    for id in left { _ = kill(pid_t(id) ?? 0, SIGKILL) }
}

@Test(.spawnsProcesses) func validateLeavesNoSetsidOrDoubleForkedDescendantOfTheStudentRunning() async throws {
    let directory = try temporaryDirectory("escape-validate")
    defer { try? FileManager.default.removeItem(at: directory) }
    let marker = uniqueMarker()
    let student = try escapingStudent(in: directory, marker: marker)
    let run = try await runGradfuzz(
        ["validate", "--fixtures", "fixtures/curated/one-neuron.json", "--", "python3", student], directory: packageRoot)
    #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
    expectNoneLeft(marker, "after validate exited")
}

@Test(.spawnsProcesses) func aStudentThatKillsItsSupervisorLeavesNothingRunningAfterValidate() async throws {
    let directory = try temporaryDirectory("escape-supervisor")
    defer { try? FileManager.default.removeItem(at: directory) }
    let marker = uniqueMarker()
    let student = try escapingStudent(in: directory, marker: marker, killsItsSupervisor: true)
    let run = try await runGradfuzz(
        ["validate", "--fixtures", "fixtures/curated/one-neuron.json", "--", "python3", student], directory: packageRoot)
    #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
    expectNoneLeft(marker, "after validate exited")
    // The student itself, orphaned by its supervisor's death, is gradfuzz's to end too.
    let left = processes(running: student)
    #expect(left.isEmpty, "the student still runs")
    for id in left { _ = kill(pid_t(id) ?? 0, SIGKILL) }
}

@Test(.spawnsProcesses) func closingAStudentEndsItsSetsidAndDoubleForkedDescendants() async throws {
    let directory = try temporaryDirectory("escape-close")
    defer { try? FileManager.default.removeItem(at: directory) }
    let marker = uniqueMarker()
    let student = ExternalImplementation(
        command: ["python3", try escapingStudent(in: directory, marker: marker)], startupAllowance: testStartupAllowance)
    for c in testCases(["a", "b"]) { _ = try await student.backprop(c.fixture.problem) }
    #expect(processes(running: marker).count == 2, "the student's two setsid descendants should run until the session ends")
    await student.close()
    expectNoneLeft(marker, "after the session ended")
}

@Test(.spawnsProcesses) func sigtermLeavesNoSetsidOrDoubleForkedDescendantOfTheStudentRunning() async throws {
    let directory = try temporaryDirectory("escape-term")
    defer { try? FileManager.default.removeItem(at: directory) }
    let marker = uniqueMarker()
    // 86 fixtures of 1 s each: SIGTERM comes long before the end.
    let student = try escapingStudent(in: directory, marker: marker, delay: 1)
    let run = try RunningGradfuzz(
        ["validate", "--fixtures", "fixtures/curated", "--", "python3", student], output: directory, directory: packageRoot)
    let started = try await eventually(within: 60) { processes(running: marker).count == 2 }
    #expect(started, "the student's descendants did not start: \(run.stderr)")
    run.send(SIGTERM)
    let status = try await run.exitStatus(within: 20)
    #expect(status == 143, "status \(String(describing: status)): \(run.stderr)")
    expectNoneLeft(marker, "after SIGTERM")
}
