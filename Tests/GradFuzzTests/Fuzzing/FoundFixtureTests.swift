import Foundation
import GradFuzz
import GradFuzzTestSupport
import Testing

@testable import GradFuzzFuzzing

// What fuzzing compares and what it writes down: the cost, the headline, the content hash, and the
// tolerance a fixture stores.

/// The reference's answer with its cost replaced, as a program whose forward pass overflows sends it.
struct WrongCost: BackpropImplementation {
    var cost: @Sendable (Double, Int) -> Double
    var name: String { "wrong cost (test)" }
    func backprop(_ problem: Problem) -> Answer {
        var answer = Reference.backprop(problem).answer
        answer.cost = cost(answer.cost ?? 0, problem.batchSize)
        return answer
    }
}

@Test func fuzzingComparesTheCostWhenTheProgramSendsIt() async {
    let problem = randomProblem([3, 4, 2], [.tanh, .identity], .squaredError, batch: 3, seed: 21)
    func check(_ implementation: some BackpropImplementation) async -> CaseCheck {
        await Fuzzer(FuzzConfiguration(seed: 1, iterations: 1, jobs: 1, implementation: implementation)).check(problem)
    }
    let infinite = await check(WrongCost { _, _ in .infinity })
    #expect(infinite.failed, "a cost of inf passed")
    #expect(infinite.headline?.hasPrefix("cost wrong") == true, "\(infinite.headline ?? "")")
    let summed = await check(WrongCost { cost, m in cost * Double(m) })
    #expect(summed.failed, "a cost summed over the batch passed")
    let huge = await check(WrongCost { _, _ in 1.7976931348623157e308 })
    #expect(huge.failed, "a cost of 1.797e308 passed")
    // The reference's own cost passes: it is compared, not just present.
    let right = await check(ReferenceImplementation())
    #expect(!right.failed, "\(right.headline ?? "")")
}

/// The reference's answer without delta, with layer 2's dW[0, 0] off by 0.5 and layer 1's dW[0, 0] NaN.
struct TwoWrongLayers: BackpropImplementation {
    var name: String { "two wrong layers (test)" }
    func backprop(_ problem: Problem) -> Answer {
        var answer = Reference.backprop(problem).answer
        answer.delta = nil
        answer.dW[1][0, 0] += 0.5
        answer.dW[0][0, 0] = .nan
        return answer
    }
}

@Test func theFuzzHeadlineShowsAnEntryOfTheLayerItNames() async throws {
    let problem = randomProblem([2, 3, 2], [.tanh, .identity], .squaredError, batch: 2, seed: 4)
    let check = await Fuzzer(FuzzConfiguration(seed: 1, iterations: 1, jobs: 1, implementation: TwoWrongLayers())).check(problem)
    let headline = try #require(check.headline)
    // Layer 2 is the first wrong layer (counting from the output); the entry shown is one of it.
    #expect(headline.hasPrefix("first wrong at layer 2"), "\(headline)")
    #expect(headline.contains(": dW[1][0, 0] (layer 2)") && !headline.contains("(layer 1)"), "\(headline)")
}

@Test func negativeZeroAndZeroAreTheSameFixture() throws {
    var plus = randomProblem([2, 2], [.tanh], .squaredError, batch: 2, seed: 6)
    plus.network.b[0][0] = 0
    plus.X[1, 1] = 0
    var minus = plus
    minus.network.b[0][0] = -0.0
    minus.X[1, 1] = -0.0
    #expect(FixtureStore.contentHash(plus) == FixtureStore.contentHash(minus))
    let out = try temporaryDirectory("negative-zero")
    defer { try? FileManager.default.removeItem(at: out) }
    let store = FixtureStore(directory: out)
    let first = try store.write(minus, origin: Fixture.Origin(kind: "fuzz", seed: 1, iteration: 0), headline: "")
    let second = try store.write(plus, origin: Fixture.Origin(kind: "fuzz", seed: 1, iteration: 1), headline: "")
    #expect(first == second)
    let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".json") }
    #expect(files.count == 1, "\(files)")
}
