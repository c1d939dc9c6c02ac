import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz fixtures`: regenerates the curated set and the exams of the named families, byte for
/// byte; `--refresh` recomputes the stored values of other fixtures; `--complete` turns problem
/// files into fixtures.
struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Regenerate the curated fixture set and the named families' exams (the same bytes every time).",
        discussion: """
            The exams (one directory per named family, with manifest.json) are those of `gradfuzz exam --family NAME --seed 1`.
            With --refresh, recompute the reference's and the oracle's values stored in existing fixtures instead, \
            keeping their problems, ids, descriptions and origins. With --complete, turn problem files (the fields \
            "layers" … "Y" alone) into fixtures in place: checked as any fixture is, with the reference's and the \
            oracle's values added (a file that is already a fixture is refreshed). Either way, top-level fields \
            gradfuzz does not know (a course's own notes or points) are kept, after its own.
            """)

    @Option(help: ArgumentHelp("Directory to write the curated fixtures into.", valueName: "directory"))
    var out = "fixtures/curated"

    @Option(help: ArgumentHelp("Directory to write the named families' exams into, one directory each.", valueName: "directory"))
    var exams = "fixtures/exams"

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Fixture files or directories whose stored values to recompute in place.", valueName: "path"))
    var refresh: [String] = []

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Problem files (or directories of them) to complete into fixtures, in place.", valueName: "path"))
    var complete: [String] = []

    func validate() throws {
        try Expect.path(out, "--out", "a directory for the curated fixtures")
        try Expect.path(exams, "--exams", "a directory for the exams")
        if !refresh.isEmpty && !complete.isEmpty { throw ValidationError("give --refresh or --complete, not both") }
        guard refresh.isEmpty && complete.isEmpty else { return }
        // Both checked before anything is written: a file where a directory belongs is said at once.
        for (flag, path) in [("--out", out), ("--exams", exams)] {
            do throws(OutputFileError) { try OutputDirectory.check(path) { _ in true } } catch { throw ValidationError("\(flag): \(error)") }
        }
    }

    func run() throws {
        if !refresh.isEmpty { return try rewrite(refresh, flag: "--refresh", done: "refreshed") }
        if !complete.isEmpty { return try rewrite(complete, flag: "--complete", done: "completed") }
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
        let examsDirectory = URL(fileURLWithPath: exams, isDirectory: true)
        do {
            for exam in try Exam.curated() {
                try exam.write(to: examsDirectory.appendingPathComponent(exam.name, isDirectory: true))
                print("wrote the exam of \(exam.name): \(exam.fixtures.count) fixtures and \(Fixture.manifestName) to \(examsDirectory.path)/\(exam.name)")
            }
        } catch {
            throw ValidationError("--exams: \(error)")
        }
    }

    /// Reads every file (a problem file is completed as it is read), then writes each back as a fixture.
    private func rewrite(_ paths: [String], flag: String, done: String) throws {
        let files: [URL], fixtures: [Fixture]
        do {
            files = try Fixture.files(in: paths)
            // Read every file before writing any, so that one bad file leaves all of them as they were.
            fixtures = try files.map { file throws(InputError) in try Fixture.read(from: file) }
        } catch {
            throw ValidationError(error)
        }
        guard !files.isEmpty else {
            throw ValidationError("\(flag): no fixture files (*.json) in \(paths.joined(separator: ", ")); nothing \(done)")
        }
        for (file, old) in zip(files, fixtures) {
            var fresh = Fixture(
                id: old.id, description: old.description, origin: old.origin, problem: old.problem,
                tolerance: old.tolerance)
            fresh.otherFields = old.otherFields
            do { try fresh.write(to: file) } catch {
                throw ValidationError("cannot write \(file.path): \(error.localizedDescription)")
            }
        }
        print("\(done) \(files.count) fixture\(files.count == 1 ? "" : "s")")
    }
}
