import Foundation
import GradFuzzTestSupport
import Testing

@testable import GradFuzzCore
@testable import GradFuzzFixtures

// What is said about a file named as a fixture that is not one, and what becomes of a user's own
// fields when gradfuzz rewrites their file.

@Test(.spawnsProcesses, .timeLimit(.minutes(3)))
func aFIFOOrADeviceNamedAsAFixtureIsSaidWhatItIs() async throws {
    let directory = try temporaryDirectory("fixture-kinds")
    defer { try? FileManager.default.removeItem(at: directory) }
    // A FIFO nobody writes to: opening it for reading would wait for ever (the time limit says so).
    let fifo = directory.appendingPathComponent("pipe.json")
    #expect(mkfifo(fifo.path, 0o644) == 0)
    let folder = directory.appendingPathComponent("folder")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    #expect(mkfifo(folder.appendingPathComponent("inside.json").path, 0o644) == 0)
    let expected = "expected a regular JSON file or a folder of them"
    for (path, kind) in [("/dev/null", "a character device"), (fifo.path, "a FIFO (named pipe)"), (folder.path, "a FIFO (named pipe)")] {
        let validate = try await runGradfuzz(["validate", "--fixtures", path, "--", "python3", "student.py"])
        let message = withoutPath(validate.stderr, directory)
        #expect(validate.status == 2, "\(path): \(validate.stderr)")
        #expect(message.contains("is \(kind); \(expected)") && !message.contains("permission"), "\(path): \(validate.stderr)")
        #expect(message.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "one line: \(validate.stderr)")
        let replay = try await runGradfuzz(["replay", path])
        #expect(replay.status == 2 && withoutPath(replay.stdout, directory).contains("is \(kind); \(expected)"), "\(path): \(replay.stdout)")
    }
}

@Test(.spawnsProcesses) func completingOrRefreshingAFileKeepsTheUsersOwnFields() async throws {
    let directory = try temporaryDirectory("own-fields")
    defer { try? FileManager.default.removeItem(at: directory) }
    let problem = randomProblem([2, 3, 2], [.tanh, .identity], .squaredError, batch: 2, seed: 8)
    var text = String(decoding: try JSONEncoder().encode(RawProblem(problem)), as: UTF8.self)
    // Fields gradfuzz does not know: a course's notes, points and flags, with awkward values.
    text.removeLast()
    text += #", "notes": "week 3 — \"hard\" one\n", "grading": {"points": 2.50, "weights": [1, -0.5e3, null]}, "hidden": true}"#
    let file = directory.appendingPathComponent("mine.json")
    try Data(text.utf8).write(to: file)
    /// The three fields as JSON with sorted keys: equal when their values are.
    func ownFields() throws -> String {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let own = object.filter { ["notes", "grading", "hidden"].contains($0.key) }
        #expect(own.count == 3, "\(object.keys)")
        return String(decoding: try JSONSerialization.data(withJSONObject: own, options: [.sortedKeys]), as: UTF8.self)
    }
    let before = try ownFields()
    for flag in ["--complete", "--refresh"] {
        let run = try await runGradfuzz(["fixtures", flag, file.path])
        #expect(run.status == 0, "\(flag): \(run.stderr)")
        let after = try ownFields()
        #expect(after == before, "\(flag) lost or changed a field: \(after)")
        // Still a fixture, read as one.
        let fixture = try Fixture.read(from: file)
        #expect(fixture.problem == problem && fixture.oracle != nil)
    }
}
