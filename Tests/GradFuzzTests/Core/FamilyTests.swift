import Foundation
import GradFuzz
import GradFuzzTestSupport
import Testing

@testable import GradFuzzCore

// Families: stating what an implementation supports, and which problems belong to it.

let reluSoftmax = Family.named("relu-softmax-cross-entropy")!
let reluBinary = Family.named("relu-sigmoid-binary-cross-entropy")!

@Test func aFamilyWithNoValidNetworkSaysWhy() {
    #expect(Family.all.problem == nil)
    for family in Family.named.map(\.family) { #expect(family.problem == nil, "\(family.summary): \(family.problem ?? "")") }
    let cases: [(Family, String)] = [
        (Family(outputActivations: [.tanh], losses: [.crossEntropy]), "cross_entropy needs softmax as the output activation"),
        (Family(hiddenActivations: [], depth: 2...4), "needs hidden layers, and no hidden activation is allowed"),
        (Family(losses: []), "no loss allowed"),
        (Family(width: 0...3), "widths must be at least 1"),
        (Family(outputs: 0...1), "output units must be at least 1"),
        (Family(batch: 0...2), "batch sizes must be at least 1"),
    ]
    for (family, words) in cases {
        #expect(family.problem?.contains(words) == true, "\(family.problem ?? "nil") should say \(words)")
    }
    // Depth 1 needs no hidden activation.
    #expect(Family(hiddenActivations: [], depth: 1...3).problem == nil)
}

@Test func membershipNamesTheFirstFieldOutsideTheFamily() {
    let hidden = randomProblem([3, 4, 2], [.tanh, .softmax], .crossEntropy, batch: 2, seed: 5)
    #expect(reluSoftmax.whyOutside(hidden)?.contains("hidden layer 1 is tanh") == true)
    var soft = randomProblem([3, 4, 2], [.relu, .softmax], .crossEntropy, batch: 2, seed: 5)
    #expect(reluSoftmax.whyOutside(soft)?.contains("not one-hot") == true, "curated cross_entropy targets are soft")
    soft.Y = Matrix(rows: [[0, 1], [1, 0]], columns: 2)
    #expect(reluSoftmax.contains(soft))
    var binary = randomProblem([3, 4, 1], [.relu, .sigmoid], .binaryCrossEntropy, batch: 2, seed: 6)
    #expect(reluBinary.whyOutside(binary)?.contains("not all 0 or 1") == true)
    binary.Y = Matrix(rows: [[0], [1]], columns: 1)
    #expect(reluBinary.contains(binary))
    let twoOutputs = randomProblem([3, 4, 2], [.relu, .sigmoid], .binaryCrossEntropy, batch: 2, seed: 6)
    #expect(reluBinary.whyOutside(twoOutputs)?.contains("2 output units") == true)
    #expect(Family(depth: 2...3).whyOutside(randomProblem([3, 2], [.tanh], .squaredError, seed: 1)) == "depth 1 is outside 2–3")
    #expect(Family(batch: 1...2).whyOutside(randomProblem([3, 2], [.tanh], .squaredError, batch: 3, seed: 1)) == "batch 3 is outside 1–2")
    #expect(Family.all.contains(randomProblem([3, 2], [.tanh], .squaredError, seed: 1)))
}

@Test func labelsAndOptionsRoundTrip() throws {
    var family = Family()
    #expect(family.setLabels("one-hot") == nil && family.crossEntropyLabels == .hard && family.binaryLabels == .soft)
    #expect(family.setLabels("binary") == nil && family.binaryLabels == .hard)
    #expect(family.setLabels("soft") == nil && family.crossEntropyLabels == .soft && family.binaryLabels == .soft)
    #expect(family.setLabels("hard") == nil && family.crossEntropyLabels == .hard && family.binaryLabels == .hard)
    #expect(family.setLabels("sharp")?.contains("expected hard, soft, one-hot") == true)
    #expect(reluSoftmax.options(named: "relu-softmax-cross-entropy") == ["--family", "relu-softmax-cross-entropy"])
    #expect(
        reluBinary.options() == [
            "--hidden-activations", "relu", "--output-activations", "sigmoid", "--losses", "binary_cross_entropy",
            "--outputs", "1", "--labels", "binary",
        ])
    let encoded = try JSONEncoder().encode(reluBinary)
    #expect(try JSONDecoder().decode(Family.self, from: encoded) == reluBinary)
    #expect(String(decoding: encoded, as: UTF8.self).contains("\"depth\":{\"min\":1}"), "no upper limit is written as no max")
}
