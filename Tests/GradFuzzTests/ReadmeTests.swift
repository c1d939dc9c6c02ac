import Foundation
import GradFuzzStudents
import Testing

// The README is the user's door: short, and every example in it is what the program prints today.

private let readme = (try? String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""

/// The README's console examples: each "$ gradfuzz …" line with the lines shown after it, up to the
/// next command or the end of the block.
func consoleExamples(_ text: String) -> [(command: String, shown: [String])] {
    var examples: [(String, [String])] = [], inConsole = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        if line.hasPrefix("```") {
            inConsole = line == "```console"
            continue
        }
        guard inConsole else { continue }
        if line.hasPrefix("$ ") {
            examples.append((String(line.dropFirst(2)), []))
        } else if !examples.isEmpty {
            examples[examples.count - 1].1.append(line)
        }
    }
    return examples
}

/// Timings differ from run to run: "(1.98 s)", "in 3.2 s" read alike.
private func maskingTimes(_ line: String) -> String {
    line.replacing(/[0-9]+(\.[0-9]+)? s\b/, with: "# s").replacing(/[0-9]+ cases\/s/, with: "# cases/s")
}

@Test(.spawnsProcesses) func everyReadmeConsoleExampleIsWhatTheProgramPrints() async throws {
    let examples = consoleExamples(readme).filter { $0.command.hasPrefix("gradfuzz ") }
    #expect(examples.count >= 3, "the README shows the program at work")
    for example in examples {
        let arguments = Array(ShellWords.split(example.command).dropFirst())
        let run = try await runGradfuzz(arguments, directory: packageRoot)
        let printed = (run.stdout + run.stderr).split(separator: "\n").map { maskingTimes(String($0)) }
        // Each line shown appears, in order; "…" stands for lines left out.
        var next = printed.startIndex
        for shown in example.shown where !shown.isEmpty && shown != "…" {
            guard let found = printed[next...].firstIndex(of: maskingTimes(shown)) else {
                Issue.record("`\(example.command)` no longer prints: \(shown)\n--- it printed:\n\(run.stdout)\(run.stderr)")
                break
            }
            next = printed.index(after: found)
        }
    }
}

@Test func theReadmeIsADoorWhoseLinksLeadSomewhere() throws {
    #expect(readme.count <= 12_000, "README.md is \(readme.count) characters; the reference belongs in docs/")
    for needed in ["apt-get install", "swift test", "swift run gradfuzz --iters 10000", "docs/README.md"] {
        #expect(readme.contains(needed), "the README says \(needed)")
    }
    let links = readme.matches(of: /\]\(([^)#]+)(#[^)]*)?\)/).map { String($0.1) }.filter { !$0.hasPrefix("http") }
    for link in links {
        #expect(FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent(link).path), "README links to \(link), which is missing")
    }
}

@Test func consoleExamplesAreReadCommandByCommand() {
    let text = "```console\n$ gradfuzz a\none\n…\ntwo\n$ gradfuzz b\n```\n```sh\n$ gradfuzz c\n```"
    let examples = consoleExamples(text)
    #expect(examples.map(\.command) == ["gradfuzz a", "gradfuzz b"] && examples[0].shown == ["one", "…", "two"])
}
