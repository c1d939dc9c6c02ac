import GradFuzzCore
import Testing

@testable import GradFuzzFuzzing

/// Every problem a shrinker asks about, in order.
actor CandidateLog {
    private(set) var asked: [Problem] = []
    func record(_ problem: Problem) { asked.append(problem) }

    /// The problems asked about more than once.
    var repeated: [Problem] {
        var seen: [Problem] = [], repeats: [Problem] = []
        for p in asked {
            if seen.contains(p) { repeats.append(p) } else { seen.append(p) }
        }
        return repeats
    }
}

@Test func noCandidateIsCheckedTwice() async {
    // A made-up failure: "fails" while some layer has width ≥ 3, so most candidates are rejected.
    let start = CaseGenerator(seed: 4, distribution: Distribution(depth: 4...4, width: 5...8, batch: 4...6)).problem(iteration: 0)
    let log = CandidateLog()
    let outcome = await Shrinker { p in
        await log.record(p)
        return p.network.layers.contains { $0 >= 3 }
    }.shrinking(start)
    let asked = await log.asked.count, repeated = await log.repeated.count
    #expect(repeated == 0, "\(repeated) of \(asked) candidates checked again")
    #expect(outcome.candidatesChecked == asked)
    #expect(outcome.problem.network.layers.sorted() == [1, 3])
}

/// A one-unit identity network with squared error, one sample per number of `inputs`.
private func samples(_ inputs: [Double]) -> Problem {
    Problem(
        network: Network(layers: [1, 1], activations: [.identity], W: [Matrix(rows: [[1]], columns: 1)], b: [[1]]),
        loss: .squaredError, X: Matrix(rows: inputs.map { [$0] }, columns: 1),
        Y: Matrix(rows: inputs.map { _ in [0.5] }, columns: 1))
}

@Test func sampleDeletionKeepsItsPlaceAndGrowsItsBlocks() async {
    // Eight samples, told apart by their input 1…8; the case "fails" while the 1st and the 6th are both there.
    let log = CandidateLog()
    let outcome = await Shrinker { p in
        await log.record(p)
        return Set(p.X.storage).isSuperset(of: [1, 6])
    }.shrinking(samples([1, 2, 3, 4, 5, 6, 7, 8]), stages: [[.fewerSamples]])
    // One sample alone, then the first half (1–4); then from the back: 8 goes, then 7–8 together,
    // 5–8 (too many: 6 with them, and 1–4 again, not asked twice), and 6–8 between the two. Staying
    // at its place, the pass tries 6 alone, which is 6–8 again; then 5 goes, then 4–5, 2–5, and 1–5
    // (not 1–8: one sample must stay), which takes 1. The next round asks nothing: every candidate
    // it proposes was asked already.
    let expected: [[Double]] = [
        [1], [1, 2, 3, 4], [1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5], [1, 2, 3, 4, 6], [1, 2, 3, 6], [1, 6], [6],
    ]
    let asked = await log.asked.map(\.X.storage)
    #expect(asked == expected)
    #expect(outcome.candidatesChecked == expected.count)
    #expect(outcome.problem.X.storage == [1, 6])
}

@Test func findIntegerDoublesThenBisects() async {
    var asked: [Int] = []
    // Works up to 5: 2, 4, 8 (too far), then 6 and 5 between 4 and 8.
    let five = await Shrinker.findInteger(upTo: 100) { k in
        asked.append(k)
        return k <= 5
    }
    #expect(five == 5 && asked == [2, 4, 8, 6, 5])
    asked = []
    // Never beyond the bound: 2, then 3 (4 is out of bounds).
    let three = await Shrinker.findInteger(upTo: 3) { k in
        asked.append(k)
        return true
    }
    #expect(three == 3 && asked == [2, 3])
    asked = []
    let one = await Shrinker.findInteger(upTo: 1) { k in
        asked.append(k)
        return true
    }
    #expect(one == 1 && asked.isEmpty)
}

@Test func aFailureNeedingTwoLayersAndTwoSamplesShrinksToTheSimplestSuchCase() async throws {
    let generator = CaseGenerator(seed: 8, distribution: Distribution(depth: 3...4, width: 2...5, batch: 3...5))
    for iteration in 0..<5 {
        let start = generator.problem(iteration: iteration)
        let p = await Shrinker { $0.network.depth >= 2 && $0.batchSize >= 2 }.shrink(start)
        let shape = "iteration \(iteration): layers \(p.network.layers), batch \(p.batchSize), \(p.network.activations) + \(p.loss)"
        // Nothing else matters, so everything else is as simple as it can be: one unit per layer,
        // identity and squared error, every weight and bias 1 (a lone number is never 0), the two
        // inputs the two simplest different non-zero numbers, and the targets 0 and the simplest other.
        #expect(p.network.layers == [1, 1, 1] && p.batchSize == 2, "\(shape)")
        #expect(p.network.activations == [.identity, .identity] && p.loss == .squaredError, "\(shape)")
        #expect(p.network.W.allSatisfy { $0.storage == [1] } && p.network.b.allSatisfy { $0 == [1] }, "\(shape): W \(p.network.W), b \(p.network.b)")
        #expect(p.X.storage.sorted() == [-1, 1] && p.Y.storage.sorted() == [0, 1], "\(shape): X \(p.X.storage), Y \(p.Y.storage)")
    }
}

@Test func aFailureNeedingOneSigmoidShrinksToOneSigmoidUnit() async throws {
    let generator = CaseGenerator(seed: 2, distribution: Distribution(depth: 3...4, width: 2...5, batch: 2...5))
    let start = try #require((0..<200).lazy.map(generator.problem(iteration:)).first { $0.network.activations.contains(.sigmoid) })
    let p = await Shrinker { $0.network.activations.contains(.sigmoid) }.shrink(start)
    // Merging layers keeps the sigmoid's, down to a single layer of one unit, one sample, squared error.
    #expect(p.network.layers == [1, 1] && p.batchSize == 1, "layers \(p.network.layers), batch \(p.batchSize)")
    #expect(p.network.activations == [.sigmoid] && p.loss == .squaredError, "\(p.network.activations) + \(p.loss)")
    #expect([p.X.storage, p.Y.storage, p.network.W[0].storage, p.network.b[0]] == [[1], [1], [1], [1]], "\(p)")
}
