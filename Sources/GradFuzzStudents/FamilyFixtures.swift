import GradFuzzCore
import GradFuzzFixtures
import GradFuzzFuzzing

/// The fixtures `gradfuzz validate` checks when none are named: the curated fixtures that lie in
/// the family and the family's exam, both made in memory, so that validation needs no files and is
/// complete for the family by construction (every catalogued mistake that can occur in it fails
/// some fixture of the exam).
public enum FamilyFixtures {
    /// The exam's seed when none is given (`--exam-seed`): the seed of the committed exams.
    public static let defaultExamSeed = Exam.curatedSeed

    /// The curated fixtures inside `family`, then its exam drawn from `examSeed`.
    public static func cases(for family: Family, examSeed: UInt64 = defaultExamSeed) throws(Exam.BuildError) -> [Validation.Case] {
        curated(in: family) + (try exam(for: family, examSeed: examSeed))
    }

    /// The curated fixtures inside `family`, named "curated/ID".
    public static func curated(in family: Family) -> [Validation.Case] {
        CuratedFixtures.all(oracle: nil).filter { family.whyOutside($0.problem) == nil }.map { Validation.Case(fixture: $0, file: "curated/\($0.id)") }
    }

    /// The family's exam drawn from `examSeed`, its fixtures named "exam seed N/ID".
    public static func exam(for family: Family, examSeed: UInt64) throws(Exam.BuildError) -> [Validation.Case] {
        let exam = try Exam.build(family: family, name: name(of: family), seed: examSeed, oracle: nil)
        return exam.fixtures.map { Validation.Case(fixture: $0, file: "exam seed \(examSeed)/\($0.id)") }
    }

    /// The named family's name when `family` is one, else "family".
    public static func name(of family: Family) -> String {
        Family.named.first { $0.family == family }?.name ?? "family"
    }
}
