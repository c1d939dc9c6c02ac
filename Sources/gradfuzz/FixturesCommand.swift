import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz fixtures`: regenerates the curated set, byte for byte; `--refresh` recomputes the
/// stored values of other fixtures.
struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Regenerate the curated fixture set (deterministic: the same bytes every time).",
        discussion: "With --refresh, recompute the reference's and the oracle's values stored in existing fixtures instead, keeping their problems, ids, descriptions and origins.")

    @Option(help: "Directory to write the curated fixtures into.")
    var out = "fixtures/curated"

    @Option(parsing: .upToNextOption, help: "Fixture files or directories whose stored values to recompute in place.")
    var refresh: [String] = []

    func run() throws {
        if !refresh.isEmpty { return try refreshFixtures() }
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        do {
            try OutputFile.createDirectory(directory.path)
            let fixtures = CuratedFixtures.all()
            for fixture in fixtures {
                try fixture.write(to: directory.appendingPathComponent(fixture.id + ".json"))
            }
            print("wrote \(fixtures.count) fixtures to \(directory.path)")
        } catch {
            printError(error.localizedDescription)
            throw ExitCode(2)
        }
    }

    private func refreshFixtures() throws {
        do {
            let files = try Fixture.files(in: refresh)
            // Read every file before writing any, so that one bad file leaves all of them as they were.
            let fixtures = try files.map { file throws(InputError) in try Fixture.read(from: file) }
            for (file, old) in zip(files, fixtures) {
                let fresh = Fixture(id: old.id, description: old.description, origin: old.origin, problem: old.problem,
                                    tolerance: old.tolerance)
                do { try fresh.write(to: file) } catch {
                    printError(error.localizedDescription)
                    throw ExitCode(2)
                }
            }
            print("refreshed \(files.count) fixtures")
        } catch let error as InputError {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}
