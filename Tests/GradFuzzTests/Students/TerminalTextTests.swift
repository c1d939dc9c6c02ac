import Foundation
import GradFuzzFixtures
import Testing

// A student's text never reaches the grader's terminal raw: escapes that set the title, clear the
// screen or move the cursor, and carriage returns that overwrite "FAIL", are shown, not obeyed.

@Test func controlCharactersAreWrittenAsVisibleEscapes() {
    #expect(TerminalText.visible("\u{1B}]0;owned\u{07}") == "\\e]0;owned\\a")
    #expect(TerminalText.visible("\u{1B}[2J") == "\\e[2J")
    #expect(TerminalText.visible("FAIL\rPASS") == "FAIL\\rPASS")
    #expect(TerminalText.visible("a\u{08}\u{0C}\u{0B}\0b") == "a\\b\\f\\v\\0b")
    #expect(TerminalText.visible("\u{7F}\u{9B}31m\u{202E}") == "\\u{7F}\\u{9B}31m\\u{202E}")
    #expect(TerminalText.visible("line 1\n\tline 2 — δ") == "line 1\n\tline 2 — δ")
}

@Test(.spawnsProcesses) func aStudentsTerminalEscapesReachValidatesOutputVisible() async throws {
    let directory = try temporaryDirectory("terminal-text")
    defer { try? FileManager.default.removeItem(at: directory) }
    let student = directory.appendingPathComponent("student.sh")
    // Window title, clear screen, a carriage return over the verdict, then an exit before answering.
    try "#!/bin/sh\nread request\nprintf '\\033]0;owned\\007\\033[2J\\rPASS all\\n' >&2\nexit 3\n"
        .write(to: student, atomically: true, encoding: .utf8)
    _ = chmod(student.path, 0o755)
    let run = try await runGradfuzz(
        ["validate", "--fixtures", "fixtures/curated/one-neuron.json", "--", student.path], directory: packageRoot)
    #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
    let raw = (run.stdout + run.stderr).unicodeScalars
    #expect(!raw.contains("\u{1B}") && !raw.contains("\r") && !raw.contains("\u{07}"), "raw control characters: \(run.stdout.debugDescription)")
    #expect(run.stdout.contains("\\e]0;owned\\a\\e[2J\\rPASS all"), "\(run.stdout)")
}
