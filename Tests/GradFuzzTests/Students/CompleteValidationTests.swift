import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzTestSupport
import Testing

@testable import GradFuzzMutants
@testable import GradFuzzStudents

// validate's default: the family's curated fixtures, its exam and a short fuzz, made in memory, so
// that no program with a catalogued mistake passes the command a student runs first.

/// The plan validate makes without --fixtures, for `family`.
private func completePlan(_ family: Family, fuzzCases: Int = 0) throws -> ValidationPlan {
    try ValidationPlan.make(
        family: [.init("stated on the command line", family)], fixtures: nil, examSeed: FamilyFixtures.defaultExamSeed,
        completeWithExam: false, fuzzCases: fuzzCases, tolerance: { $0.tolerance })
}

@Test(arguments: Family.named.map(\.name))
func everyCataloguedMistakeOfTheFamilyFailsTheDefaultCheck(_ name: String) async throws {
    let family = try #require(Family.named(name))
    let plan = try completePlan(family)
    var options = Validation.Options(family: family)
    options.family = family
    let occurring = MutantCatalog.all.filter { $0.whyCannotOccur(in: family) == nil }
    #expect(!occurring.isEmpty)
    for mutant in occurring {
        let report = await Validation.run(plan.cases, implementation: mutant, options: options)
        #expect(report.exitCode == 1, "\(name): \(mutant.name) passed the default check: \(report.summary)")
    }
    let correct = await Validation.run(plan.cases, implementation: ReferenceImplementation(), options: options)
    #expect(correct.exitCode == 0 && correct.mistakes?.complete == true, "\(name): \(correct.summary)")
}

/// Right on the small, well-conditioned networks an exam holds; wrong in networks of four or more
/// layers: a mistake no catalogue holds, which only the fuzz reaches.
private struct WrongWhenDeep: BackpropImplementation {
    var name: String { "wrong when deep" }
    func backprop(_ problem: Problem) -> Answer {
        var answer = Reference.backprop(problem).answer
        if problem.network.depth >= 4 { answer.dW[0].storage = answer.dW[0].storage.map { $0 * 1.5 } }
        return answer
    }
}

@Test func theFuzzAfterTheFixturesFailsAMistakeNoCatalogueHoldsAndShowsItShrunk() async throws {
    let family = try #require(Family.named("tanh-sigmoid-squared-error"))
    let plan = try completePlan(family, fuzzCases: FamilyFuzz.defaultCases)
    #expect(plan.cases.allSatisfy { $0.fixture.problem.network.depth < 4 }, "the exam alone cannot catch it")
    let report = await Validation.run(plan.cases, implementation: WrongWhenDeep(), options: Validation.Options(family: family), fuzz: plan.fuzz)
    #expect(report.exitCode == 1, "\(report.summary)")
    let failure = try #require(report.fuzz?.failure)
    #expect(failure.outcome == .fail && failure.file.hasPrefix("fuzz seed 1/"))
    // Shrunk: every width and the batch to 1, no shallower than the mistake needs.
    let shrunk = try #require(failure.problem)
    #expect(shrunk.network.depth >= 4 && shrunk.network.layers.allSatisfy { $0 == 1 } && shrunk.batchSize == 1, "\(failure.description)")
    // Without the mistake the fuzz passes every case it draws.
    let correct = await Validation.run(plan.cases, implementation: ReferenceImplementation(), options: Validation.Options(family: family), fuzz: plan.fuzz)
    #expect(correct.exitCode == 0 && correct.fuzz?.checked == FamilyFuzz.defaultCases, "\(correct.fuzz?.summary ?? "")")
}

@Test func namedFixturesThatCannotCatchEveryMistakeAreSaidIncompleteBeforeTheRun() throws {
    let family = try #require(Family.named("sigmoid-squared-error"))
    let one = packageRoot.appendingPathComponent("fixtures/curated/one-neuron.json").path
    let named = try ValidationPlan.make(
        family: [.init("stated on the command line", family)], fixtures: [one], examSeed: 1, completeWithExam: false, fuzzCases: 0,
        tolerance: { $0.tolerance })
    // One neuron has no hidden layer: no mistake of a hidden layer's derivative can show on it.
    #expect(named.uncaught.contains("f_instead_of_fprime") && named.uncaught.contains("fprime_dropped_hidden"), "\(named.uncaught)")
    #expect(named.incompleteness?.contains("--complete-with-exam") == true)
    let completed = try ValidationPlan.make(
        family: [.init("stated on the command line", family)], fixtures: [one], examSeed: 1, completeWithExam: true, fuzzCases: 0,
        tolerance: { $0.tolerance })
    #expect(completed.uncaught.isEmpty && completed.incompleteness == nil && completed.cases.count > 1)
}

@Test func familiesStatedInSeveralPlacesMustOverlap() throws {
    let softmax = try #require(Family.named("relu-softmax-cross-entropy")), sigmoid = try #require(Family.named("sigmoid-squared-error"))
    var shallow = Family.all
    shallow.depth = 1...2
    let narrowed = try ValidationPlan.family([.init("declared by the program", sigmoid), .init("stated on the command line", shallow)])
    #expect(narrowed.depth == 1...2 && narrowed.hiddenActivations == [.sigmoid])
    #expect(throws: ValidationPlan.Refusal.self) {
        try ValidationPlan.family([.init("declared by the program", sigmoid), .init("stated on the command line", softmax)])
    }
}

@Test func aProgramsDeclarationIsReadAsAStatement() throws {
    func read(_ json: String) throws(StudentError) -> FamilyStatement { try FamilyDeclaration.read(Data(json.utf8)) }
    #expect(try read(#"{"id": "describe", "family": "sigmoid-squared-error"}"#) == FamilyStatement(name: "sigmoid-squared-error"))
    let options = try read(#"{"id": "describe", "family": {"hidden_activations": ["sigmoid"], "losses": ["cross_entropy"], "max_depth": 2}}"#)
    #expect(options.hiddenActivations == [.sigmoid] && options.losses == [.crossEntropy] && options.maxDepth == 2 && options.name == nil)
    for (bad, words) in [
        (#"{"id": "describe", "family": {"hidden": ["sigmoid"]}}"#, "unknown key \"hidden\""),
        (#"{"id": "describe", "family": {"losses": ["cross_entropi"]}}"#, "cross_entropi"),
        (#"{"id": "describe", "family": 3}"#, "\"family\""),
    ] {
        do throws(StudentError) {
            _ = try read(bad)
            Issue.record("\(bad) was read")
        } catch { #expect(error.message.contains(words), "\(error.message)") }
    }
}

@Test(.spawnsProcesses) func whenMostFixturesAreDeclinedTheClosestNamedFamilyIsSuggested() async throws {
    let student = ExternalImplementation(command: ["python3", exampleStudent, "--family", "sigmoid-squared-error"])
    let cases = try Validation.load([packageRoot.appendingPathComponent("fixtures/curated").path])
    let report = await Validation.run(cases, implementation: student)
    let advice = try #require(report.familyAdvice, "\(report.summary)")
    #expect(advice.contains("state the family") && advice.contains("the closest named family: --family sigmoid-squared-error"), "\(advice)")
}

@Test func aFactorHintNeverNamesALossTheProblemDoesNotHave() {
    for loss in Loss.allCases {
        let statements = Diagnosis.factors(batchSize: 3, loss: loss).map(\.statement) + Diagnosis.factors(batchSize: 2, loss: loss).map(\.statement)
        #expect(statements.contains { $0.contains("½(A − Y)²") } == (loss == .squaredError), "\(loss): \(statements)")
    }
}
