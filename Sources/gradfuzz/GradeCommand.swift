import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz grade SUBMISSIONS/ --config FILE --out DIR`: a whole class graded locally, as the
/// Gradescope autograder would grade each student.
struct GradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Grade a folder of submissions (one folder per student) in parallel, into a CSV and each student's results and report.",
        discussion: """
            Each folder of SUBMISSIONS is one student's, graded as gradfuzz autograde grades it (the configuration's \
            command run in that folder). Writes DIR/<student>/results.json (Gradescope's) and DIR/<student>/report.html \
            as each student finishes, and DIR/grades.csv (student, score, max, first failing test, diagnosis), kept up \
            to date. One broken submission never stops the rest. Ctrl-C lets the students in progress stop at their \
            current test; the CSV then lists the finished ones and marks the rest not graded.

            Exit status: 0 every student graded, 2 the run could not start, 130 interrupted.
            """)

    @Argument(help: ArgumentHelp("The folder holding one folder per student.", valueName: "submissions"))
    var submissions: String

    @Option(help: ArgumentHelp("The grading configuration (gradfuzz autograder writes one).", valueName: "file"))
    var config: String

    @Option(help: ArgumentHelp("The folder for the grades (new, empty, or an earlier run's to replace).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Students graded at once.", valueName: "n"))
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        try Expect.whole(jobs, "--jobs", in: 1...256)
        try Expect.path(out, "--out", "a folder for the grades")
    }

    /// Files a run writes: the CSV, and a folder per student holding its results and report.
    static func isGradeOutput(_ url: URL) -> Bool {
        if url.lastPathComponent == "grades.csv" { return true }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return false }
        return names.allSatisfy { ["results.json", "report.html"].contains($0) || $0.hasPrefix(".") }
    }

    func run() async throws {
        let config: AutograderConfig, plan: Autograde.Plan
        do throws(ConfigError) {
            config = try AutograderConfig.read(from: self.config)
            plan = try Autograde.plan(config)
        } catch { throw ValidationError(error.description) }
        let students = try Self.students(in: submissions)
        let root = URL(fileURLWithPath: submissions).standardizedFileURL.resolvingSymlinksInPath().path + "/"
        let outPath = URL(fileURLWithPath: out).standardizedFileURL.path
        if (outPath + "/").hasPrefix(root) {
            throw ValidationError("--out: \(out) is inside \(submissions); expected a folder outside the submissions")
        }
        do throws(OutputFileError) {
            try OutputDirectory.check(out, isReplaceable: Self.isGradeOutput)
            try OutputFile.createDirectory(out)
        } catch { throw ValidationError("--out: \(error)") }
        // An earlier run's grades go: none of them may be mistaken for this run's.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] where !name.hasPrefix(".") {
            try? FileManager.default.removeItem(atPath: (out as NSString).appendingPathComponent(name))
        }
        let stop = StopSignal()
        Interrupt.stops(stop, finishing: "the students in progress")
        let maxScore = config.points.total
        var rows = students.map { ClassGrades.Row(student: $0, score: nil, maxScore: maxScore) }
        let csv = (out as NSString).appendingPathComponent("grades.csv")
        func writeCSV() { try? OutputFile.write(Data(ClassGrades(rows: rows).csv.utf8), to: csv) }
        writeCSV()
        FileHandle.standardError.write(Data("grading \(students.count) submissions, \(jobs) at a time: \(config.command)\n".utf8))
        let (submissions, out) = (self.submissions, self.out)
        await withTaskGroup(of: (Int, ClassGrades.Row?, String).self) { group in
            var next = 0, finished = 0
            func start() {
                guard next < students.count, !stop.raised else { return }
                let index = next, student = students[next]
                next += 1
                group.addTask {
                    let folder = (submissions as NSString).appendingPathComponent(student)
                    let graded = await Autograde.grade(submission: folder, config: config, plan: plan, stop: stop)
                    guard !graded.interrupted else { return (index, nil, "") }
                    return (index, Self.row(student, graded, maxScore: maxScore), Self.write(graded, to: (out as NSString).appendingPathComponent(student)))
                }
            }
            for _ in 0..<jobs { start() }
            while let (index, row, note) = await group.next() {
                start()
                guard let row else { continue }
                rows[index] = row
                writeCSV()
                finished += 1
                let score = AutogradeCommand.points(row.score ?? 0) + "/" + AutogradeCommand.points(maxScore)
                let failing = row.firstFailingTest.isEmpty ? "" : ", first failing: \(row.firstFailingTest)"
                FileHandle.standardError.write(Data("[\(finished)/\(students.count)] \(Self.printable(row.student)): \(score)\(failing)\(note)\n".utf8))
            }
        }
        writeCSV()
        let grades = ClassGrades(rows: rows)
        print(grades.summary)
        print("grades: \(csv)")
        if grades.rows.contains(where: { $0.score == nil }) { throw ExitCode(130) }
    }

    static func row(_ student: String, _ graded: Autograde.Graded, maxScore: Double) -> ClassGrades.Row {
        ClassGrades.Row(
            student: student, score: graded.results.score, maxScore: maxScore, firstFailingTest: graded.firstFailure?.test ?? "",
            diagnosis: graded.firstFailure?.diagnosis ?? "")
    }

    /// Writes a student's results.json and report.html into `directory`; what went wrong, or "".
    static func write(_ graded: Autograde.Graded, to directory: String) -> String {
        do throws(OutputFileError) {
            try OutputFile.createDirectory(directory)
            try OutputFile.write(graded.results.json, to: (directory as NSString).appendingPathComponent("results.json"))
            try ValidationPage(graded.report).write(to: (directory as NSString).appendingPathComponent("report.html"))
            return ""
        } catch { return " (cannot write its files: \(error))" }
    }

    /// A folder's name with control characters shown as "?", for the terminal.
    static func printable(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
    }

    /// The students: the folders of `submissions` (not hidden), sorted.
    static func students(in submissions: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: submissions, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(submissions) is not a folder; expected a folder holding one folder per student")
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: submissions)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: (submissions as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
        guard !names.isEmpty else { throw ValidationError("\(submissions) holds no folders; expected one folder per student") }
        return names
    }
}
