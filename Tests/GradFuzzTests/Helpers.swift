import Foundation
import GradFuzzFixtures
import Testing

/// The curated fixtures as committed under fixtures/curated.
func curatedFixtures() throws -> [Fixture] {
    let files = try Fixture.files(in: [packageRoot.appendingPathComponent("fixtures/curated").path])
    return try files.map { try Fixture.read(from: $0) }
}

/// The built `gradfuzz` executable, beside the test bundle.
var gradfuzzExecutable: URL {
    var products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: products.appendingPathComponent("gradfuzz").path) && products.path != "/" {
        products.deleteLastPathComponent()
    }
    return products.appendingPathComponent("gradfuzz")
}

/// Runs the built `gradfuzz` executable (beside the test bundle) and collects what it says.
///
/// It waits on threads of its own: a test blocked here would hold one of the few threads (one per
/// core) that every other test's async work runs on, a student's process and its timeouts among them.
func runGradfuzz(_ arguments: [String], directory: URL? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = gradfuzzExecutable
    process.arguments = withTestStartup(arguments)
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    func drained(_ pipe: Pipe) async -> String {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) }.start()
        }
    }
    async let stdout = drained(out)
    async let stderr = drained(err)
    let (text, errors) = await (stdout, stderr)
    await withCheckedContinuation { continuation in
        Thread {
            process.waitUntilExit(); continuation.resume()
        }.start()
    }
    return (process.terminationStatus, text, errors)
}

/// The package's root directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A new, empty directory under the system's temporary directory.
func temporaryDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gradfuzz-\(name)-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// `text` with every mention of `directory` (a test's random temporary directory, as given and as
/// resolved) replaced by "DIR": what a test may assert on, as the random part of a path can hold
/// any digits or words.
func withoutPath(_ text: String, _ directory: URL) -> String {
    [directory.path, directory.resolvingSymlinksInPath().path].reduce(text) { $0.replacingOccurrences(of: $1, with: "DIR") }
}

/// Whether `message` shows a Foundation error as Foundation prints it (`Error Domain=NSCocoaErrorDomain
/// Code=512 "(null)"`) rather than saying what was wrong: its domain, or an error code such as 512
/// (NSFileWriteUnknownError) or 516 (NSFileWriteFileExistsError).
func isRawFoundationError(_ message: String) -> Bool {
    ["NSCocoaErrorDomain", "Error Domain", "Code=", "512", "516"].contains { message.contains($0) }
}

/// The built `gradfuzz`, started and not waited for: for tests that signal it while it runs. Its
/// stdout and stderr go to files in `output`, so that nothing blocks on a full pipe.
struct RunningGradfuzz {
    let process: Process
    let stdoutFile: URL
    let stderrFile: URL

    init(_ arguments: [String], output: URL, directory: URL? = nil) throws {
        stdoutFile = output.appendingPathComponent("gradfuzz.stdout")
        stderrFile = output.appendingPathComponent("gradfuzz.stderr")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process = Process()
        process.executableURL = gradfuzzExecutable
        process.arguments = withTestStartup(arguments)
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
    }

    var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    func send(_ signal: Int32) { _ = kill(process.processIdentifier, signal) }

    /// Its exit status once it has exited by itself (a death by a signal is -signal), or nil
    /// when it still runs after `seconds`: then it is killed.
    func exitStatus(within seconds: Double) async throws -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else {
            send(SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
    }
}

/// Waits (at most `seconds`) until `condition` holds; whether it does.
func eventually(within seconds: Double, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: .milliseconds(20))
    }
    return true
}

/// The living (not zombie) processes of process group `group`, from /proc.
func livingMembers(ofGroup group: pid_t) -> [pid_t] {
    let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { pid_t($0) } ?? []
    return ids.filter { id in
        guard let stat = try? String(contentsOfFile: "/proc/\(id)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return false }
        // After "pid (comm)": state, ppid, pgrp, …
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        return fields.count > 2 && fields[0] != "Z" && pid_t(fields[2]) == group
    }
}

/// How long a test's student program may take to give its first answer. The suite runs many
/// programs at once on few cores, so python3 with numpy can take far longer to start than a
/// student's machine takes; tests of hanging or silent programs set their own timeouts.
let testStartupAllowance: Duration = .seconds(120)

/// `arguments` with `--startup` given that allowance where a program is started and no timeout is set.
func withTestStartup(_ arguments: [String]) -> [String] {
    let startsAProgram = arguments.contains("--impl") || arguments.first == "validate"
    guard startsAProgram, !arguments.contains("--startup"), !arguments.contains("--timeout") else { return arguments }
    let allowance = ["--startup", "120"]
    guard let terminator = arguments.firstIndex(of: "--") else { return arguments + allowance }
    return Array(arguments[..<terminator]) + allowance + Array(arguments[terminator...])
}

/// The user the tests run programs as, created with useradd when missing; nil when gradfuzz's
/// tests do not run as root or no such user can be made.
let studentTestUser: (name: String, uid: uid_t, gid: gid_t)? = {
    let name = "gradfuzz-student"
    guard geteuid() == 0 else { return nil }
    if getpwnam(name) == nil, FileManager.default.isExecutableFile(atPath: "/usr/sbin/useradd") {
        let useradd = Process()
        useradd.executableURL = URL(fileURLWithPath: "/usr/sbin/useradd")
        useradd.arguments = ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]
        try? useradd.run()
        useradd.waitUntilExit()  // another test process may have made it first: looked up again below
    }
    guard let entry = getpwnam(name) else { return nil }
    return (name, entry.pointee.pw_uid, entry.pointee.pw_gid)
}()

extension Trait where Self == ConditionTrait {
    /// A test that starts processes (gradfuzz itself, a student's program, a shell): the slow part of
    /// the suite. `GRADFUZZ_SKIP_PROCESSES=1 swift test` leaves them out, for a fast local loop;
    /// CI runs them all.
    static var spawnsProcesses: Self {
        .enabled(if: ProcessInfo.processInfo.environment["GRADFUZZ_SKIP_PROCESSES"] == nil, "GRADFUZZ_SKIP_PROCESSES is set: this test starts processes")
    }
}
