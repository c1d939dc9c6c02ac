import Foundation

/// Gradescope's autograder results.json, as its specification documents it
/// (gradescope-autograders.readthedocs.io, "Autograder Specifications"): the total score, the time,
/// a text for the whole submission, visibilities, and the tests. Fields left nil are not written.
public struct GradescopeResults: Codable, Equatable, Sendable {
    /// Who sees a test, its output, or the autograder's stdout, and when.
    public enum Visibility: String, Codable, CaseIterable, Sendable {
        case visible
        case hidden
        case afterDueDate = "after_due_date"
        case afterPublished = "after_published"
    }

    public enum Status: String, Codable, Sendable {
        case passed, failed
    }

    public struct Test: Codable, Equatable, Sendable {
        public var score: Double
        public var maxScore: Double
        public var status: Status
        public var name: String
        public var number: String?
        public var output: String
        public var tags: [String]?
        public var visibility: Visibility

        public init(
            score: Double, maxScore: Double, status: Status, name: String, number: String? = nil, output: String, tags: [String]? = nil,
            visibility: Visibility
        ) {
            self.score = score
            self.maxScore = maxScore
            self.status = status
            self.name = name
            self.number = number
            self.output = output
            self.tags = tags
            self.visibility = visibility
        }

        enum CodingKeys: String, CodingKey {
            case score, status, name, number, output, tags, visibility
            case maxScore = "max_score"
        }
    }

    public var score: Double
    /// Seconds.
    public var executionTime: Double?
    public var output: String?
    public var visibility: Visibility?
    public var stdoutVisibility: Visibility?
    public var tests: [Test]

    public init(
        score: Double, executionTime: Double? = nil, output: String? = nil, visibility: Visibility? = nil, stdoutVisibility: Visibility? = nil,
        tests: [Test]
    ) {
        self.score = score
        self.executionTime = executionTime
        self.output = output
        self.visibility = visibility
        self.stdoutVisibility = stdoutVisibility
        self.tests = tests
    }

    enum CodingKeys: String, CodingKey {
        case score, output, visibility, tests
        case executionTime = "execution_time"
        case stdoutVisibility = "stdout_visibility"
    }

    /// The sum of the tests' maximum scores.
    public var maxScore: Double { tests.reduce(0) { $0 + $1.maxScore } }

    /// The results as JSON, ending with a newline. Never fails: a number JSON cannot hold (NaN, an
    /// infinity) is written as 0, so that Gradescope always reads a score.
    public var json: Data {
        func finite(_ x: Double) -> Double { x.isFinite ? x : 0 }
        var clean = self
        clean.score = finite(score)
        clean.executionTime = executionTime.map(finite)
        for i in clean.tests.indices {
            clean.tests[i].score = finite(clean.tests[i].score)
            clean.tests[i].maxScore = finite(clean.tests[i].maxScore)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Every value is a finite number, a string or an enumeration: encoding cannot fail.
        let data = (try? encoder.encode(clean)) ?? Data(#"{"score": 0, "output": "gradfuzz could not write its results", "tests": []}"#.utf8)
        return data + Data("\n".utf8)
    }
}
