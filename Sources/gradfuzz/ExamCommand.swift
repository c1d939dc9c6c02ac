import ArgumentParser
import Foundation
import GradFuzz

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

    @Option(help: ArgumentHelp("Directory to write the exam into (created if needed).", valueName: "directory"))
    var out: String

    func validate() throws {
        try Expect.path(out, "--out", "a directory for the exam")
    }

    func run() throws {
        let family = familyOptions.resolved, name = familyOptions.name
        let seed = self.seed ?? UInt64.random(in: 0...UInt64.max) >> 16  // short enough to retype
        let exam: Exam
        do { exam = try Exam.build(family: family, name: name, seed: seed) } catch { throw ValidationError(error.description) }
        do { try exam.write(to: URL(fileURLWithPath: out, isDirectory: true)) } catch { throw ValidationError("--out: \(error)") }
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
