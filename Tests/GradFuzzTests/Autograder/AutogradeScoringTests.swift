import Foundation
import GradFuzzCore
import GradFuzzMutants
import Testing

@testable import GradFuzzStudents

// Scoring a validation as a course's configuration says, with Swift implementations (no process).

private func course(fuzzCases: Int = 10) throws -> (AutograderConfig, Autograde.Plan) {
    var config = AutograderConfig(family: FamilyStatement(name: "sigmoid-squared-error"), examSeed: 7_654_321_987_654, command: "python3 student.py")
    config.fuzzCases = fuzzCases
    return (config, try Autograde.plan(config))
}

private func graded(_ implementation: some BackpropImplementation, _ config: AutograderConfig, _ plan: Autograde.Plan) async -> Autograde.Graded {
    let report = await Validation.run(
        plan.curated + plan.exam, implementation: implementation, options: Validation.Options(family: plan.family), fuzz: plan.fuzz)
    return AutogradeScoring(config: config, plan: plan, timeLimitReached: false).graded(report)
}

@Test func aCorrectImplementationScoresFullMarksSplitAsConfigured() async throws {
    let (config, plan) = try course()
    let results = await graded(ReferenceImplementation(), config, plan).results
    #expect(results.tests.allSatisfy { $0.status == .passed && $0.score == $0.maxScore })
    #expect(abs(results.score - config.points.total) < 1e-9 && abs(results.maxScore - config.points.total) < 1e-9)
    // curated : exam : fuzz = 1 : 3 : 1 of the total, evenly within each kind.
    let byKind = Dictionary(grouping: results.tests, by: { $0.tags?.first ?? "" }).mapValues { $0.reduce(0) { $0 + $1.maxScore } }
    #expect(abs((byKind["curated"] ?? 0) - 2) < 1e-9 && abs((byKind["exam"] ?? 0) - 6) < 1e-9 && abs((byKind["fuzz"] ?? 0) - 2) < 1e-9, "\(byKind)")
    #expect(results.tests.allSatisfy { $0.name.count <= 40 })
    #expect(results.tests.filter { $0.tags == ["exam"] }.map(\.name) == plan.exam.indices.map { "exam \($0 + 1)" })
}

@Test func aHiddenTestShowsTheDiagnosisButNeitherExpectedValuesNorTheSeed() async throws {
    let (config, plan) = try course()
    let mutant = try #require(MutantCatalog.named("no_one_over_m"))
    let result = await graded(mutant, config, plan)
    let failed = result.results.tests.filter { $0.status == .failed }
    let hidden = failed.filter { $0.visibility != .visible }, visible = failed.filter { $0.visibility == .visible }
    #expect(!hidden.isEmpty && result.results.score < config.points.total)
    #expect(hidden.allSatisfy { $0.output.contains("diagnosis: ") && !$0.output.contains("worst entries") }, "\(hidden.map(\.output))")
    #expect(visible.allSatisfy { $0.output.contains("worst entries") }, "\(visible.map(\.output))")
    let json = String(decoding: result.results.json, as: UTF8.self)
    #expect(!json.contains(String(config.examSeed)))
    #expect(result.firstFailure != nil)
    // Allowed by the configuration, a hidden test shows them too.
    var showing = config
    showing.showExpectedInHidden = true
    let shown = await graded(mutant, showing, plan)
    #expect(shown.results.tests.filter { $0.status == .failed && $0.visibility != .visible }.contains { $0.output.contains("worst entries") })
}

@Test func pointsOfAKindWithoutTestsGoToTheOthers() throws {
    var (config, plan) = try course(fuzzCases: 0)
    plan.curated = []
    config.points = .init()
    config.points.curated = 5
    let scoring = AutogradeScoring(config: config, plan: plan, timeLimitReached: false)
    #expect(scoring.points(.curated) == 0 && scoring.points(.fuzz) == 0)
    #expect(abs(scoring.points(.exam) * Double(plan.exam.count) - config.points.total) < 1e-9)
}

@Test func gradescopeResultsAlwaysParseWithAScoreEvenFromNumbersJSONCannotHold() throws {
    let results = GradescopeResults(
        score: .nan, executionTime: .infinity, output: "x",
        tests: [.init(score: .infinity, maxScore: 1, status: .failed, name: "exam 1", output: "y", visibility: .hidden)])
    let object = try #require(try JSONSerialization.jsonObject(with: results.json) as? [String: Any])
    #expect((object["score"] as? NSNumber)?.doubleValue == 0)
    let test = try #require((object["tests"] as? [[String: Any]])?.first)
    #expect((test["score"] as? NSNumber)?.doubleValue == 0 && test["max_score"] as? NSNumber == 1 && test["visibility"] as? String == "hidden")
}
