import Foundation
import GradFuzzCore

/// How a course grades backprop programs on Gradescope (`gradfuzz autograde`, `gradfuzz grade`): the
/// family, the exam's seed, the command that runs a submission, time limits, points and who sees what.
/// Stored as "gradfuzz-autograder/1" JSON (docs/grading.md), in snake_case.
///
/// The exam's seed lives here only, never on a command line or in the environment, where a student's
/// program could read it (/proc/PID/cmdline, /proc/PID/environ); the exam's expected values are
/// computed from it in memory at grading time and never written to disk.
public struct AutograderConfig: Equatable, Sendable {
    public static let schemaName = "gradfuzz-autograder/1"
    public static let fileName = "gradfuzz.json"

    /// The kinds of test a submission is graded on.
    public enum Kind: String, CaseIterable, Codable, Sendable {
        /// The curated fixtures inside the family: small, named, shown to the student.
        case curated
        /// The family's exam drawn from the seed: every catalogued mistake that can occur fails one.
        case exam
        /// A short seeded fuzz of the family: one test, failed by its first wrong case (shown shrunk).
        case fuzz
    }

    public struct Timeouts: Codable, Equatable, Sendable {
        /// Seconds for each answer.
        public var answer: Double = 10
        /// Extra seconds for the first answer after a start, while the program loads (numpy).
        public var startup: Double = 20
        /// Seconds for the whole submission: tests not reached by then score 0.
        public var total: Double = 600
        public init() {}
    }

    public struct Points: Codable, Equatable, Sendable {
        public var total: Double = 10
        /// Each kind's share of the total, in proportion to the others' (a kind without tests gives
        /// its share to the rest); within a kind, every test weighs the same.
        public var curated: Double = 1
        public var exam: Double = 3
        public var fuzz: Double = 1
        public init() {}
        public func share(_ kind: Kind) -> Double {
            switch kind {
            case .curated: curated
            case .exam: exam
            case .fuzz: fuzz
            }
        }
    }

    public struct Visibility: Codable, Equatable, Sendable {
        public var curated: GradescopeResults.Visibility = .visible
        public var exam: GradescopeResults.Visibility = .afterPublished
        public var fuzz: GradescopeResults.Visibility = .afterPublished
        /// Of the autograder's stdout (Gradescope's stdout_visibility).
        public var stdout: GradescopeResults.Visibility = .hidden
        public init() {}
        public func of(_ kind: Kind) -> GradescopeResults.Visibility {
            switch kind {
            case .curated: curated
            case .exam: exam
            case .fuzz: fuzz
            }
        }
    }

    public var schema = Self.schemaName
    public var family: FamilyStatement
    /// Below 2^53, so that every JSON reader reads it exactly.
    public var examSeed: UInt64
    public var fuzzCases: Int = 100
    /// The command that runs a submission, split as a shell would, run in the submission's folder.
    public var command: String
    /// The user the submission runs as (when gradfuzz runs as root); nil: gradfuzz's own.
    public var user: String?
    public var timeouts = Timeouts()
    public var points = Points()
    public var visibility = Visibility()
    /// Whether a test that is not visible shows the expected values of the entries it got wrong.
    public var showExpectedInHidden = false
    /// Whether a test that is not visible shows what the program wrote to stderr (it could print the inputs).
    public var showStderrInHidden = false
    /// "float64" (the default) or "float32": how far an answer may lie from the expected values.
    public var tolerance: String?

    public init(family: FamilyStatement, examSeed: UInt64, command: String) {
        self.family = family
        self.examSeed = examSeed
        self.command = command
    }

    /// A fresh seed for a new bundle: each course's exam is its own.
    public static func freshSeed() -> UInt64 { UInt64.random(in: 1..<(1 << 53)) }

    public static let tolerances = ["float64", "float32"]

    /// The tolerance named (float64 when none is).
    public var toleranceValue: Tolerance { tolerance == "float32" ? .float32 : .float64 }

    /// The family stated, resolved; or why it cannot be.
    public func resolvedFamily() throws(ConfigError) -> Family {
        do throws(FamilyStatement.Refusal) { return try family.resolve() } catch {
            throw ConfigError(field: "family", error.description)
        }
    }
}

/// Why a configuration cannot be used: the field and what was expected, in one line.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String?
    public var field: String
    public var message: String

    public init(file: String? = nil, field: String, _ message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String { (file.map { "\($0): " } ?? "") + (field.isEmpty ? message : "\(field): \(message)") }
}
