import ArgumentParser
import Foundation
import GradFuzz
import Synchronization

/// `gradfuzz exam`: a fresh fixture set, mutation-complete for a family, and its manifest.
struct ExamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exam",
        abstract: "Write a fixture set on which every catalogued mistake that can occur in a family fails, with a manifest.",
        discussion: """
            The fixtures are chosen greedily among small, well-conditioned problems drawn within the family from the seed: \
            the same family and seed give the same bytes, another seed other numbers (a fresh exam each term, a hidden one \
            for grading). manifest.json beside them names the family, the seed, the mistakes each fixture catches and the \
            catalogued mistakes that cannot occur in the family, with why.

            Grade with: gradfuzz validate --fixtures DIR --family NAME -- CMD (or the same family options).

            Exit status: 0 written, 2 usage error or a family with no valid network.
            """)

    @OptionGroup(title: "Family (what the exam is complete for)") var familyOptions: FamilyOptions

    @Option(parsing: .unconditional, help: "Seed of the exam; a fresh one is drawn and printed when absent.", transform: Expect.seed)
    var seed: UInt64?

    @Option(help: ArgumentHelp("Directory to write the exam as: created, or an earlier exam there replaced whole.", valueName: "directory"))
    var out: String

    @Option(help: "How large the exam's problems may be (within the family): small (depth ≤ 3, widths ≤ 4, batch ≤ 4), medium or large.")
    var size: ExamSize = .small

    @Option(
        name: .customLong("catch-each"), parsing: .unconditional,
        help: ArgumentHelp("Fixtures that must catch each mistake (more fixtures for a larger exam).", valueName: "n"))
    var catchEach = 1

    @Option(
        name: .customLong("time-limit"), parsing: .unconditional,
        help: ArgumentHelp("Seconds the search for fixtures may take before it gives up, saying what it had not caught.", valueName: "seconds"))
    var timeLimit: Double = 300

    func validate() throws {
        try Expect.path(out, "--out", "a directory for the exam")
        try Expect.whole(catchEach, "--catch-each", in: 1...16)
        guard timeLimit > 0 && timeLimit <= 86400 else {
            throw ValidationError("--time-limit: expected seconds greater than 0 and at most 86400, got \(timeLimit)")
        }
        do throws(OutputFileError) { try Exam.checkOutput(out) } catch { throw ValidationError("--out: \(error)") }
    }

    func run() throws {
        let family = familyOptions.resolved, name = familyOptions.name
        let seed = self.seed ?? UInt64.random(in: 0...UInt64.max) >> 16  // short enough to retype
        let exam: Exam
        let progress = ExamProgressLine()
        do {
            exam = try Exam.build(
                family: family, name: name, seed: seed, size: size.size, catchEach: catchEach,
                deadline: .now + .milliseconds(Int64(timeLimit * 1000)), progress: progress.update)
        } catch {
            progress.finish()
            throw ValidationError(error.description)
        }
        progress.finish()
        do throws(OutputFileError) { try exam.write(to: URL(fileURLWithPath: out, isDirectory: true)) } catch {
            throw ValidationError("--out: \(error)")
        }
        print("gradfuzz exam: \(name == "custom" ? "" : name + ": ")\(family.summary); seed \(seed)")
        for (fixture, catches) in zip(exam.fixtures, exam.catches) {
            let p = fixture.problem
            print(
                "  \(exam.fileName(fixture))  layers \(p.network.layers), batch \(p.batchSize), "
                    + "\(p.network.activations.map(\.rawValue).joined(separator: ",")) + \(p.loss.rawValue): "
                    + "catches \(catches.count) (\(catches.joined(separator: ", ")))")
        }
        let caught = Set(exam.catches.joined()).count
        print(
            "\(exam.fixtures.count) fixtures in \(out)/: every one of the \(caught) catalogued mistakes that can occur in the family "
                + "fails at least one; \(exam.cannotOccur.count) cannot occur in it (\(Fixture.manifestName) says why)")
    }
}

/// The sizes of `--size`.
enum ExamSize: String, ExpressibleByArgument, CaseIterable {
    case small, medium, large

    var size: Exam.Size { Exam.Size(rawValue: rawValue)! }
}

/// The search's progress on standard error, once a second: a large family's exam takes a while.
final class ExamProgressLine: Sendable {
    private let started = ContinuousClock.now
    private let last = Mutex(ContinuousClock.now)
    private let terminal = isatty(STDERR_FILENO) != 0

    func update(_ p: Exam.Progress) {
        let now = ContinuousClock.now
        guard now - started >= .seconds(1),
            last.withLock({ last in
                guard now - last >= .seconds(1) else { return false }
                last = now
                return true
            })
        else { return }
        let missing = p.missing.prefix(4).joined(separator: ", ") + (p.missing.count > 4 ? ", …" : "")
        let text = "exam: \(p.candidates) candidates drawn, \(p.fixtures) fixtures chosen; still to catch: \(missing)"
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + text : text + "\n").utf8))
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
