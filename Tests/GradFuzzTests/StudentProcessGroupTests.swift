import Foundation
import Testing

@testable import GradFuzz
@testable import GradFuzzCore
@testable import GradFuzzStudents

// No student's process outlives gradfuzz: however gradfuzz ends (a passing run, SIGTERM, Ctrl-C
// once or twice), the student's whole process group is killed, background children included.
// Each test runs the built gradfuzz on a correct numpy student that first forks a long-lived
// background child (its stdio on /dev/null, so that it holds no pipe of gradfuzz's open).

/// A correct student that forks `sleep 1000` into the background, writes "pid pgid" of it to
/// `pidFile`, and answers each request after `delay` seconds; with `holdUntil`, every request after
/// the first only once that file exists.
private func forkingStudent(in directory: URL, pidFile: URL, delay: Double = 0, holdUntil: URL? = nil) throws -> String {
    try pythonScript(
        """
        import os, time
        from gradfuzz_student import serve
        from student import backprop
        pid_file = \(String(reflecting: pidFile.path))
        hold = \(holdUntil.map { String(reflecting: $0.path) } ?? "None")
        answered = 0
        if os.fork() == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for n in (0, 1, 2):
                os.dup2(null, n)
            with open(pid_file + ".tmp", "w") as f:
                f.write("%d %d" % (os.getpid(), os.getpgrp()))
            os.rename(pid_file + ".tmp", pid_file)
            os.execvp("sleep", ["sleep", "1000"])

        def slow_backprop(*arguments):
            global answered
            # The describe request and the first fixture are answered; the next is held.
            while hold and answered > 1 and not os.path.exists(hold):
                time.sleep(0.05)
            answered += 1
            time.sleep(\(delay))
            return backprop(*arguments)

        serve(slow_backprop)

        """, in: directory, name: "forking_student.py")
}

/// The background child's process group, once the student has written it.
private func backgroundGroup(_ pidFile: URL) async throws -> pid_t? {
    guard try await eventually(within: 30, { FileManager.default.fileExists(atPath: pidFile.path) }) else { return nil }
    let words = try String(contentsOf: pidFile, encoding: .utf8).split(separator: " ")
    return words.count == 2 ? pid_t(words[1]) : nil
}

/// Asserts that no process of `group` is alive within 30 s (a killed process can take a while to
/// be gone on a busy machine), then kills any that is.
private func expectGone(_ group: pid_t, _ what: String) async throws {
    let gone = try await eventually(within: 30) { livingMembers(ofGroup: group).isEmpty }
    #expect(gone, "\(what): the student's process group \(group) still has \(livingMembers(ofGroup: group))")
    if !gone { _ = kill(-group, SIGKILL) }
}

@Test(.spawnsProcesses) func aPassingRunLeavesNoProcessOfTheStudentBehind() async throws {
    let directory = try temporaryDirectory("group-pass")
    defer { try? FileManager.default.removeItem(at: directory) }
    let pidFile = directory.appendingPathComponent("child.pid")
    let student = try forkingStudent(in: directory, pidFile: pidFile)
    let run = try RunningGradfuzz(
        ["validate", "--fixtures", "fixtures/curated/one-neuron.json", "--", "python3", student],
        output: directory, directory: packageRoot)
    let status = try await run.exitStatus(within: 180)
    #expect(status == 0, "status \(String(describing: status)): \(run.stdout) \(run.stderr)")
    let group = try await backgroundGroup(pidFile)
    #expect(group != nil, "the student wrote no pid file")
    if let group { try await expectGone(group, "after a passing run") }
}

@Test(.spawnsProcesses) func sigtermKillsTheStudentsProcessGroupAndExits143() async throws {
    let directory = try temporaryDirectory("group-term")
    defer { try? FileManager.default.removeItem(at: directory) }
    let pidFile = directory.appendingPathComponent("child.pid")
    let student = try forkingStudent(in: directory, pidFile: pidFile)
    let run = try RunningGradfuzz(
        [
            "--impl", "python3 \(student)", "--iters", "1000000", "--jobs", "1", "--max-depth", "2",
            "--max-width", "3", "--out", directory.appendingPathComponent("found").path,
        ],
        output: directory)
    let group = try await backgroundGroup(pidFile)
    #expect(group != nil, "the student wrote no pid file: \(run.stderr)")
    try await Task.sleep(for: .milliseconds(300))
    run.send(SIGTERM)
    let status = try await run.exitStatus(within: 60)
    #expect(status == 143, "status \(String(describing: status)): \(run.stderr)")
    if let group { try await expectGone(group, "after SIGTERM") }
}

@Test(.spawnsProcesses) func twoInterruptsKillTheStudentsProcessGroupAndExit130AtOnce() async throws {
    let directory = try temporaryDirectory("group-int")
    defer { try? FileManager.default.removeItem(at: directory) }
    let pidFile = directory.appendingPathComponent("child.pid")
    // Each answer takes 10 minutes: only the second Ctrl-C can end the run within the test's wait.
    let student = try forkingStudent(in: directory, pidFile: pidFile, delay: 600)
    let run = try RunningGradfuzz(
        [
            "--impl", "python3 \(student)", "--iters", "1000", "--jobs", "1", "--timeout", "1200",
            "--out", directory.appendingPathComponent("found").path,
        ],
        output: directory)
    let group = try await backgroundGroup(pidFile)
    #expect(group != nil, "the student wrote no pid file: \(run.stderr)")
    try await Task.sleep(for: .milliseconds(300))
    run.send(SIGINT)
    // The second only once the first has been heard: two signals sent before gradfuzz runs again
    // (a busy machine) are one.
    let heard = try await eventually(within: 60) { run.stderr.contains("Ctrl-C again") }
    #expect(heard, "the first Ctrl-C was not acknowledged: \(run.stderr)")
    run.send(SIGINT)
    let status = try await run.exitStatus(within: 60)
    #expect(status == 130, "status \(String(describing: status)): \(run.stderr)")
    if let group { try await expectGone(group, "after two Ctrl-Cs") }
}

@Test(.spawnsProcesses) func validateInterruptedOnceWritesItsReportsMarksTheRestNotRunAndExits130() async throws {
    let directory = try temporaryDirectory("group-validate-int")
    defer { try? FileManager.default.removeItem(at: directory) }
    let pidFile = directory.appendingPathComponent("child.pid")
    // The second fixture is held until the Ctrl-C has been heard, so the run cannot end before it
    // however long this test waits for its turn on a busy machine (86 answers of 1 s each once did).
    let release = directory.appendingPathComponent("release")
    let student = try forkingStudent(in: directory, pidFile: pidFile, holdUntil: release)
    let junit = directory.appendingPathComponent("report.xml"), gradescope = directory.appendingPathComponent("results.json")
    let run = try RunningGradfuzz(
        [
            // A held answer never times out: the test may wait long for its turn.
            "validate", "--fixtures", "fixtures/curated", "--junit", junit.path, "--gradescope", gradescope.path,
            "--timeout", "3000", "--startup", "120", "--", "python3", student,
        ], output: directory, directory: packageRoot)
    let group = try await backgroundGroup(pidFile)
    #expect(group != nil, "the student wrote no pid file: \(run.stderr)")
    let answered = try await eventually(within: 120) { run.stdout.contains("PASS") }
    #expect(answered, "no first answer: \(run.stdout) \(run.stderr)")
    run.send(SIGINT)
    let heard = try await eventually(within: 60) { run.stderr.contains("Ctrl-C again") }
    #expect(heard, "the Ctrl-C was not acknowledged: \(run.stderr)")
    FileManager.default.createFile(atPath: release.path, contents: nil)
    let status = try await run.exitStatus(within: 60)
    #expect(status == 130, "status \(String(describing: status)): \(run.stdout) \(run.stderr)")
    #expect(run.stdout.contains("not run (interrupted)"), "\(run.stdout)")
    let xml = (try? String(contentsOf: junit, encoding: .utf8)) ?? ""
    #expect(xml.contains("type=\"not run\"") && xml.contains("<testcase"), "JUnit report: \(xml)")
    let results = (try? String(contentsOf: gradescope, encoding: .utf8)) ?? ""
    #expect(results.contains("NOT RUN"), "Gradescope results: \(results)")
    if let group { try await expectGone(group, "after one Ctrl-C") }
}

@Test func aValidationStoppedPartWayReportsTheRestAsNotRun() async throws {
    let stop = StopSignal()
    let report = await Validation.run(
        testCases(["a", "b", "c"]), implementation: ReferenceImplementation(), stop: stop,
        progress: { _ in
            stop.raise()
        })
    #expect(report.results.map(\.outcome) == [.pass, .notRun, .notRun])
    #expect(report.interrupted && report.exitCode == 130)
    #expect(report.summary.contains("2 not run (interrupted)"), "\(report.summary)")
    #expect(GraderReports.junit(report).contains("skipped=\"2\""))
}
