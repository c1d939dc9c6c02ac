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

    /// A set complete for a family: its curated fixtures, its exam, and the fuzz run after them.
    public struct CompleteSet: Sendable {
        public var curated: [Validation.Case]
        public var exam: [Validation.Case]
        /// None for no fuzz cases.
        public var fuzz: FamilyFuzz?
    }

    /// The curated fixtures inside `family`, its exam drawn from `examSeed`, and a fuzz of
    /// `fuzzCases` cases from the same seed: what `validate` checks by default and `autograde` grades.
    public static func complete(for family: Family, examSeed: UInt64 = defaultExamSeed, fuzzCases: Int = FamilyFuzz.defaultCases) throws(Exam.BuildError)
        -> CompleteSet
    {
        CompleteSet(
            curated: curated(in: family), exam: try exam(for: family, examSeed: examSeed),
            fuzz: fuzzCases > 0 ? FamilyFuzz(family: family, seed: examSeed, cases: fuzzCases) : nil)
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

    /// "relu-softmax-cross-entropy: hidden relu; …" for a named family, the summary alone otherwise.
    public static func title(of family: Family) -> String {
        let name = name(of: family)
        return (name == "family" ? "" : name + ": ") + family.summary
    }

    /// The named family's name when `family` is one, else "family".
    public static func name(of family: Family) -> String {
        Family.named.first { $0.family == family }?.name ?? "family"
    }
}
