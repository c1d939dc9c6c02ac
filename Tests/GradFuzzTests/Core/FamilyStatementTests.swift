import Foundation
import GradFuzz
import GradFuzzTestSupport
import Testing

@testable import GradFuzzCore

// Stating a family: named families, choices that narrow them, one activation throughout, and
// contradictory or degenerate statements refused with the reason.

private func refusal(_ statement: FamilyStatement) -> FamilyStatement.Refusal? {
    do {
        _ = try statement.resolve()
        return nil
    } catch {
        return error
    }
}

@Test func everyCommonCourseFamilyCanBeStated() throws {
    for name in [
        "sigmoid-softmax-cross-entropy", "tanh-softmax-cross-entropy", "relu-softmax-cross-entropy", "sigmoid-binary-cross-entropy",
        "relu-sigmoid-binary-cross-entropy", "sigmoid-squared-error", "relu-identity-squared-error", "same-sigmoid-or-tanh-squared-error",
    ] {
        let family = try FamilyStatement(name: name).resolve()
        #expect(family == Family.named(name) && family.problem == nil, "\(name)")
    }
    let sigmoidSoftmax = try #require(Family.named("sigmoid-softmax-cross-entropy"))
    #expect(sigmoidSoftmax.hiddenActivations == [.sigmoid] && sigmoidSoftmax.outputActivations == [.softmax])
    #expect(sigmoidSoftmax.crossEntropyLabels == .hard && sigmoidSoftmax.outputWidth.lowerBound == 2)
}

@Test func oneActivationThroughoutIsAFamily() throws {
    var statement = FamilyStatement()
    statement.activations = [.sigmoid, .tanh]
    statement.sameActivation = true
    statement.losses = [.squaredError]
    let tied = try statement.resolve()
    #expect(tied == Family.named("same-sigmoid-or-tanh-squared-error"))
    let mixed = randomProblem([2, 3, 1], [.sigmoid, .tanh], .squaredError, batch: 2, seed: 3)
    #expect(tied.whyOutside(mixed)?.contains("one activation in every layer") == true, "\(tied.whyOutside(mixed) ?? "")")
    #expect(tied.contains(randomProblem([2, 3, 1], [.tanh, .tanh], .squaredError, batch: 2, seed: 3)))
    #expect(Family.all.contains(mixed))
    #expect(tied.summary.contains("the same activation in every layer"), "\(tied.summary)")
    // Drawn within it: every case uses one activation in all its layers, sigmoid and tanh both drawn.
    let generator = CaseGenerator(seed: 7, distribution: Distribution(family: tied))
    let drawn = (0..<200).map { generator.problem(iteration: $0).network.activations }
    #expect(drawn.allSatisfy { Set($0).count == 1 })
    #expect(Set(drawn.joined()) == [.sigmoid, .tanh])
    #expect(drawn.contains { $0.count > 1 })
    // Its options and its JSON say so; a family without it keeps its JSON as it was.
    #expect(tied.options().contains("--same-activation"))
    #expect(try JSONDecoder().decode(Family.self, from: JSONEncoder().encode(tied)) == tied)
    #expect(!String(decoding: try JSONEncoder().encode(Family.all), as: UTF8.self).contains("sameActivation"))
}

@Test func choicesThatContradictTheNamedFamilyAreRefused() {
    var statement = FamilyStatement(name: "relu-softmax-cross-entropy")
    statement.activations = [.tanh]
    #expect(refusal(statement)?.description.contains("--activations: tanh contradicts the family relu-softmax-cross-entropy") == true)
    statement = FamilyStatement(name: "relu-softmax-cross-entropy")
    statement.losses = [.squaredError]
    #expect(refusal(statement)?.option == "--losses")
    statement = FamilyStatement(name: "relu-sigmoid-binary-cross-entropy")
    statement.outputs = 2...2
    #expect(refusal(statement)?.option == "--outputs")
    statement = FamilyStatement(name: "relu-softmax-cross-entropy")
    statement.labels = "soft"
    #expect(refusal(statement)?.description.contains("labels are hard") == true)
    // Narrowing is fine.
    statement = FamilyStatement(name: "tanh-sigmoid-squared-error")
    statement.hiddenActivations = [.tanh]
    statement.maxDepth = 3
    #expect(refusal(statement) == nil)
}

@Test func degenerateOrSenselessChoicesAreRefusedWithTheReason() {
    var statement = FamilyStatement()
    statement.losses = [.squaredError]
    statement.labels = "one-hot"
    #expect(refusal(statement)?.description.contains("one-hot labels go with cross_entropy") == true, "\(String(describing: refusal(statement)))")
    statement = FamilyStatement()
    statement.outputActivations = [.softmax]
    statement.outputs = 1...1
    #expect(refusal(statement)?.description.contains("a softmax output of one unit is always 1") == true)
    statement = FamilyStatement()
    statement.losses = [.crossEntropy]
    statement.outputs = 1...1
    #expect(refusal(statement)?.option == "--outputs")
    statement = FamilyStatement()
    statement.minDepth = 4
    statement.maxDepth = 2
    #expect(refusal(statement)?.description == "--min-depth 4 is above --max-depth 2")
    statement = FamilyStatement()
    statement.hiddenActivations = [.relu]
    statement.outputActivations = [.softmax]
    statement.sameActivation = true
    statement.minDepth = 2
    #expect(refusal(statement)?.description.contains("no valid network") == true)
}

@Test func twoFamiliesMeetWhereBothHold() throws {
    let declared = try #require(Family.named("tanh-sigmoid-squared-error"))
    var narrower = Family(hiddenActivations: [.tanh], depth: 1...3, batch: 2...Family.unlimited)
    var both = try #require(declared.intersection(narrower))
    #expect(both.hiddenActivations == [.tanh] && both.outputActivations == [.tanh, .sigmoid] && both.losses == [.squaredError])
    #expect(both.depth == 1...3 && both.batch == 2...Family.unlimited)
    narrower = Family(outputActivations: [.softmax])
    #expect(declared.intersection(narrower) == nil, "no output activation in common")
    // Without a hidden activation in common, only networks without a hidden layer are in both.
    both = try #require(declared.intersection(Family(hiddenActivations: [.relu])))
    #expect(both.possibleDepths == 1...1)
    let named = try #require(Family.named("relu-softmax-cross-entropy"))
    let hard = try #require(Family.all.intersection(named))
    #expect(hard.crossEntropyLabels == .hard && hard.outputWidth == 2...Family.unlimited)
}
