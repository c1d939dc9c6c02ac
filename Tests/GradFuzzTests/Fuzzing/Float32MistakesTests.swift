import GradFuzz
import Testing

/// The float32 tolerance allows for a single-precision program's rounding and no more: on the
/// fuzzer's own cases, the allowance lets no catalogued mistake through that rtol and atol alone
/// would catch, and each mistake float64's tolerance catches is still caught on most cases (the
/// rest are entries below float32's atol or within its rtol).
@Test func theFloat32AllowanceHidesNoCataloguedMistake() {
    let generator = CaseGenerator(seed: 3)
    let problems = (0..<400).map { generator.problem(iteration: $0) }
    func fails(_ mutant: Mutant, _ problem: Problem, _ tolerance: Tolerance, rounding: EntryBounds?) -> Bool {
        let wrong = mutant.backprop(problem), right = Reference.backprop(problem).answer
        return !Verdict(
            answer: Answer(dW: wrong.dW, db: wrong.db), expected: Answer(dW: right.dW, db: right.db),
            tolerance: tolerance, rounding: rounding
        ).passed
    }
    for mutant in MutantCatalog.all {
        let shown = problems.indices.filter { mutant.meetsCondition(problems[$0]) && fails(mutant, problems[$0], .float64, rounding: nil) }
        let plain = shown.filter { fails(mutant, problems[$0], .float32, rounding: nil) }
        let allowed = shown.filter { fails(mutant, problems[$0], .float32, rounding: Tolerance.float32.programRounding(for: problems[$0])) }
        #expect(!shown.isEmpty, "\(mutant.name) never shows on 400 cases")
        #expect(allowed == plain, "\(mutant.name): the allowance lets cases \(Set(plain).subtracting(allowed).sorted()) through")
        #expect(Double(allowed.count) >= 0.8 * Double(shown.count), "\(mutant.name): \(allowed.count) of \(shown.count)")
        // The mutant's own check under float32 (which the exam builder uses) agrees case by case.
        #expect(allowed == shown.filter { mutant.changesResult(on: problems[$0], tolerance: .float32) }, "\(mutant.name)")
    }
}
