import GradFuzzCore
import GradFuzzMutants

/// The catalogued mistakes a candidate problem catches, and those among them it tells apart.
///
/// A mistake is caught when some entry of its dW or db differs from the reference's beyond
/// `Exam.catchTolerance` (single precision, with a float32 program's rounding), so the exam is
/// complete for float32 programs too. It is told apart when, besides, its answer differs as clearly
/// from the answer of every other mistake that can occur on the problem, and, for a mistake in how
/// the batch is averaged, the batch has at least 3 samples (with 2, a missing 1/m is a factor 2,
/// which other mistakes make too): then the diagnosis can name it alone.
struct ExamCatches {
    var caught: Set<String> = []
    var toldApart: Set<String> = []

    init(_ problem: Problem, mistakes: [Mutant]) {
        let reference = Reference.backprop(problem)
        let tolerance = Exam.catchTolerance
        let rounding = tolerance.programRounding(for: problem)
        func differ(_ x: Gradients, _ y: Gradients) -> Bool {
            func apart(_ a: [Double], _ b: [Double], _ allowance: [Double]?) -> Bool {
                a.count != b.count || a.indices.contains { !tolerance.accepts(expected: b[$0], got: a[$0], rounding: allowance?[$0] ?? 0) }
            }
            return x.dW.indices.contains { l in
                apart(x.dW[l].storage, y.dW[l].storage, rounding?.dW[l].storage) || apart(x.db[l], y.db[l], rounding?.db[l].storage)
            }
        }
        let answers = mistakes.filter { $0.meetsCondition(problem) }.map { (mutant: $0, gradients: $0.gradients(problem)) }
        for (mutant, gradients) in answers where differ(gradients, reference) {
            caught.insert(mutant.name)
            if mutant.dependsOnBatchSize && problem.batchSize < 3 { continue }
            if answers.allSatisfy({ $0.mutant.name == mutant.name || differ(gradients, $0.gradients) }) { toldApart.insert(mutant.name) }
        }
    }
}
