import Foundation
import Testing

@testable import GradFuzzFixtures

// Foundation's NSString path methods trap on a one-character path ("g"): gradfuzz crashed on
// --out g, --html h.

@Test func theParentOfAPathIsTakenWithoutFoundationsPathMethods() {
    #expect(OutputFile.parent(of: "g") == ".")
    #expect(OutputFile.parent(of: "grades") == ".")
    #expect(OutputFile.parent(of: "a/b") == "a")
    #expect(OutputFile.parent(of: "a/b/") == "a")
    #expect(OutputFile.parent(of: "/a") == "/")
    #expect(OutputFile.parent(of: "/") == "/")
    #expect(OutputFile.parent(of: "a//b") == "a")
    #expect(OutputFile.name(of: "g") == "g" && OutputFile.name(of: "a/b/") == "b" && OutputFile.name(of: "/x") == "x")
}

@Test(.spawnsProcesses) func aOneLetterOutputFolderIsWritten() async throws {
    let directory = try temporaryDirectory("one-letter")
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try await runGradfuzz(["exam", "--family", "sigmoid-squared-error", "--out", "z"], directory: directory)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("z/manifest.json").path))
}
