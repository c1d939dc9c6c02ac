import GradFuzzCore
import GradFuzzJudging
import GradFuzzTestSupport
import Testing

@testable import GradFuzzMutants

@Suite struct DiagnosisTests {
    /// A student who reports dW and db only (no cost, no g), as most do.
    static func student(_ answer: Answer) -> Answer { Answer(dW: answer.dW, db: answer.db) }

    static func diagnose(_ problem: Problem, _ answer: Answer) -> [Finding] {
        Diagnosis.diagnose(problem: problem, expected: Reference.backprop(problem).answer, answer: answer, tolerance: .float64)
    }

    /// For every mutant, on the first combination where it applies, the student answer it
    /// produces is diagnosed completely, with that mutant among the complete findings, and
    /// mutants before whole-factor observations.
    @Test(arguments: MutantCatalog.all.map(\.name))
    func namesTheMutantThatProducedTheAnswer(_ name: String) throws {
        let mutant = try #require(MutantCatalog.named(name))
        let (label, problem) = try #require(MutantTestProblems.everyCombination.first { mutant.applies(to: $0.1) })
        let findings = Self.diagnose(problem, Self.student(mutant.backprop(problem)))
        let complete = findings.filter(\.isComplete)
        #expect(
            findings.first?.isComplete == true, "\(name) on \(label): the best finding explains everything; first: \(findings.first?.description ?? "none")")
        #expect(complete.contains { $0.kind == .mutant(name) }, "\(name) is named among \(complete.map(\.kind))")
    }

    /// Where no other mistake produces the same numbers, the mutant is named first and alone among mutants.
    @Test(arguments: [
        "f_instead_of_fprime", "fprime_dropped_hidden", "tanh_prime_one_minus_z_squared", "weights_off_by_one_layer",
        "activation_off_by_one_in_dw", "db_summed", "one_over_m_twice", "squared_error_gradient_doubled",
    ])
    func namesTheMutantFirst(_ name: String) throws {
        let problem = MutantTestProblems.random(layers: [3, 3, 3, 2], activations: [.tanh, .tanh, .identity], loss: .squaredError, batch: 4, seed: 11)
        let findings = Self.diagnose(problem, Self.student(try #require(MutantCatalog.named(name)).backprop(problem)))
        #expect(findings.first?.kind == .mutant(name), "first of \(findings.map(\.kind))")
        #expect(findings.filter { $0.mutant != nil && $0.isComplete }.count == 1)
    }

    @Test func describesTheMatchWithLayersMistakeAndFix() throws {
        let problem = MutantTestProblems.random(layers: [2, 3, 1], activations: [.sigmoid, .identity], loss: .squaredError, batch: 3, seed: 5)
        let mutant = try #require(MutantCatalog.named("f_instead_of_fprime"))
        let text = try #require(Self.diagnose(problem, Self.student(mutant.backprop(problem))).first).description
        #expect(text.hasPrefix("all failing matrices (layer 1 (your W[0]) dW, db) match f_instead_of_fprime: uses f(z) in place of f'(z)"))
        // The fix in the program's arrays, for the hidden layer that is wrong: W[1] follows layer 1 (Z[0]).
        #expect(text.contains("; fix: G[0] = (G[1] @ W[1].T) * fprime(Z[0])"), "\(text)")
    }

    @Test func recognisesASumOverTheBatch() throws {
        let problem = MutantTestProblems.random(layers: [3, 4, 2], activations: [.relu, .softplus], loss: .logCosh, batch: 4, seed: 3)
        let answer = Self.student(try #require(MutantCatalog.named("no_one_over_m")).backprop(problem))
        // The mistake is named, and alone: "×m" beside it would say the same thing again.
        let findings = Self.diagnose(problem, answer)
        #expect(findings.map(\.kind) == [.mutant("no_one_over_m")], "\(findings.map(\.description))")
        #expect(findings.first?.isComplete == true && findings.first?.explains.count == 4)
        // Without the catalog's words for it, the factor is what is said.
        let compared = Comparison(problem: problem, expected: Reference.backprop(problem).answer, answer: answer, tolerance: .float64)
        let factor = try #require(compared.factorFindings(batchSize: 4, loss: .logCosh).first { $0.kind == .factor(4) })
        #expect(factor.isComplete && factor.explains.count == 4)
        #expect(factor.description.contains("m = 4 times the expected values"))
    }

    @Test func recognisesAFlippedSignInOneMatrix() throws {
        let problem = MutantTestProblems.random(layers: [3, 4, 2], activations: [.elu, .identity], loss: .huber, batch: 2, seed: 4)
        var answer = Self.student(Reference.backprop(problem).answer)
        answer.dW[0].storage = answer.dW[0].storage.map { -$0 }
        let findings = Self.diagnose(problem, answer)
        let first = try #require(findings.first)
        #expect(first.kind == .factor(-1) && first.explains == [MatrixID(layer: 1, quantity: .dW)] && first.isComplete)
        #expect(first.description == "layer 1 (your W[0]) dW is exactly −1 times the expected values: the sign is flipped")
    }

    @Test func recognisesAPerSampleGWithTheOneOverM() throws {
        let problem = MutantTestProblems.random(layers: [2, 3, 2], activations: [.softplus, .identity], loss: .squaredError, batch: 4, seed: 12)
        var answer = Reference.backprop(problem).answer
        answer.delta = answer.delta?.map { g in
            var scaled = g; scaled.storage = g.storage.map { $0 / 4 }; return scaled
        }
        let first = try #require(Self.diagnose(problem, answer).first)
        #expect(first.kind == .factor(0.25) && first.isComplete)
        #expect(
            first.description
                == "all failing matrices (layers 1–2 (your W[0]–W[1]) delta) are exactly 1/m = 1/4 times the expected delta: G[k] = ∂L/∂Z[k] is per sample, without the 1/m of the cost"
        )
    }

    @Test func recognisesATransposedMatrixOfTheWrongShape() throws {
        let problem = MutantTestProblems.random(layers: [2, 3, 1], activations: [.gelu, .identity], loss: .squaredError, batch: 3, seed: 6)
        var answer = Self.student(Reference.backprop(problem).answer)
        answer.dW[0] = answer.dW[0].transposed  // 3 × 2 where 2 × 3 belongs
        let findings = Self.diagnose(problem, answer)
        #expect(findings.count == 1)
        #expect(findings.first?.kind == .transposed && findings.first?.isComplete == true)
        #expect(findings.first?.description.hasPrefix("layer 1 (your W[0]) dW is the expected dW transposed") == true)
    }

    @Test func listsPartialMatchesWithWhatTheyLeaveOut() throws {
        // f in place of f' in layer 1's g, and db of layer 2 summed over the batch: two mistakes at once.
        let problem = MutantTestProblems.random(layers: [3, 3, 2], activations: [.tanh, .identity], loss: .squaredError, batch: 3, seed: 8)
        let wrong = try #require(MutantCatalog.named("f_instead_of_fprime")).backprop(problem)
        var answer = Self.student(wrong)
        answer.db[1] = answer.db[1].map { $0 * 3 }
        let findings = Self.diagnose(problem, answer)
        #expect(!findings.contains { $0.isComplete })
        let named = try #require(findings.first { $0.kind == .mutant("f_instead_of_fprime") })
        #expect(Set(named.explains) == [MatrixID(layer: 1, quantity: .dW), MatrixID(layer: 1, quantity: .db)])
        #expect(named.unexplained == [MatrixID(layer: 2, quantity: .db)])
        #expect(named.description.contains("(not layer 2 (your W[1]) db)"))
        #expect(findings.contains { $0.kind == .factor(3) && $0.explains == [MatrixID(layer: 2, quantity: .db)] })
    }

    @Test func saysNothingForACorrectAnswer() {
        for (label, problem) in MutantTestProblems.everyCombination.prefix(60) {
            let right = Reference.backprop(problem).answer
            #expect(Self.diagnose(problem, right).isEmpty, "\(label)")
            var rounded = Self.student(right)  // what a float64 program that sums in another order gets
            for l in rounded.dW.indices { rounded.dW[l].storage = rounded.dW[l].storage.map { $0 * (1 + 1e-12) } }
            #expect(Self.diagnose(problem, rounded).isEmpty, "\(label)")
        }
    }

    @Test func saysPlainlyWhenNothingMatches() {
        let problem = MutantTestProblems.random(layers: [3, 3, 2], activations: [.tanh, .identity], loss: .squaredError, batch: 3, seed: 9)
        var answer = Self.student(Reference.backprop(problem).answer)
        answer.dW[0][1, 2] += 0.5
        let findings = Self.diagnose(problem, answer)
        #expect(findings.isEmpty)
        #expect(Diagnosis.describe(findings) == [Diagnosis.noMatch])
        #expect(Diagnosis.noMatch.hasPrefix("no catalogued mistake matches"))
    }

    @Test func notesACostSummedOverTheBatch() throws {
        let problem = MutantTestProblems.random(layers: [2, 2], activations: [.identity], loss: .squaredError, batch: 5, seed: 10)
        var answer = Reference.backprop(problem).answer
        answer.cost = answer.cost.map { $0 * 5 }
        let findings = Self.diagnose(problem, answer)
        #expect(findings.count == 1 && findings.first?.kind == .cost)
        #expect(findings.first?.description.contains("sums the losses over the batch") == true)
    }

    @Test func survivesAnswersOfTheWrongShape() {
        let problem = MutantTestProblems.random(layers: [3, 3, 2], activations: [.tanh, .identity], loss: .squaredError, batch: 3, seed: 9)
        let right = Reference.backprop(problem).answer
        let oneLayerShort = Answer(dW: [right.dW[0]], db: [right.db[0]])
        let wrongRow = Answer(dW: right.dW, db: [right.db[0], [1]])
        #expect(Self.diagnose(problem, oneLayerShort).isEmpty)
        #expect(Self.diagnose(problem, wrongRow).isEmpty)
        let oneLayerLong = Answer(dW: right.dW + [right.dW[0]], db: right.db + [right.db[0]])
        #expect(Diagnosis.diagnose(problem: problem, expected: oneLayerLong, answer: oneLayerLong).isEmpty)
        var nan = right
        nan.dW[0][0, 0] = .nan
        #expect(Self.diagnose(problem, nan).isEmpty)
    }
}

@Test func matrixListsGroupLayersWithTheSameQuantities() {
    func ids(_ pairs: [(Int, Quantity)]) -> [MatrixID] { pairs.map { MatrixID(layer: $0.0, quantity: $0.1) } }
    let deep = (1...8).reversed().flatMap { l in [(l, Quantity.dW), (l, .db), (l, .delta)] }
    #expect(MatrixID.describe(ids(deep)) == "layers 1–8 (your W[0]–W[7]) dW, db, delta")
    #expect(MatrixID.describe(ids([(2, .dW), (1, .dW), (1, .db)])) == "layer 2 (your W[1]) dW; layer 1 (your W[0]) dW, db")
    #expect(MatrixID.describe(ids([(3, .dW), (1, .dW)])) == "layer 3 (your W[2]) dW; layer 1 (your W[0]) dW")
    #expect(MatrixID.describe(ids([(2, .db)])) == "layer 2 (your W[1]) db")
}

/// A float32 program's own rounding, which the verdict allows, does not stand in the way of the
/// diagnosis: a matrix within the allowance counts as right, as the verdict counts it.
@Test func theDiagnosisAllowsAFloat32ProgramsRoundingAsTheVerdictDoes() throws {
    // A saturated sigmoid (z = 14) under an output residual of two values near 10⁴: single precision
    // leaves the output layer's db a few percent uncertain, far beyond float32's rtol.
    let problem = Problem(
        network: Network(
            layers: [1, 1, 1], activations: [.sigmoid, .identity],
            W: [Matrix(rows: [[1]], columns: 1), Matrix(rows: [[10_000]], columns: 1)], b: [[13], [0]]),
        loss: .squaredError, X: Matrix(rows: [[1]], columns: 1), Y: Matrix(rows: [[9_999.9]], columns: 1))
    let mutant = try #require(MutantCatalog.named("f_instead_of_fprime"))
    let expected = Reference.backprop(problem).answer
    let bounds = try #require(Tolerance.float32.programRounding(for: problem))
    var answer = DiagnosisTests.student(mutant.backprop(problem))
    #expect(answer.db[1] == expected.db[1], "the mistake is in the hidden layer only")
    answer.db[1][0] += bounds.db[1][0, 0] / 2
    #expect(!Tolerance.float32.accepts(expected: expected.db[1][0], got: answer.db[1][0]), "the shift is beyond rtol and atol alone")
    let verdict = Verdict(answer: answer, expected: expected, tolerance: .float32, rounding: bounds)
    #expect(verdict.matrices.filter { $0.layer == 2 }.allSatisfy(\.passed) && !verdict.passed)
    let findings = Diagnosis.diagnose(problem: problem, expected: expected, answer: answer, tolerance: .float32, rounding: bounds)
    // σ(14) ≈ 1: f in place of f' and f' dropped give the same answer here, said once, naming both.
    #expect(findings.first?.isComplete == true && findings.first?.description.contains("f_instead_of_fprime") == true, "\(findings)")
    let without = Diagnosis.diagnose(problem: problem, expected: expected, answer: answer, tolerance: .float32)
    #expect(without.first?.isComplete != true, "without the allowance layer 2's db is a failing matrix no mistake explains")
    #expect(
        Diagnosis.completeMistakes(problem: problem, expected: expected, answer: answer, tolerance: .float32, rounding: bounds).contains("f_instead_of_fprime"))
    #expect(Diagnosis.completeMistakes(problem: problem, expected: expected, answer: answer, tolerance: .float32).isEmpty)
}

/// A cost of inf (the log of an output that rounded to 0 or 1) is said as such, with the way out,
/// not as "the forward pass or the loss itself is wrong" and "allowed inf".
@Test func aNonFiniteCostIsSaidAsSuchWithTheWayOut() {
    let problem = Problem(
        network: Network(layers: [1, 1], activations: [.sigmoid], W: [Matrix(rows: [[1]], columns: 1)], b: [[40]]),
        loss: .binaryCrossEntropy, X: Matrix(rows: [[1]], columns: 1), Y: Matrix(rows: [[0]], columns: 1))
    var answer = Reference.backprop(problem).answer
    answer.cost = .infinity
    let judged = Judgement(answer, for: problem, against: .reference(Reference.backprop(problem)), tolerance: .float64)
    let verdict = try? #require(judged.verdict)
    let cost = try? #require(verdict?.cost)
    #expect(verdict?.costPassed == false)
    #expect(cost?.description == "cost: expected \(Reference.backprop(problem).cost), got inf, not a finite number", "\(cost?.description ?? "")")
    let findings = Diagnosis.diagnose(problem: problem, expected: Reference.backprop(problem).answer, answer: answer)
    let said = Diagnosis.describe(findings).joined(separator: "\n")
    #expect(said.contains("the cost is not finite (got inf)") && said.contains("from z"), "\(said)")
    #expect(!said.contains("the forward pass or the loss itself is wrong"), "\(said)")
}

/// A derivative mistake made by a student who keeps the simplified output form (g = a − y after a
/// sigmoid with binary_cross_entropy) shows in the hidden layers only, and is still named.
@Test func aDerivativeMistakeBehindASimplifiedOutputIsStillNamed() throws {
    let problem = GradFuzzTestSupport.randomProblem([2, 3, 1], [.sigmoid, .sigmoid], .binaryCrossEntropy, batch: 2, seed: 5)
    var hiddenOnly = BackwardHooks()
    hiddenOnly.layerBackward = { f, z, a, u, position in
        position == .hidden && f == .sigmoid ? z.indices.map { a[$0] * (1 - z[$0]) * u[$0] } : nil
    }
    let answer = DiagnosisTests.student(Reference.backprop(problem, hooks: hiddenOnly).answer)
    let findings = DiagnosisTests.diagnose(problem, answer)
    #expect(findings.first?.isComplete == true && findings.first?.mutant?.name == "sigmoid_prime_sigma_one_minus_z", "\(Diagnosis.describe(findings))")
}
