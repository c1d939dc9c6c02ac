import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzFuzzing
import GradFuzzMutants

/// What `gradfuzz validate` checks, decided before the program is asked anything but its family:
/// the family (everything stated about it must hold), the fixtures, and the short fuzz.
///
/// With no fixtures named, the set is the family's curated fixtures and its exam, made in memory,
/// then a fuzz of the family: complete by construction. Named fixtures are checked as they are, and
/// the catalogued mistakes none of them can catch are listed before the run (`uncaught`).
public struct ValidationPlan: Sendable {
    /// Where a statement of the family came from, as the report names it.
    public struct Source: Sendable {
        public var origin: String
        public var family: Family
        public init(_ origin: String, _ family: Family) {
            self.origin = origin
            self.family = family
        }
    }

    public var family: Family
    /// Where the family came from ("stated on the command line", "declared by the program", …); empty: not stated.
    public var sources: [String]
    public var cases: [Validation.Case]
    public var fuzz: FamilyFuzz?
    /// The catalogued mistakes that can occur in the family and that no fixture inside it catches:
    /// a program with one of them passes every fixture.
    public var uncaught: [String]
    /// One line: what is checked.
    public var description: String

    /// Why there is no plan, in one line.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The family every source states, or why there is none.
    public static func family(_ sources: [Source]) throws(Refusal) -> Family {
        var family = Family.all
        for source in sources {
            guard let narrowed = family.intersection(source.family) else {
                let before = sources.prefix { $0.origin != source.origin }.map(\.origin).joined(separator: " and ")
                throw Refusal(
                    "the family \(source.origin) (\(source.family.summary)) has no network in common with the family \(before); expected families that overlap"
                )
            }
            family = narrowed
        }
        return family
    }

    /// The family's exam's manifest family, for each exam folder among `paths`.
    public static func examFamilies(in paths: [String]) -> [Source] {
        paths.compactMap { path in
            struct Manifest: Decodable { var family: Family }
            let file = (path as NSString).appendingPathComponent(Fixture.manifestName)
            guard let data = FileManager.default.contents(atPath: file), let manifest = try? JSONDecoder().decode(Manifest.self, from: data) else {
                return nil
            }
            return Source("of the exam \(path)", manifest.family)
        }
    }

    /// The plan: the named fixtures (nil: the family's complete set in memory), the exam added when
    /// `completeWithExam`, and the fuzz of `fuzzCases` cases when no fixtures are named.
    public static func make(
        family sources: [Source], fixtures paths: [String]?, examSeed: UInt64, completeWithExam: Bool, fuzzCases: Int,
        tolerance: @escaping (Fixture) -> Tolerance, allowingLooseTolerance: Bool = false
    ) throws(Refusal) -> ValidationPlan {
        let family = try Self.family(sources)
        func exam() throws(Refusal) -> [Validation.Case] {
            do throws(Exam.BuildError) { return try FamilyFixtures.exam(for: family, examSeed: examSeed) } catch {
                throw Refusal("the family's exam cannot be drawn: \(error)")
            }
        }
        guard let paths else {
            let set: FamilyFixtures.CompleteSet
            do throws(Exam.BuildError) { set = try FamilyFixtures.complete(for: family, examSeed: examSeed, fuzzCases: fuzzCases) } catch {
                throw Refusal("the family's exam cannot be drawn: \(error)")
            }
            let curated = set.curated.count
            return ValidationPlan(
                family: family, sources: sources.map(\.origin), cases: set.curated + set.exam, fuzz: set.fuzz, uncaught: [],
                description: "\(curated) curated fixture\(curated == 1 ? "" : "s") in the family, the family's exam (seed \(examSeed), "
                    + "\(set.exam.count) fixtures)" + (set.fuzz.map { ", then a fuzz of \($0.cases) cases" } ?? "")
                    + ": complete for the family")
        }
        var cases: [Validation.Case]
        do throws(InputError) { cases = try Validation.load(paths, allowingLooseTolerance: allowingLooseTolerance) } catch { throw Refusal(error.description) }
        let inside = cases.filter { family.whyOutside($0.fixture.problem) == nil }.map(\.fixture)
        let uncaught = MistakeCoverage(family: family, passed: inside, tolerance: tolerance).missing
        var description = "\(cases.count) fixture\(cases.count == 1 ? "" : "s") named (\(inside.count) in the family)"
        if completeWithExam {
            let examCases = try exam()
            cases += examCases
            description += " and the family's exam (seed \(examSeed), \(examCases.count) fixtures): complete for the family"
            return ValidationPlan(family: family, sources: sources.map(\.origin), cases: cases, fuzz: nil, uncaught: [], description: description)
        }
        return ValidationPlan(
            family: family, sources: sources.map(\.origin), cases: cases, fuzz: nil, uncaught: uncaught,
            description: description + (uncaught.isEmpty ? ": complete for the family" : ""))
    }

    /// The warning printed before the run when named fixtures cannot catch every mistake.
    public var incompleteness: String? {
        guard !uncaught.isEmpty else { return nil }
        let named = uncaught.prefix(6).joined(separator: ", ") + (uncaught.count > 6 ? ", … \(uncaught.count - 6) more" : "")
        return "WARNING: these fixtures are incomplete for the family: a program with one of these \(uncaught.count) catalogued mistakes "
            + "passes every one of them: \(named). Add --complete-with-exam to check the family's exam too, "
            + "or --require-complete to make this an error (exit 1); without --fixtures, validate checks a complete set."
    }
}
