import Foundation
import Testing

// The instructor's path end to end: `gradfuzz autograder` writes a bundle, which is unpacked into a
// local Gradescope layout (ROOT/source, ROOT/submission, ROOT/results) and run by its
// run_autograder with the root in GRADFUZZ_AUTOGRADER_ROOT; `gradfuzz grade` grades a class.

/// A bundle for sigmoid-squared-error (two curated fixtures, a small exam), made once for these tests.
private let sharedBundle = Task { () throws -> URL in
    let out = try temporaryDirectory("autograder-bundle").appendingPathComponent("bundle")
    let run = try await runGradfuzz([
        "autograder", "--family", "sigmoid-squared-error", "--points", "10", "--command", "python3 student.py", "--fuzz-cases", "10", "--out", out.path,
    ])
    guard run.status == 0 else { throw BundleError(message: run.stdout + run.stderr) }
    return out
}

private struct BundleError: Error { var message: String }

/// The bundle's configuration with `timeouts` (answer, startup, total seconds) written into `directory`.
/// The bundle's configuration with `timeouts`, run as `user` (nil: as the grader, whose Python has numpy).
private func configuration(_ bundle: URL, timeouts: (Double, Double, Double), in directory: URL, user: String? = nil) throws -> (url: URL, seed: String) {
    var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: bundle.appendingPathComponent("gradfuzz.json"))) as? [String: Any])
    object["timeouts"] = ["answer": timeouts.0, "startup": timeouts.1, "total": timeouts.2]
    object["user"] = user ?? NSNull()
    let url = directory.appendingPathComponent("gradfuzz.json")
    try JSONSerialization.data(withJSONObject: object).write(to: url)
    return (url, "\(try #require(object["exam_seed"] as? NSNumber))")
}

/// Runs `executable` with `arguments` and the environment's `extra` variables; its exit status, or
/// nil when it still ran after `seconds` (it is then killed).
private func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:], seconds: Double) async throws -> Int32? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    guard !process.isRunning else {
        process.terminate()
        return nil
    }
    return process.terminationStatus
}

/// Checks results.json against the fields Gradescope documents; the parsed object.
private func gradescopeResults(_ url: URL) throws -> [String: Any] {
    let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    let top: Set = ["score", "execution_time", "output", "output_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"]
    let perTest: Set = ["score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags", "visibility", "extra_data"]
    let visibilities: Set = ["visible", "hidden", "after_due_date", "after_published"]
    #expect(Set(object.keys).isSubset(of: top), "\(object.keys)")
    #expect(object["score"] is NSNumber && object["output"] is String)
    if let v = object["stdout_visibility"] { #expect(visibilities.contains(v as? String ?? "")) }
    let tests = try #require(object["tests"] as? [[String: Any]])
    for test in tests {
        #expect(Set(test.keys).isSubset(of: perTest), "\(test.keys)")
        let score = try #require((test["score"] as? NSNumber)?.doubleValue), max = try #require((test["max_score"] as? NSNumber)?.doubleValue)
        #expect(score >= 0 && score <= max + 1e-9)
        #expect(["passed", "failed"].contains(test["status"] as? String ?? ""))
        #expect(visibilities.contains(test["visibility"] as? String ?? ""))
        let name = try #require(test["name"] as? String)
        #expect(!name.isEmpty && name.count <= 40)
        #expect(test["output"] is String)
    }
    let sum = tests.reduce(0.0) { $0 + (($1["score"] as? NSNumber)?.doubleValue ?? 0) }
    #expect(abs(sum - ((object["score"] as? NSNumber)?.doubleValue ?? -1)) < 1e-6)
    return object
}

private func score(_ results: [String: Any]) -> Double { (results["score"] as? NSNumber)?.doubleValue ?? -1 }
private func tests(_ results: [String: Any]) -> [[String: Any]] { results["tests"] as? [[String: Any]] ?? [] }
private func outputs(_ results: [String: Any]) -> String { tests(results).compactMap { $0["output"] as? String }.joined(separator: "\n") }

/// A class of submissions and a configuration for them, in a new folder.
private func classroom(_ students: [(String, Submission)], timeouts: (Double, Double, Double)) async throws -> (root: URL, config: URL) {
    let bundle = try await sharedBundle.value
    let root = try temporaryDirectory("grade-class")
    for (name, submission) in students { try submission.write(to: root.appendingPathComponent("submissions/\(name)")) }
    return (root, try configuration(bundle, timeouts: timeouts, in: root).url)
}

/// One at a time: each starts many programs, and the rest of the suite runs beside them on few cores.
@Suite(.serialized) struct AutograderEndToEnd {
    @Test(.spawnsProcesses) func theBundleHoldsWhatGradescopeRunsWithAFreshExamAndARootOnlyConfiguration() async throws {
        let bundle = try await sharedBundle.value
        let listing = try #require(String(data: try Data(contentsOf: bundle.appendingPathComponent("autograder.zip")), encoding: .isoLatin1))
        for name in ["setup.sh", "run_autograder", "gradfuzz.json", "gradfuzz"] { #expect(listing.contains(name), "\(name) is not in the zip") }
        let attributes = try FileManager.default.attributesOfItem(atPath: bundle.appendingPathComponent("gradfuzz.json").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(FileManager.default.isExecutableFile(atPath: bundle.appendingPathComponent("run_autograder").path))
        let setup = try String(contentsOf: bundle.appendingPathComponent("setup.sh"), encoding: .utf8)
        #expect(setup.contains("python3-numpy") && setup.contains("useradd"))
        // A second bundle draws its own exam.
        let other = try temporaryDirectory("autograder-other").appendingPathComponent("bundle")
        let again = try await runGradfuzz([
            "autograder", "--family", "sigmoid-squared-error", "--command", "python3 student.py", "--fuzz-cases", "0", "--out", other.path,
        ])
        #expect(again.status == 0, "\(again.stderr)")
        let seeds = try [bundle, other].map { url in
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("gradfuzz.json"))) as? [String: Any])["exam_seed"]
                as? NSNumber
        }
        #expect(seeds[0] != nil && seeds[0] != seeds[1])
        // Output safety: a folder holding something else is never replaced.
        let foreign = try temporaryDirectory("autograder-foreign")
        try Data("mine".utf8).write(to: foreign.appendingPathComponent("notes.txt"))
        let refused = try await runGradfuzz(["autograder", "--family", "sigmoid-squared-error", "--command", "python3 x.py", "--out", foreign.path])
        #expect(refused.status == 2 && refused.stderr.contains("notes.txt"))
        #expect(FileManager.default.fileExists(atPath: foreign.appendingPathComponent("notes.txt").path))
    }

    @Test(.spawnsProcesses, .timeLimit(.minutes(5)), arguments: Submission.allCases)
    func aSubmissionIsGradedInALocalGradescopeLayout(_ submission: Submission) async throws {
        let bundle = try await sharedBundle.value
        let root = try temporaryDirectory("gradescope-\(submission.rawValue)")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        // As Gradescope does: the zip unpacked into source.
        let unpacked = try await run(
            "/usr/bin/env", ["python3", "-m", "zipfile", "-e", bundle.appendingPathComponent("autograder.zip").path, source.path], seconds: 120)
        #expect(unpacked == 0)
        // Short timeouts for the program that hangs; room for numpy to load under load for the others.
        let timeouts = submission == .hanging ? (2.0, 3.0, 60.0) : submission == .slow ? (5.0, 20.0, 8.0) : (5.0, 90.0, 240.0)
        let seed = try configuration(bundle, timeouts: timeouts, in: source).seed
        try submission.write(to: root.appendingPathComponent("submission"))
        let clock = ContinuousClock(), start = clock.now
        let status = try await run(
            "/bin/bash", [source.appendingPathComponent("run_autograder").path], environment: ["GRADFUZZ_AUTOGRADER_ROOT": root.path], seconds: 280)
        #expect(status == 0)
        let results = try gradescopeResults(root.appendingPathComponent("results/results.json"))
        #expect(!String(decoding: try Data(contentsOf: root.appendingPathComponent("results/results.json")), as: UTF8.self).contains(seed))
        // The grader's files are root-only once it has run.
        let mode = try FileManager.default.attributesOfItem(atPath: source.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let text = outputs(results)
        switch submission {
        case .correct:
            #expect(score(results) == 10 && tests(results).allSatisfy { $0["status"] as? String == "passed" }, "\(text)")
        case .buggy:
            #expect(score(results) < 10 && tests(results).count > 1, "\(text)")
            #expect(text.contains("diagnosis: ") && text.contains("without dividing by m") || text.contains("1/m"), "\(text)")
        case .crashing, .syntaxError, .strayPrint, .hanging:
            #expect(score(results) == 0 && tests(results).count == 1, "\(text)")
            let why = [Submission.crashing: "crashed", .syntaxError: "SyntaxError", .strayPrint: "not JSON", .hanging: "no answer within"][submission] ?? ""
            #expect(text.contains(why), "\(text)")
            if submission == .hanging { #expect(clock.now - start < .seconds(120)) }
        case .slow:
            // Graded until the time for the whole submission ran out; the tests not reached score 0.
            #expect(score(results) > 0 && score(results) < 10, "\(text)")
            #expect(text.contains("the time for the whole submission (8 s) ran out"), "\(text)")
            #expect(clock.now - start < .seconds(60))
        case .cheating:
            // What it could find did not make it right; the seed was in neither command lines nor environments, nor in any request.
            #expect(score(results) == 0, "\(text)")
            let seen = try String(contentsOf: root.appendingPathComponent("submission/seen.txt"), encoding: .utf8)
            let processes = seen.components(separatedBy: "== ").filter { $0.hasPrefix("/proc/") }
            #expect(processes.count == 3 && processes.allSatisfy { !$0.contains(seed) && !$0.contains("unreadable") }, "\(processes)")
            #expect(processes[0].contains("autograde"), "the parent's command line was read: \(processes[0])")
            let requests = try String(contentsOf: root.appendingPathComponent("submission/requests.txt"), encoding: .utf8)
            #expect(!requests.isEmpty && !requests.contains(seed))
        }
    }

    /// As the configured user, a program that searches its parent's command line and environment,
    /// its own, and the files around it finds neither the configuration nor the exam's seed.
    @Test(.spawnsProcesses, .enabled(if: studentTestUser != nil, "needs root and useradd"))
    func aProgramRunAsTheConfiguredUserCannotReadTheConfiguration() async throws {
        let user = try #require(studentTestUser)
        let bundle = try await sharedBundle.value
        let root = try temporaryDirectory("gradescope-as-user")
        defer { try? FileManager.default.removeItem(at: root) }
        _ = chmod(root.path, 0o755)
        let source = root.appendingPathComponent("source"), submission = root.appendingPathComponent("submission")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        _ = try await run("/usr/bin/env", ["python3", "-m", "zipfile", "-e", bundle.appendingPathComponent("autograder.zip").path, source.path], seconds: 120)
        let seed = try configuration(bundle, timeouts: (5, 60, 240), in: source, user: user.name).seed
        try FileManager.default.createDirectory(at: submission, withIntermediateDirectories: true)
        // Plain Python (the system's python3 as another user may have no numpy); it keeps what it saw beside itself.
        try Self.plainCheater.write(to: submission.appendingPathComponent("student.py"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: packageRoot.appendingPathComponent("Examples/python/gradfuzz_student.py"), to: submission.appendingPathComponent("gradfuzz_student.py"))
        _ = chmod(submission.path, 0o777)
        _ = try await run(
            "/bin/bash", [source.appendingPathComponent("run_autograder").path], environment: ["GRADFUZZ_AUTOGRADER_ROOT": root.path], seconds: 280)
        let seen = try String(contentsOf: submission.appendingPathComponent("seen.txt"), encoding: .utf8)
        #expect(seen.contains("== /proc/"), "it looked: \(seen.prefix(500))")
        #expect(!seen.contains("exam_seed") && !seen.contains(seed), "\(seen.prefix(2000))")
        let results = try gradescopeResults(root.appendingPathComponent("results/results.json"))
        #expect(score(results) == 0)
    }

    static let plainCheater = #"""
        import glob, os, sys
        from gradfuzz_student import requests, reply

        here = os.path.dirname(os.path.abspath(__file__))
        seen = []
        def look(path):
            try:
                with open(path, "rb") as f:
                    seen.append("== " + path + "\n" + f.read(1 << 20).replace(b"\0", b" ").decode("utf-8", "replace"))
            except Exception as e:
                seen.append("== " + path + " unreadable: " + str(e))

        for pid in (os.getppid(), os.getpid()):
            look(f"/proc/{pid}/cmdline")
            look(f"/proc/{pid}/environ")
        for name in glob.glob("/autograder/**/*.json", recursive=True) + glob.glob(os.path.join(here, "..", "**", "*.json"), recursive=True):
            look(name)
        with open(os.path.join(here, "seen.txt"), "w") as f:
            f.write("\n".join(seen))
        for request in requests():
            reply({"id": request["id"], "dW": [[[0.0] * len(r) for r in w] for w in request["W"]], "db": [[0.0] * len(v) for v in request["b"]]})
        """#

    @Test(.spawnsProcesses) func anUnusableConfigurationStillGivesGradescopeResultsThatSaySo() async throws {
        let directory = try temporaryDirectory("autograde-bad-config")
        let config = directory.appendingPathComponent("gradfuzz.json")
        try Data(#"{"schema": "gradfuzz-autograder/1", "family": "sigmoid-squared-error", "exam_seed": 1, "command": "python3 s.py", "visiblity": {}}"#.utf8)
            .write(to: config)
        let results = directory.appendingPathComponent("results.json")
        let run = try await runGradfuzz(["autograde", "--config", config.path, "--submission", directory.path, "--results", results.path])
        #expect(run.status == 2 && run.stderr.contains("visiblity"))
        let parsed = try gradescopeResults(results)
        #expect(score(parsed) == 0 && (parsed["output"] as? String)?.contains("misconfigured") == true)
    }

    @Test(.spawnsProcesses, .timeLimit(.minutes(5))) func aClassIsGradedInParallelIntoACSVAndEveryStudentsReports() async throws {
        let students: [(String, Submission)] = [
            ("ada", .correct), ("bo", .buggy), ("cy", .crashing), ("di", .hanging), ("ed", .cheating), ("fay", .syntaxError),
        ]
        let (root, config) = try await classroom(students, timeouts: (3, 60, 30))
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("grades")
        let run = try await runGradfuzz(["grade", root.appendingPathComponent("submissions").path, "--config", config.path, "--out", out.path, "--jobs", "3"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("[6/6]"), "progress: \(run.stderr)")
        let csv = try String(contentsOf: out.appendingPathComponent("grades.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\r\n").map(String.init)
        #expect(rows.first == "student,score,max,first failing test,diagnosis" && rows.count == 7, "\(csv)")
        #expect(rows.contains("ada,10,10,,"), "\(csv)")
        for (name, submission) in students {
            let results = try gradescopeResults(out.appendingPathComponent("\(name)/results.json"))
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(name)/report.html").path))
            let row = try #require(rows.first { $0.hasPrefix(name + ",") })
            #expect(row.hasPrefix("\(name),\(AutogradeCSV.number(score(results))),10,"), "\(row)")
            if submission != .correct { #expect(score(results) < 10 && !row.hasSuffix(",,"), "\(row)") }
        }
        #expect(run.stdout.contains("6 of 6 graded"))
    }

    @Test(.spawnsProcesses, .timeLimit(.minutes(5))) func anInterruptedClassKeepsTheFinishedStudentsAndMarksTheRestNotGraded() async throws {
        let (root, config) = try await classroom([("a", .correct), ("b", .hanging), ("c", .correct)], timeouts: (5, 90, 200))
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("grades")
        let grading = try RunningGradfuzz(
            ["grade", root.appendingPathComponent("submissions").path, "--config", config.path, "--out", out.path, "--jobs", "1"], output: root)
        let first = out.appendingPathComponent("a/results.json")
        #expect(try await eventually(within: 200) { FileManager.default.fileExists(atPath: first.path) }, "\(grading.stderr)")
        grading.send(SIGINT)
        let status = try await grading.exitStatus(within: 30)
        #expect(status == 130, "\(grading.stdout)\(grading.stderr)")
        let csv = try String(contentsOf: out.appendingPathComponent("grades.csv"), encoding: .utf8)
        #expect(csv.contains("a,10,10,,") && csv.contains("b,,10,not graded,") && csv.contains("c,,10,not graded,"), "\(csv)")
        #expect(try gradescopeResults(first)["score"] as? NSNumber == 10)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("b/results.json").path))
    }
}

private enum AutogradeCSV {
    static func number(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}
