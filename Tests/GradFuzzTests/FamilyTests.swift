import Foundation
import Testing
@testable import GradFuzz
@testable import GradFuzzCore
@testable import GradFuzzFixtures
@testable import GradFuzzFuzzing
@testable import GradFuzzMutants
@testable import GradFuzzOracle
@testable import GradFuzzStudents
import GradFuzzTestSupport

// Families: stating what an implementation supports, drawing within it, and exams complete for it.

private let reluSoftmax = Family.named("relu-softmax-cross-entropy")!
private let reluBinary = Family.named("relu-sigmoid-binary-cross-entropy")!

@Test func aFamilyWithNoValidNetworkSaysWhy() {
    #expect(Family.all.problem == nil)
    for family in Family.named.map(\.family) { #expect(family.problem == nil, "\(family.summary): \(family.problem ?? "")") }
    let cases: [(Family, String)] = [
        (Family(outputActivations: [.tanh], losses: [.crossEntropy]), "cross_entropy needs a softmax output layer"),
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
    #expect(reluBinary.options() == ["--hidden-activations", "relu", "--output-activations", "sigmoid", "--losses", "binary_cross_entropy",
                                     "--outputs", "1", "--labels", "binary"])
    let encoded = try JSONEncoder().encode(reluBinary)
    #expect(try JSONDecoder().decode(Family.self, from: encoded) == reluBinary)
    #expect(String(decoding: encoded, as: UTF8.self).contains("\"depth\":{\"min\":1}"), "no upper limit is written as no max")
}

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
    #expect(single.isSuperset(of: ["no_one_over_m", "db_summed", "one_over_m_twice", "f_instead_of_fprime", "fprime_dropped_hidden",
                                   "weights_off_by_one_layer"]))
    #expect(!single.contains("dw_transposed"), "depth 1 with m_0 = m_1 ≥ 2 has a square weight matrix")
}

/// Every catalogued mistake that can occur in the exam's family fails some fixture of it, as
/// validation judges it (the fixture's own tolerance against its stored expected values).
func expectComplete(_ fixtures: [Fixture], family: Family, _ label: String) {
    let (occur, _) = Exam.mistakes(in: family)
    for fixture in fixtures { #expect(family.contains(fixture.problem), "\(label): \(fixture.id) is outside its family") }
    for mutant in occur {
        let caught = fixtures.contains { fixture in
            let result = Validation.judge(mutant.backprop(fixture.problem), Validation.Case(fixture: fixture, file: fixture.id),
                                          tolerance: fixture.tolerance)
            return result.outcome == .fail
        }
        #expect(caught, "\(label): no fixture fails \(mutant.name)")
    }
    // And the reference passes them all.
    for fixture in fixtures {
        let result = Validation.judge(Reference.backprop(fixture.problem).answer, Validation.Case(fixture: fixture, file: fixture.id),
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

@Test func aProblemFileIsCompletedAsItIsRead() throws {
    let problem = randomProblem([2, 3, 2], [.tanh, .softmax], .crossEntropy, batch: 2, seed: 9)
    let data = try JSONEncoder().encode(RawProblem(problem))
    let fixture = try Fixture.decode(data, name: "mine")
    #expect(fixture.id == "mine" && fixture.origin.kind == "problem" && fixture.problem == problem)
    // Expected values from the reference, oracle values from GSL, as any fixture's.
    let made = Fixture(id: "mine", description: "", origin: Fixture.Origin(kind: "problem"), problem: problem)
    #expect(fixture.expected == made.expected && fixture.oracle == made.oracle)
    // A malformed problem file gets the same errors as a fixture.
    var raw = RawProblem(problem)
    raw.activations = ["tanh", "swish"]
    expectInputError(try JSONEncoder().encode(raw), field: "activations[1]", saying: "unknown activation \"swish\"")
    raw = RawProblem(problem)
    raw.Y = [[0.5, 0.6], [1, 0]]
    expectInputError(try JSONEncoder().encode(raw), field: "Y[0]", saying: "sum to 1")
    expectInputError(Data("{}".utf8), field: "layers", saying: "missing")
    // A fixture missing only one of "expected" and "oracle" is still an incomplete fixture.
    expectInputError(try editedFixture { $0.removeValue(forKey: "oracle") }, field: "oracle", saying: "missing")
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
    let none = await Fuzzer(FuzzConfiguration(seed: 1, iterations: 30, jobs: 2, distribution: Distribution(activations: [.elu, .gelu]),
                                              implementation: Restricted(supported: []), shrink: false)).run()
    #expect(none.checked == 0 && none.declined == 30 && none.passed == 0 && none.failures == 0)
    #expect(none.coverage.allSatisfy { $0.checked == 0 }, "declined cases are not coverage")
    let why = none.nothingChecked ?? ""
    #expect(why.contains("declined 30 of the 30 cases") && why.contains("--hidden-activations") && why.contains("first, iteration 0"), "\(why)")
    #expect(why.contains("elu") && why.contains("gelu"))

    let some = await Fuzzer(FuzzConfiguration(seed: 1, iterations: 40, jobs: 2, distribution: Distribution(activations: [.elu, .gelu, .tanh]),
                                              implementation: Restricted(supported: [.tanh]), shrink: false)).run()
    #expect(some.checked > 0 && some.checked == some.passed && some.checked + some.declined == 40)
    #expect(some.nothingChecked == nil)
    #expect(some.mostlyDeclined?.contains("most cases were declined") == true, "\(some.declined) declined")
    let tanhChecked = some.coverage.filter { $0.activation == .tanh }.map(\.checked).reduce(0, +)
    #expect(tanhChecked == some.checked && some.coverage.filter { $0.activation != .tanh }.allSatisfy { $0.checked == 0 })

    // The same program fuzzed within its family answers every case.
    let within = await Fuzzer(FuzzConfiguration(seed: 1, iterations: 40, jobs: 2, distribution: Distribution(activations: [.tanh]),
                                                implementation: Restricted(supported: [.tanh]), shrink: false)).run()
    #expect(within.declined == 0 && within.checked == 40 && within.mostlyDeclined == nil && within.answeredFraction == 1)
}

@Test func validationSkipsFixturesOutsideTheFamilyAndReportsTheExamComplete() async throws {
    let examCases = try Validation.load([packageRoot.appendingPathComponent("fixtures/exams/relu-softmax-cross-entropy").path])
    let curated = try Validation.load([packageRoot.appendingPathComponent("fixtures/curated").path])
    let options = Validation.Options(family: reluSoftmax)
    let report = await Validation.run(curated + examCases, implementation: ReferenceImplementation(), options: options)
    #expect(report.outside.count >= curated.count - 3, "\(report.outside.count) of \(curated.count) curated fixtures outside")
    #expect(report.results.count == curated.count + examCases.count - report.outside.count)
    #expect(report.exitCode == 0 && report.summary.contains("outside the family (skipped)"), "\(report.summary)")
    #expect(report.mistakes?.complete == true, "\(report.mistakes?.summary ?? "")")
    // A mistaken program fails inside the family; the fixtures it fails rule nothing out.
    let mistaken = MutantCatalog.named("softmax_jacobian_diagonal")!
    let wrong = await Validation.run(examCases, implementation: mistaken, options: options)
    #expect(wrong.exitCode == 1 && wrong.mistakes?.complete == false && wrong.mistakes?.missing.contains("softmax_jacobian_diagonal") == true)
    // Nothing inside the family: exit 2.
    let empty = await Validation.run(curated.filter { $0.fixture.id == "one-neuron" }, implementation: ReferenceImplementation(), options: options)
    #expect(empty.results.isEmpty && empty.exitCode == 2)
}
