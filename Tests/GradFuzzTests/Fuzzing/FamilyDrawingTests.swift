import Foundation
import GradFuzz
import GradFuzzTestSupport
import Testing

@testable import GradFuzzFuzzing

// Fuzzing within a family, and the accounting of declined cases.

@Test func casesDrawnFromAFamilyBelongToIt() {
    for named in Family.named {
        let distribution = Distribution(family: named.family)
        #expect(distribution.problem == nil)
        let generator = CaseGenerator(seed: 11, distribution: distribution)
        var depths = Set<Int>()
        for i in 0..<150 {
            let p = generator.problem(iteration: i)
            #expect(named.family.whyOutside(p) == nil, "\(named.name), iteration \(i): \(named.family.whyOutside(p) ?? "")")
            depths.insert(p.network.depth)
        }
        #expect(depths.count >= 4, "\(named.name) draws depths \(depths.sorted())")
    }
    // Hidden and output activations are drawn separately.
    let mixed = Family(hiddenActivations: [.elu], outputActivations: [.identity], losses: [.huber], depth: 2...3, outputs: 1...1)
    let generator = CaseGenerator(seed: 2, distribution: Distribution(family: mixed))
    for i in 0..<50 {
        let p = generator.problem(iteration: i)
        #expect(p.network.activations.dropLast().allSatisfy { $0 == .elu } && p.network.activations.last == .identity && p.network.layers.last == 1)
    }
}

@Test func theDefaultDistributionDrawsTheSameCasesAsAnyLayerActivations() {
    // --activations keeps meaning "any layer": the family with the same list for hidden and output layers.
    let a = CaseGenerator(seed: 3, distribution: Distribution())
    let b = CaseGenerator(seed: 3, distribution: Distribution(family: Family()))
    for i in 0..<20 { #expect(a.problem(iteration: i) == b.problem(iteration: i)) }
}

/// Declines every case whose network has an activation outside `supported`.
private struct Restricted: BackpropImplementation {
    var supported: Set<Activation>
    var name: String { "restricted (test)" }
    func backprop(_ problem: Problem) throws -> Answer {
        if let f = problem.network.activations.first(where: { !supported.contains($0) }) { throw Unsupported("activation \(f.rawValue)") }
        return Reference.backprop(problem).answer
    }
}

@Test func fuzzCountsCheckedPassedFailedAndDeclinedCases() async {
    let none = await Fuzzer(
        FuzzConfiguration(
            seed: 1, iterations: 30, jobs: 2, distribution: Distribution(activations: [.elu, .gelu]),
            implementation: Restricted(supported: []), shrink: false)
    ).run()
    #expect(none.checked == 0 && none.declined == 30 && none.passed == 0 && none.failures == 0)
    #expect(none.coverage.allSatisfy { $0.checked == 0 }, "declined cases are not coverage")
    let why = none.nothingChecked ?? ""
    #expect(
        why.contains("no case was checked: restricted (test) declined 30 of the 30 cases") && why.contains("--hidden-activations")
            && why.contains("first, iteration 0"), "\(why)")
    #expect(why.contains("elu") && why.contains("gelu"))

    let some = await Fuzzer(
        FuzzConfiguration(
            seed: 1, iterations: 40, jobs: 2, distribution: Distribution(activations: [.elu, .gelu, .tanh]),
            implementation: Restricted(supported: [.tanh]), shrink: false)
    ).run()
    #expect(some.checked > 0 && some.checked == some.passed && some.checked + some.declined == 40)
    #expect(some.nothingChecked == nil)
    #expect(some.mostlyDeclined?.contains("most cases were declined") == true, "\(some.declined) declined")
    let tanhChecked = some.coverage.filter { $0.activation == .tanh }.map(\.checked).reduce(0, +)
    #expect(tanhChecked == some.checked && some.coverage.filter { $0.activation != .tanh }.allSatisfy { $0.checked == 0 })

    // The same program fuzzed within its family answers every case.
    let within = await Fuzzer(
        FuzzConfiguration(
            seed: 1, iterations: 40, jobs: 2, distribution: Distribution(activations: [.tanh]),
            implementation: Restricted(supported: [.tanh]), shrink: false)
    ).run()
    #expect(within.declined == 0 && within.checked == 40 && within.mostlyDeclined == nil && within.answeredFraction == 1)
}
