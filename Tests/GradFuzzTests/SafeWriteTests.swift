import Foundation
import GradFuzzTestSupport
import Testing

@testable import GradFuzz
@testable import GradFuzzCore
@testable import GradFuzzFixtures
@testable import GradFuzzStudents

// Writing a fixture or a report never replaces what is not a regular file: a device or a FIFO is
// written through, a symlink is followed to its target, a directory is refused, and a missing
// parent directory is said so.

private let smallFixture = Fixture(
    id: "safe-write", description: "", origin: .curated,
    problem: randomProblem([2, 2], [.tanh], .squaredError, batch: 1, seed: 5))

private func fileType(_ path: String) -> FileAttributeType? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
}

@Test func writingToAFIFOWritesThroughIt() throws {
    let directory = try temporaryDirectory("fifo")
    defer { try? FileManager.default.removeItem(at: directory) }
    let fifo = directory.appendingPathComponent("report.json").path
    #expect(mkfifo(fifo, 0o644) == 0)
    // The reader is open (non-blocking) before the write, so the writer's open does not wait;
    // the fixture is far smaller than a pipe's buffer.
    let reader = open(fifo, O_RDONLY | O_NONBLOCK)
    #expect(reader >= 0)
    defer { close(reader) }
    try smallFixture.write(to: URL(fileURLWithPath: fifo))
    #expect(isFIFO(fifo), "the FIFO is still a FIFO")
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(reader, &buffer, buffer.count)
        if n <= 0 { break }
        received += buffer[0..<n]
    }
    #expect(Data(received) == smallFixture.json(), "the reader got the fixture")
}

private func isFIFO(_ path: String) -> Bool {
    var s = stat()
    return lstat(path, &s) == 0 && (s.st_mode & S_IFMT) == S_IFIFO
}

private func isCharacterDevice(_ path: String) -> Bool {
    var s = stat()
    return lstat(path, &s) == 0 && (s.st_mode & S_IFMT) == S_IFCHR
}

@Test func writingAReportToADeviceKeepsTheDevice() async throws {
    let directory = try temporaryDirectory("device")
    defer { try? FileManager.default.removeItem(at: directory) }
    // A null device of our own (major 1, minor 3), not the machine's /dev/null; only root may make one.
    let device = directory.appendingPathComponent("null").path
    guard mknod(device, S_IFCHR | 0o666, 0x103) == 0 else { return }
    #expect(isCharacterDevice(device))
    let report = ValidationReport(implementation: "nothing", results: [], seconds: 0)
    try GraderReports.writeJUnit(report, to: device)
    try GraderReports.writeGradescope(report, to: device)
    #expect(isCharacterDevice(device), "the device is still a character device")
    #expect(fileType(device) == .typeCharacterSpecial)
}

@Test func writingThroughASymlinkUpdatesItsTargetAndKeepsTheLink() throws {
    let directory = try temporaryDirectory("symlink")
    defer { try? FileManager.default.removeItem(at: directory) }
    let targetDirectory = directory.appendingPathComponent("elsewhere")
    try FileManager.default.createDirectory(at: targetDirectory, withIntermediateDirectories: true)
    let target = targetDirectory.appendingPathComponent("real.json")
    try Data("old".utf8).write(to: target)
    // A chain: link → link2 → elsewhere/real.json (relative).
    let link2 = directory.appendingPathComponent("link2.json")
    try FileManager.default.createSymbolicLink(atPath: link2.path, withDestinationPath: "elsewhere/real.json")
    let link = directory.appendingPathComponent("link.json")
    try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: link2.path)
    try smallFixture.write(to: link)
    #expect(fileType(link.path) == .typeSymbolicLink, "the link is still a link")
    #expect(fileType(link2.path) == .typeSymbolicLink)
    #expect(try Data(contentsOf: target) == smallFixture.json(), "the target holds the new fixture")
    #expect(fileType(target.path) == .typeRegular)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: targetDirectory.path)
    #expect(leftovers == ["real.json"], "no temporary file is left beside the target")
}

@Test func writingOverARegularFileReplacesItWhole() throws {
    let directory = try temporaryDirectory("regular")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("f.json")
    try Data(repeating: 0x41, count: 100_000).write(to: file)
    try smallFixture.write(to: file)
    #expect(try Data(contentsOf: file) == smallFixture.json())
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["f.json"])
}

@Test func writingToADirectoryIsRefusedSayingWhatWasExpected() throws {
    let directory = try temporaryDirectory("dir")
    defer { try? FileManager.default.removeItem(at: directory) }
    let inner = directory.appendingPathComponent("report.json")
    try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
    do {
        try smallFixture.write(to: inner)
        Issue.record("a directory was written over")
    } catch {
        let message = String(describing: error)
        #expect(message.contains("is a directory"), "\(message)")
        #expect(message.contains("expected a regular file"), "\(message)")
        #expect(!message.contains("\n"))
    }
    #expect(fileType(inner.path) == .typeDirectory)
}

@Test func writingUnderAMissingParentSaysSo() throws {
    let directory = try temporaryDirectory("parent")
    defer { try? FileManager.default.removeItem(at: directory) }
    let missing = directory.appendingPathComponent("no/such/dir/f.json")
    do {
        try smallFixture.write(to: missing)
        Issue.record("wrote under a missing directory")
    } catch {
        let message = withoutPath(String(describing: error), directory)
        #expect(message.contains("does not exist"), "\(message)")
        #expect(!isRawFoundationError(message), "\(message)")
    }
    let file = directory.appendingPathComponent("file.txt")
    try Data("x".utf8).write(to: file)
    do {
        try smallFixture.write(to: file.appendingPathComponent("sub"))
        Issue.record("wrote under a regular file")
    } catch {
        let message = withoutPath(String(describing: error), directory)
        #expect(message.contains("not a directory"), "\(message)")
        #expect(!isRawFoundationError(message), "\(message)")
    }
}

@Test(.spawnsProcesses) func fixturesOutUnderAFileIsAClearError() async throws {
    let directory = try temporaryDirectory("fixtures-out")
    defer { try? FileManager.default.removeItem(at: directory) }
    try Data("x".utf8).write(to: directory.appendingPathComponent("file.txt"))
    let run = try await runGradfuzz(["fixtures", "--out", "file.txt/sub"], directory: directory)
    #expect(run.status == 2)
    #expect(run.stderr.contains("file.txt is not a directory"), "\(run.stderr)")
    #expect(!isRawFoundationError(withoutPath(run.stderr, directory)), "\(run.stderr)")
}

@Test(.spawnsProcesses) func fuzzJSONIsNotCreatedBeforeTheRunEnds() async throws {
    let directory = try temporaryDirectory("fuzz-json")
    defer { try? FileManager.default.removeItem(at: directory) }
    // The program cannot start: the run ends before any case, and nothing may claim to be its summary.
    let run = try await runGradfuzz(
        [
            "fuzz", "--iters", "1", "--seed", "1", "--json", "summary.json",
            "--impl", "/nonexistent/student-program",
        ], directory: directory)
    #expect(run.status == 2, "\(run.stderr)")
    #expect(
        !FileManager.default.fileExists(atPath: directory.appendingPathComponent("summary.json").path),
        "no summary file for a run that never ran")
}

@Test(.spawnsProcesses) func fuzzJSONInAMissingDirectoryIsRefusedAtTheStart() async throws {
    let directory = try temporaryDirectory("fuzz-json-missing")
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try await runGradfuzz(["fuzz", "--iters", "1", "--json", "no/such/summary.json"], directory: directory)
    #expect(run.status == 2)
    #expect(run.stderr.contains("--json") && run.stderr.contains("does not exist"), "\(run.stderr)")
    #expect(!run.stdout.contains("iterations"), "refused before the run starts")
}

@Test func staleTemporaryFilesOfDeadProcessesAreRemovedOnPrepare() throws {
    let directory = try temporaryDirectory("stale")
    defer { try? FileManager.default.removeItem(at: directory) }
    // 99999999 is above Linux's largest pid: no such process.
    let dead = [".fuzz-0123456789abcdef.json.tmp-99999999-7", ".fuzz-0123456789abcdef.json.99999999.12345.tmp"]
    let alive = ".fuzz-fedcba9876543210.json.tmp-\(getpid())-1"
    for name in dead + [alive, "fuzz-0123456789abcdef.json", ".unrelated"] {
        try Data("{}".utf8).write(to: directory.appendingPathComponent(name))
    }
    try FixtureStore(directory: directory).prepare()
    let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
    #expect(left == [alive, "fuzz-0123456789abcdef.json", ".unrelated"])
}
