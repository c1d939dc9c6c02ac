import GradFuzzCore
import GradFuzzOracle
import Testing

@testable import GradFuzzMutants

@Suite struct MutantTests {
    @Test func theCatalogNamesEveryMistakeOfTheIssue() {
        let names = MutantCatalog.all.map(\.name)
        #expect(names.count == 23)
        #expect(Set(names).count == names.count, "names are unique")
        for mutant in MutantCatalog.all {
            #expect(mutant.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(mutant.name) is snake_case")
            #expect(!mutant.mistake.isEmpty && !mutant.fix.isEmpty && !mutant.condition.isEmpty)
            #expect(MutantCatalog.named(mutant.name)?.name == mutant.name)
        }
        #expect(MutantCatalog.named("no_such_mistake") == nil)
    }

    /// A mutant whose hooks change nothing computes the reference's answer, bit for bit, on every
    /// combination: the hooks replace steps, they do not re-order the arithmetic around them.
    @Test func hooksThatChangeNothingLeaveTheReference() {
        var identity = BackwardHooks()
        identity.layerBackward = { _, _, _, _, _ in nil }
        identity.outputDeltaScale = { _ in 1 }
        identity.dWScale = { 1 / Double($0) }
        identity.dbScale = { 1 / Double($0) }
        for (label, problem) in MutantTestProblems.everyCombination {
            let same = Reference.backprop(problem, hooks: identity) == Reference.backprop(problem)
            #expect(same, "\(label): hooks that change nothing change the result")
        }
    }

    /// Every mutant fails the verdict against the GSL oracle on every hidden × output activation ×
    /// loss combination where it applies, naming a layer; and it applies on most of the
    /// combinations that meet its condition (the rest have, e.g., every relu dead or every hinge
    /// margin met, where the mistake changes nothing).
    @Test func failsTheOracleWhereverItApplies() {
        var met = [String: Int](), applied = [String: Int]()
        for (label, problem) in MutantTestProblems.everyCombination {
            let oracle = Oracle().differentiate(problem)
            for mutant in MutantCatalog.all where mutant.meetsCondition(problem) {
                met[mutant.name, default: 0] += 1
                guard mutant.applies(to: problem) else { continue }
                applied[mutant.name, default: 0] += 1
                let verdict = Verdict(answer: mutant.backprop(problem), oracle: oracle)
                #expect(!verdict.passed, "\(mutant.name) passes the oracle on \(label)")
                #expect(verdict.firstWrongLayer != nil)
            }
        }
        for mutant in MutantCatalog.all {
            let (m, a) = (met[mutant.name] ?? 0, applied[mutant.name] ?? 0)
            #expect(a > 0 && Double(a) >= 0.9 * Double(m), "\(mutant.name) applies on \(a) of the \(m) combinations meeting its condition")
        }
    }

    /// The condition of each mutant is necessary: where it does not hold, the mutant computes the reference's answer.
    @Test func whereItsConditionFailsAMutantIsTheReference() {
        var checked = 0
        for (label, base) in MutantTestProblems.everyCombination.prefix(200) {
            for problem in [base, Self.reshaped(base, layers: [2, 3, 4, 1], batch: 1)] {
                for mutant in MutantCatalog.all where !mutant.meetsCondition(problem) {
                    checked += 1
                    #expect(!mutant.changesResult(on: problem), "\(mutant.name) changes \(label) outside its condition")
                }
            }
        }
        #expect(checked > 1000)
    }

    /// Where it does not apply, the fuzzable form declines with the reason; where it does, it answers as the mutant.
    @Test func theFuzzableFormDeclinesWhereTheMutantDoesNotApply() throws {
        let tanh = try #require(MutantCatalog.named("tanh_prime_one_minus_z_squared"))
        let withoutTanh = MutantTestProblems.random(layers: [2, 3, 1], activations: [.sigmoid, .identity], loss: .squaredError, batch: 2, seed: 1)
        let withTanh = MutantTestProblems.random(layers: [2, 3, 1], activations: [.tanh, .identity], loss: .squaredError, batch: 2, seed: 1)
        #expect(throws: Unsupported.self) { try tanh.onlyWhereItApplies.backprop(withoutTanh) }
        do {
            _ = try tanh.onlyWhereItApplies.backprop(withoutTanh)
        } catch {
            #expect("\(error)" == "unsupported: tanh_prime_one_minus_z_squared does not apply: it needs a tanh layer")
        }
        #expect(try tanh.onlyWhereItApplies.backprop(withTanh) == tanh.backprop(withTanh))
    }

    static func reshaped(_ p: Problem, layers: [Int], batch: Int) -> Problem {
        MutantTestProblems.random(layers: layers, activations: p.network.activations, loss: p.loss, batch: batch, seed: 99)
    }
}
