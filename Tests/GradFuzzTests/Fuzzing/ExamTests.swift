import Foundation
import GradFuzz
import GradFuzzTestSupport
import Testing

@testable import GradFuzzFuzzing

// Exams: fixture sets on which every catalogued mistake that can occur in a family fails.

@Test func mistakesThatCannotOccurInAFamilySayWhy() {
    let (occur, cannot) = Exam.mistakes(in: reluSoftmax)
    let names = Set(occur.map(\.name))
    #expect(names.isSuperset(of: ["f_instead_of_fprime", "softmax_jacobian_diagonal", "cross_entropy_gradient_sign_flipped", "no_one_over_m"]))
    let why = Dictionary(uniqueKeysWithValues: cannot.map { ($0.mutant, $0.why) })
    #expect(why["tanh_prime_one_minus_z_squared"] == "no layer of the family is tanh")
    #expect(why["squared_error_gradient_doubled"] == "the family has no squared_error loss")
    #expect(why["fprime_of_a"]?.contains("sigmoid or tanh") == true, "\(why["fprime_of_a"] ?? "")")
    #expect(occur.count + cannot.count == MutantCatalog.all.count)
    // One sample per batch, depth 1: no 1/m mistakes, no hidden layer.
    let single = Set(Exam.mistakes(in: Family(depth: 1...1, batch: 1...1)).cannot.map(\.mutant))
    #expect(
        single.isSuperset(of: [
            "no_one_over_m", "db_summed", "one_over_m_twice", "f_instead_of_fprime", "fprime_dropped_hidden",
            "weights_off_by_one_layer",
        ]))
    #expect(!single.contains("dw_transposed"), "depth 1 with m_0 = m_1 ≥ 2 has a square weight matrix")
}

/// Every catalogued mistake that can occur in the exam's family fails some fixture of it, as
/// validation judges it (the fixture's own tolerance against its stored expected values).
func expectComplete(_ fixtures: [Fixture], family: Family, _ label: String) {
    let (occur, _) = Exam.mistakes(in: family)
    for fixture in fixtures { #expect(family.contains(fixture.problem), "\(label): \(fixture.id) is outside its family") }
    for mutant in occur {
        let caught = fixtures.contains { fixture in
            let result = Validation.judge(
                mutant.backprop(fixture.problem), Validation.Case(fixture: fixture, file: fixture.id),
                tolerance: fixture.tolerance)
            return result.outcome == .fail
        }
        #expect(caught, "\(label): no fixture fails \(mutant.name)")
    }
    // And the reference passes them all.
    for fixture in fixtures {
        let result = Validation.judge(
            Reference.backprop(fixture.problem).answer, Validation.Case(fixture: fixture, file: fixture.id),
            tolerance: fixture.tolerance)
        #expect(result.outcome == .pass, "\(label): the reference fails \(fixture.id)")
    }
}

@Test(arguments: Family.named.map(\.name))
func theCommittedExamOfEachNamedFamilyIsCompleteAndRegenerates(_ name: String) throws {
    let family = Family.named(name)!
    let directory = packageRoot.appendingPathComponent("fixtures/exams/\(name)")
    let committed = try Fixture.files(in: [directory.path]).map { try Fixture.read(from: $0) }
    #expect(!committed.isEmpty && committed.count <= 12, "\(name): \(committed.count) fixtures")
    expectComplete(committed, family: family, name)
    let exam = try Exam.build(family: family, name: name, seed: Exam.curatedSeed)
    for fixture in exam.fixtures {
        let bytes = try Data(contentsOf: directory.appendingPathComponent(exam.fileName(fixture)))
        #expect(fixture.json() == bytes, "fixtures/exams/\(name)/\(fixture.id).json is not what `gradfuzz fixtures` writes")
    }
    #expect(exam.fixtures.count == committed.count)
    #expect(try Data(contentsOf: directory.appendingPathComponent("manifest.json")) == exam.manifest())
}

@Test func anExamIsTheSameForTheSameSeedAndFreshForAnother() throws {
    let one = try Exam.build(family: reluBinary, name: "t", seed: 7), again = try Exam.build(family: reluBinary, name: "t", seed: 7)
    #expect(one.fixtures.map { $0.json() } == again.fixtures.map { $0.json() } && one.manifest() == again.manifest())
    let other = try Exam.build(family: reluBinary, name: "t", seed: 8)
    #expect(Set(one.fixtures.map(\.problem.X.storage)).isDisjoint(with: other.fixtures.map(\.problem.X.storage)))
    expectComplete(other.fixtures, family: reluBinary, "seed 8")
    // A custom family: leaky_relu hidden layers, identity outputs, huber.
    let custom = Family(hiddenActivations: [.leakyReLU, .gelu], outputActivations: [.identity], losses: [.huber, .logCosh], depth: 2...4)
    let exam = try Exam.build(family: custom, name: "custom", seed: 1)
    expectComplete(exam.fixtures, family: custom, "custom")
    let manifest = try JSONSerialization.jsonObject(with: exam.manifest()) as! [String: Any]
    let absent = (manifest["mistakesThatCannotOccur"] as! [[String: String]]).map { $0["mutant"]! }
    #expect(absent.contains("softmax_jacobian_diagonal") && !absent.contains("leaky_relu_slope_wrong"))
    #expect((manifest["fixtures"] as! [[String: Any]]).count == exam.fixtures.count)
}

@Test func anExamOfAFamilyWithoutNetworksIsAnError() {
    #expect(throws: Exam.BuildError.self) { try Exam.build(family: Family(outputActivations: [.relu], losses: [.crossEntropy]), name: "x", seed: 1) }
}

@Test(arguments: Family.named.map(\.name))
func onTheCommittedExamTheDiagnosisNamesEachMistakeItCatches(_ name: String) throws {
    // Values are distinct and clear of kinks, so a mistake's wrong answer is its own: the diagnosis
    // of a mutant's answer ranks that mutant (or one whose answer is the same, up to rounding) first.
    let directory = packageRoot.appendingPathComponent("fixtures/exams/\(name)")
    let fixtures = try Fixture.files(in: [directory.path]).map { try Fixture.read(from: $0) }
    for fixture in fixtures {
        for mutant in Exam.mistakes(in: Family.named(name)!).occur where Exam.clearlyFails(mutant, fixture.problem) {
            let answer = mutant.backprop(fixture.problem)
            let findings = Diagnosis.diagnose(problem: fixture.problem, expected: fixture.expected.answer, answer: answer)
            let top = try #require(findings.first, "\(fixture.id), \(mutant.name): no finding")
            #expect(top.isComplete, "\(fixture.id), \(mutant.name): the first finding leaves failing matrices unexplained: \(top)")
            guard let named = top.mutant else {
                Issue.record("\(fixture.id), \(mutant.name): the first finding is not a catalogued mistake: \(top)")
                continue
            }
            // Two mistakes may give the same answer up to rounding (a sign flipped everywhere, or in the
            // cross_entropy gradient alone): then either name is right.
            let same =
                named.name == mutant.name
                || Verdict(answer: named.backprop(fixture.problem), expected: answer, tolerance: .float64).passed
            #expect(same, "\(fixture.id): the answer of \(mutant.name) is diagnosed as \(named.name)")
        }
    }
}

@Test(arguments: Family.named.map(\.name))
func anExamTellsTheBatchMistakesFromAFactorTwoAndNeverHasAOneUnitSoftmax(_ name: String) throws {
    let family = try #require(Family.named(name))
    let exam = try Exam.build(family: family, name: name, seed: 3, oracle: nil)
    for mutant in Exam.mistakes(in: family).occur where mutant.dependsOnBatchSize {
        // With 2 samples a missing 1/m is a factor 2, which "2(a − y)" and others make too.
        let caught = exam.fixtures.filter { $0.problem.batchSize >= 3 && Exam.clearlyFails(mutant, $0.problem) }
        #expect(!caught.isEmpty, "\(name): \(mutant.name) is caught only on batches of 1 or 2")
        for fixture in caught {
            let findings = Diagnosis.diagnose(problem: fixture.problem, expected: fixture.expected.answer, answer: mutant.backprop(fixture.problem))
            #expect(
                findings.first?.mutant?.name == mutant.name && findings.first?.isComplete == true, "\(name), \(fixture.id): \(Diagnosis.describe(findings))")
        }
    }
    for fixture in exam.fixtures where fixture.problem.network.activations.last == .softmax {
        #expect(fixture.problem.network.layers.last! >= 2, "\(name), \(fixture.id): a softmax output of one unit")
    }
}

@Test func aLargerExamCatchesEachMistakeMoreOftenWithLargerProblems() throws {
    let family = try #require(Family.named("tanh-sigmoid-squared-error"))
    let small = try Exam.build(family: family, name: "t", seed: 2, oracle: nil)
    let large = try Exam.build(family: family, name: "t", seed: 2, oracle: nil, size: .medium, catchEach: 2)
    for mutant in Exam.mistakes(in: family).occur {
        #expect(large.catches.count { $0.contains(mutant.name) } >= 2, "\(mutant.name)")
    }
    #expect(large.fixtures.count > small.fixtures.count)
    let widest = { (exam: Exam) in exam.fixtures.map { $0.problem.network.layers.max()! }.max()! }
    #expect(widest(small) <= 4 && widest(large) > 4)
    // A bounded search says what it had not caught when its time runs out.
    #expect(throws: Exam.BuildError.self) {
        try Exam.build(family: family, name: "t", seed: 2, oracle: nil, size: .large, catchEach: 16, deadline: .now)
    }
}
