import Foundation
import Testing

/// The gradfuzz commands a CI example runs: each command line (continuations joined) from the word
/// `gradfuzz` on, with its subcommand ("" when none is named: the root, whose default is `fuzz`)
/// and the options it passes.
private func gradfuzzCommands(in file: String) throws -> [(subcommand: String, options: [String])] {
    let text = try String(contentsOf: packageRoot.appendingPathComponent(file), encoding: .utf8)
    let joined = text.replacingOccurrences(of: "\\\n", with: " ")
    let subcommands: Set<String> = ["fuzz", "replay", "fixtures", "mutants", "validate", "exam", "merge", "bench"]
    var commands: [(String, [String])] = []
    for line in joined.split(separator: "\n") {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        // The program itself: a word ending in "gradfuzz" (a path to it, or `swift run … gradfuzz`).
        guard let at = words.firstIndex(where: { $0 == "gradfuzz" || $0.hasSuffix("/gradfuzz") }) else { continue }
        let rest = words[(at + 1)...].prefix { !["|", ";", "&&", "||"].contains($0) }
        let subcommand = rest.first.flatMap { subcommands.contains($0) ? $0 : nil } ?? ""
        // An option's name: up to "=", a quote or a parenthesis.
        let options = rest.filter { $0.hasPrefix("--") }.map { String($0.prefix { $0.isLetter || $0.isNumber || $0 == "-" }) }
        commands.append((subcommand, options))
    }
    return commands
}

/// Whether `help` names `option` as a whole word (--out is not --outputs).
private func names(_ option: String, in help: String) -> Bool {
    var rest = help[...]
    while let found = rest.range(of: option) {
        let next = rest[found.upperBound...].first
        if next.map({ !($0.isLetter || $0.isNumber || $0 == "-") }) ?? true { return true }
        rest = rest[found.upperBound...]
    }
    return false
}

@Test(.spawnsProcesses, arguments: ["ci/kubernetes-indexed-job.yml", "ci/github-actions-shards.yml", "ci/github-actions-release.yml"])
func everyOptionACIExampleGivesGradfuzzExists(_ file: String) async throws {
    let commands = try gradfuzzCommands(in: file)
    #expect(!commands.isEmpty, "\(file) runs no gradfuzz command")
    var help: [String: String] = [:]
    for (subcommand, options) in commands {
        if help[subcommand] == nil {
            // The root's options and, as the root runs `fuzz` by default, fuzz's.
            let asked = subcommand.isEmpty ? [["--help"], ["fuzz", "--help"]] : [[subcommand, "--help"]]
            var text = ""
            for arguments in asked { text += try await runGradfuzz(arguments).stdout }
            help[subcommand] = text
        }
        for option in options {
            #expect(names(option, in: help[subcommand]!), "\(file): gradfuzz \(subcommand) has no option \(option)")
        }
    }
}

@Test func theKubernetesExampleRunsShardsAndMergesThem() async throws {
    let commands = try gradfuzzCommands(in: "ci/kubernetes-indexed-job.yml")
    #expect(commands.contains { ["fuzz", ""].contains($0.subcommand) && $0.options.contains("--shard") && $0.options.contains("--json") })
    #expect(commands.contains { $0.subcommand == "merge" })
}
