import Foundation
import GradFuzzCore
import Testing

@testable import GradFuzzStudents

private func config(_ json: String) throws(ConfigError) -> AutograderConfig { try AutograderConfig.decode(Data(json.utf8), file: "gradfuzz.json") }

private let minimal = #"{"schema": "gradfuzz-autograder/1", "family": "sigmoid-squared-error", "exam_seed": 12345, "command": "python3 student.py""#

@Test func aMinimalConfigurationTakesEveryDefaultAndHidesTheExam() throws {
    let c = try config(minimal + "}")
    #expect(c.examSeed == 12345 && c.command == "python3 student.py" && c.family == FamilyStatement(name: "sigmoid-squared-error"))
    #expect(c.visibility.curated == .visible && c.visibility.exam != .visible && c.visibility.fuzz != .visible && c.visibility.stdout == .hidden)
    #expect(!c.showExpectedInHidden && !c.showStderrInHidden && c.user == nil)
}

@Test func aConfigurationReadsBackAsWritten() throws {
    var c = AutograderConfig(family: FamilyStatement(name: "relu-softmax-cross-entropy"), examSeed: AutograderConfig.freshSeed(), command: "python3 mine.py")
    c.family.maxDepth = 3
    c.user = "student"
    c.points.total = 25
    c.points.fuzz = 0
    c.visibility.exam = .afterDueDate
    c.timeouts.total = 90
    c.tolerance = "float32"
    #expect(try AutograderConfig.decode(c.json) == c)
}

@Test func freshSeedsDifferAndEveryJSONReaderReadsThemExactly() {
    let seeds = (0..<8).map { _ in AutograderConfig.freshSeed() }
    #expect(Set(seeds).count == 8 && seeds.allSatisfy { $0 < 1 << 53 })
}

@Test(arguments: [
    (#", "visiblity": {}}"#, "visiblity"),
    (#", "visibility": {"exam": "secret"}}"#, "visibility.exam"),
    (#", "points": {"total": "ten"}}"#, "points.total"),
    (#", "points": {"total": -1}}"#, "points.total"),
    (#", "points": {"curated": 0, "exam": 0, "fuzz": 0}}"#, "points"),
    (#", "timeouts": {"answer": 0}}"#, "timeouts.answer"),
    (#", "fuzz_cases": 1.5}"#, "fuzz_cases"),
    (#", "tolerance": "loose"}"#, "tolerance"),
    (#", "user": "a b"}"#, "user"),
])
func everyBadFieldIsNamedInOneLine(_ tail: String, _ field: String) throws {
    do {
        _ = try config(minimal + tail)
        Issue.record("accepted \(tail)")
    } catch {
        #expect(error.field == field, "\(error)")
        #expect(error.description.hasPrefix("gradfuzz.json: \(field): ") && !error.description.contains("\n"), "\(error)")
    }
}

@Test func aMissingSeedAWrongSchemaAndAnUnknownFamilyAreNamed() {
    let cases = [
        (#"{"schema": "gradfuzz-autograder/1", "family": "sigmoid-squared-error", "command": "x"}"#, "exam_seed"),
        (#"{"schema": "gradfuzz-autograder/2", "family": "sigmoid-squared-error", "exam_seed": 1, "command": "x"}"#, "schema"),
        (#"{"schema": "gradfuzz-autograder/1", "family": "no-such-family", "exam_seed": 1, "command": "x"}"#, "family"),
        (#"{"schema": "gradfuzz-autograder/1", "family": "sigmoid-squared-error", "exam_seed": 1, "command": "  "}"#, "command"),
    ]
    for (json, field) in cases {
        #expect(throws: ConfigError.self) { try config(json) }
        do { _ = try config(json) } catch { #expect(error.field == field, "\(error)") }
    }
}

@Test func classGradesAreQuotedAsCSVAndNeverReadAsFormulas() {
    #expect(ClassGrades.field("plain") == "plain")
    #expect(ClassGrades.field("a, b") == "\"a, b\"")
    #expect(ClassGrades.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(ClassGrades.field("two\nlines") == "\"two\nlines\"")
    #expect(ClassGrades.field("=HYPERLINK(1)") == "'=HYPERLINK(1)")
    #expect(ClassGrades.field("-2.5") == "-2.5")
    let grades = ClassGrades(rows: [
        .init(student: "bob", score: nil, maxScore: 10),
        .init(student: "alice", score: 7.5, maxScore: 10, firstFailingTest: "exam 2", diagnosis: "dW is m times, too big"),
    ])
    #expect(grades.csv == "student,score,max,first failing test,diagnosis\r\nalice,7.5,10,exam 2,\"dW is m times, too big\"\r\nbob,,10,not graded,\r\n")
}
