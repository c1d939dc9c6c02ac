import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz fixtures`: regenerates the curated set, byte for byte.
struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Regenerate the curated fixture set (deterministic: the same bytes every time).")

    @Option(help: "Directory to write the curated fixtures into.")
    var out = "fixtures/curated"

    func run() throws {
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let fixtures = CuratedFixtures.all()
            for fixture in fixtures {
                try fixture.write(to: directory.appendingPathComponent(fixture.id + ".json"))
            }
            print("wrote \(fixtures.count) fixtures to \(directory.path)")
        } catch {
            printError("cannot write to \(out): \(error.localizedDescription)")
            throw ExitCode(2)
        }
    }
}
