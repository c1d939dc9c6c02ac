import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz fixtures`: regenerates the curated set, byte for byte; `--refresh` recomputes the
/// stored values of other fixtures.
struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Regenerate the curated fixture set (deterministic: the same bytes every time).",
        discussion: """
            With --refresh, recompute the reference's and the oracle's values stored in existing fixtures instead, \
            keeping their problems, ids, descriptions and origins.
            """)

    @Option(help: ArgumentHelp("Directory to write the curated fixtures into.", valueName: "directory"))
    var out = "fixtures/curated"

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Fixture files or directories whose stored values to recompute in place.", valueName: "path"))
    var refresh: [String] = []

    func validate() throws {
        try Expect.path(out, "--out", "a directory for the curated fixtures")
    }

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
            throw ValidationError("--out: \(error)")
        }
    }

    private func refreshFixtures() throws {
        let files: [URL], fixtures: [Fixture]
        do {
            files = try Fixture.files(in: refresh)
            // Read every file before writing any, so that one bad file leaves all of them as they were.
            fixtures = try files.map { file throws(InputError) in try Fixture.read(from: file) }
        } catch {
            throw ValidationError(error)
        }
        guard !files.isEmpty else {
            throw ValidationError("--refresh: no fixture files (*.json) in \(refresh.joined(separator: ", ")); nothing refreshed")
        }
        for (file, old) in zip(files, fixtures) {
            let fresh = Fixture(id: old.id, description: old.description, origin: old.origin, problem: old.problem,
                                tolerance: old.tolerance)
            do { try fresh.write(to: file) } catch {
                throw ValidationError("cannot write \(file.path): \(error.localizedDescription)")
            }
        }
        print("refreshed \(files.count) fixtures")
    }
}
