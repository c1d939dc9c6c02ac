import Foundation
import GradFuzzTestSupport
import Testing

@testable import GradFuzz
@testable import GradFuzzJudging

// One way to judge an answer: every entry, then the cost, against the oracle or the reference; and
// one mapping from a failure to an outcome. Every report must agree with it.

/// The reference's gradients with the cost made wrong: a program whose forward pass or loss is off.
private struct WrongCostOnly: BackpropImplementation {
    var name: String { "wrong cost only" }
    func backprop(_ problem: Problem) -> Answer {
        var answer = Reference.backprop(problem).answer
        answer.cost = (answer.cost ?? 0) * 2 + 1
        return answer
    }
}

private let problem = randomProblem([3, 4, 2], [.tanh, .sigmoid], .squaredError, batch: 3, seed: 11)

@Test func aWrongCostFailsAgainstTheOracleAndAgainstTheReference() {
    let answer = WrongCostOnly().backprop(problem)
    let oracle = Oracle().differentiate(problem)
    for expectation in [Expectation.oracle(oracle), .reference(Reference.backprop(problem))] {
        let judged = Judgement(answer, for: problem, against: expectation, tolerance: .float64)
        #expect(!judged.passed && judged.outcome == .fail)
        #expect(judged.verdict?.matrices.allSatisfy(\.passed) == true, "every gradient entry is right")
        #expect(judged.verdict?.costPassed == false)
        let graded = Judgement(answer, for: problem, against: expectation, tolerance: .float64, cost: .ignored)
        #expect(graded.passed, "gradients only: the cost does not count")
    }
}

@Test func anAnswerOfTheWrongShapeIsAFailureThatSaysWhy() {
    var answer = Reference.backprop(problem).answer
    answer.dW[0] = answer.dW[0].transposed
    let judged = Judgement(answer, for: problem, against: .reference(Reference.backprop(problem)), tolerance: .float64)
    #expect(!judged.passed && judged.outcome == .fail && judged.verdict == nil)
    #expect(judged.malformed?.message.contains("is your dW transposed?") == true, "\(judged.malformed?.message ?? "")")
}

@Test func aFailureToAnswerMapsToOneOutcomeEverywhere() {
    #expect(Outcome(AnswerFailure(kind: .unsupported, message: "")) == .unsupported)
    #expect(Outcome(AnswerFailure(kind: .wrongAnswer, message: "")) == .fail)
    for kind in [FailureKind.misbehaved, .cannotStart, .unresponsive] { #expect(Outcome(AnswerFailure(kind: kind, message: "")) == .error) }
}

@Test func aFixtureFailingOnlyOnItsCostIsAFailureInEveryReport() async throws {
    let directory = try temporaryDirectory("cost-only")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("cost-only.json")
    try Fixture(id: "cost-only", description: "", origin: .curated, problem: problem).write(to: file)
    let cases = try Validation.load([file.path])

    let validated = await Validation.run(cases, implementation: WrongCostOnly())
    #expect(validated.results.map(\.outcome) == [.fail])
    #expect(ValidationPage(validated).html.contains("✕ FAIL"))
    #expect(String(decoding: GraderReports.gradescope(validated), as: UTF8.self).contains("\"status\" : \"failed\""))

    let replayed = await Replay.run([file], implementation: WrongCostOnly())
    #expect(replayed.results.map(\.outcome) == [.fail] && replayed.replayExitCode == 1)
    #expect(Replay.text(try #require(replayed.results.first)).contains("— FAIL"))
    #expect(ValidationPage(replayed, replay: true).html.contains("✕ FAIL"))

    let found = directory.appendingPathComponent("found")
    let configuration = FuzzConfiguration(seed: 3, iterations: 4, jobs: 1, outDirectory: found, implementation: WrongCostOnly())
    let summary = await Fuzzer(configuration).run()
    #expect(summary.failures == summary.checked && summary.checked > 0, "the fuzzer fails every case on its cost")
    #expect(!summary.fixtures.isEmpty)
    let page = await FuzzPage.build(summary, implementation: WrongCostOnly())
    #expect(!page.sections.isEmpty && page.sections.allSatisfy { $0.outcome == .fail }, "the fuzz report draws each case as it was judged")
    #expect(page.html.contains("✕ FAIL") && !page.html.contains("✓ PASS"))
}
