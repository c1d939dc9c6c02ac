import GradFuzzCore
import Testing

@testable import GradFuzzFuzzing

@Test func sameSeedAndIterationGiveTheSameCase() {
    let a = CaseGenerator(seed: 42), b = CaseGenerator(seed: 42), other = CaseGenerator(seed: 43)
    for i in 0..<50 {
        #expect(a.problem(iteration: i) == b.problem(iteration: i), "iteration \(i) drawn twice differs")
        #expect(a.problem(iteration: i) != other.problem(iteration: i), "iteration \(i) is the same under seeds 42 and 43")
    }
    #expect(a.problem(iteration: 0) != a.problem(iteration: 1))
}

@Test func casesStayInsideTheDistributionAndClearOfKinks() throws {
    let distribution = Distribution()
    let generator = CaseGenerator(seed: 7, distribution: distribution)
    for i in 0..<300 {
        let p = generator.problem(iteration: i)
        let net = p.network
        #expect(distribution.depth.contains(net.depth), "iteration \(i): depth \(net.depth)")
        #expect(net.layers.allSatisfy(distribution.width.contains), "iteration \(i): widths \(net.layers)")
        #expect(distribution.batch.contains(p.batchSize), "iteration \(i): batch \(p.batchSize)")
        if let required = p.loss.requiredOutput {
            #expect(net.activations.last == required, "iteration \(i): \(p.loss) after \(net.activations.last!)")
        }
        _ = try Problem(validating: RawProblem(p))
        let g = Reference.backprop(p)
        #expect(g.cost.isFinite && g.dW.allSatisfy { $0.storage.allSatisfy(\.isFinite) }, "iteration \(i): not finite")
        let clearance = p.kinkClearance(z: g.z, a: g.a)
        #expect(clearance >= distribution.kinkMargin, "iteration \(i): a kinked quantity is \(clearance) from its kink")
    }
}

@Test func casesReachSaturationTinyAndLargeMagnitudesAndWidthOne() {
    let generator = CaseGenerator(seed: 11)
    var widthOne = false, deepAndWide = false, saturated = false, tiny = false, large = false
    var hidden = Set<Activation>(), output = Set<Activation>(), losses = Set<Loss>()
    for i in 0..<2000 {
        let p = generator.problem(iteration: i)
        let net = p.network
        widthOne = widthOne || net.layers.contains(1)
        deepAndWide = deepAndWide || (net.depth == 6 && net.layers.max()! >= 20)
        let g = Reference.backprop(p)
        for (l, f) in net.activations.enumerated() where f == .sigmoid || f == .tanh {
            saturated = saturated || g.z[l].storage.contains { abs($0) > 20 }
        }
        for w in net.W {
            let size = w.storage.map(abs).max()!
            tiny = tiny || size < 1e-3
            large = large || size > 10
        }
        hidden.formUnion(net.activations.dropLast())
        output.insert(net.activations.last!)
        losses.insert(p.loss)
    }
    #expect(
        widthOne && deepAndWide && saturated && tiny && large,
        "width 1: \(widthOne), depth 6 width ≥ 20: \(deepAndWide), saturated: \(saturated), tiny: \(tiny), large: \(large)")
    #expect(hidden == Set(Activation.allCases), "hidden activations drawn: \(hidden)")
    #expect(output == Set(Activation.allCases), "output activations drawn: \(output)")
    #expect(losses == Set(Loss.allCases), "losses drawn: \(losses)")
}

@Test func aRestrictedDistributionIsRespected() {
    let distribution = Distribution(depth: 2...3, width: 1...3, batch: 2...2, activations: [.relu, .softmax], losses: [.hinge, .crossEntropy])
    #expect(distribution.problem == nil)
    let generator = CaseGenerator(seed: 3, distribution: distribution)
    for i in 0..<100 {
        let p = generator.problem(iteration: i)
        #expect(p.network.activations.allSatisfy { $0 == .relu || $0 == .softmax })
        #expect(p.loss == .hinge || p.loss == .crossEntropy)
        #expect((2...3).contains(p.network.depth) && p.network.layers.allSatisfy { $0 <= 3 } && p.batchSize == 2)
        if p.loss == .hinge { #expect(p.Y.storage.allSatisfy { $0 == 1 || $0 == -1 }) }
    }
}

@Test func aDistributionWithNoCompatibleLossIsRejected() {
    let why = Distribution(activations: [.relu], losses: [.crossEntropy]).problem
    #expect(why?.contains("cross_entropy needs softmax") == true, "got \(why ?? "nil")")
    #expect(Distribution(width: 0...3).problem != nil)
}
