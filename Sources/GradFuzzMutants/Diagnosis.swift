import GradFuzzCore

/// One gradient matrix of an answer: layer l's dW, db or g (the per-sample delta).
public struct MatrixID: Hashable, Sendable, CustomStringConvertible {
    /// The layer number of docs/notation.md, 1…L.
    public var layer: Int
    public var quantity: Quantity

    public init(layer: Int, quantity: Quantity) {
        self.layer = layer
        self.quantity = quantity
    }

    /// "layer 2 dW"; g is printed as "delta", as fixtures and the protocol call it.
    public var description: String { "layer \(layer) \(quantity.rawValue)" }

    /// A list of matrices said briefly, layers with the same quantities grouped:
    /// "layers 1–8 dW, db, delta", "layer 2 dW; layer 1 dW, db".
    public static func describe(_ ids: [MatrixID]) -> String {
        var quantities: [Int: [Quantity]] = [:]
        for id in ids { quantities[id.layer, default: []].append(id.quantity) }
        var groups: [(top: Int, bottom: Int, quantities: [Quantity])] = []
        for layer in quantities.keys.sorted(by: >) {
            let q = quantities[layer] ?? []
            if let last = groups.last, last.bottom == layer + 1, last.quantities == q {
                groups[groups.count - 1].bottom = layer
            } else {
                groups.append((layer, layer, q))
            }
        }
        return groups.map { group in
            // Both ways: the layer, and the index of the program's arrays (its W[0] is layer 1's).
            let layers =
                group.top == group.bottom
                ? "layer \(group.top) (your W[\(group.top - 1)])" : "layers \(group.bottom)–\(group.top) (your W[\(group.bottom - 1)]–W[\(group.top - 1)])"
            return layers + " " + group.quantities.map(\.rawValue).joined(separator: ", ")
        }.joined(separator: "; ")
    }
}

/// A likely explanation of a failing answer: a catalogued mistake whose answer the student's
/// reproduces, a whole-factor difference, a transposed matrix, or a wrong cost.
public struct Finding: Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The student's matrices equal this mutant's (by name).
        case mutant(String)
        /// The student's matrices are `factor` times the expected ones.
        case factor(Double)
        /// The student's matrices are the expected ones transposed.
        case transposed
        /// The student's cost is wrong: the forward pass or the loss, not (only) the backward pass.
        case cost
    }

    public var kind: Kind
    /// The mutant, for a `.mutant` finding.
    public var mutant: Mutant?
    /// The failing matrices this explains, output layer first.
    public var explains: [MatrixID]
    /// The failing matrices it leaves unexplained.
    public var unexplained: [MatrixID]
    /// Matrices the student has right but this mistake would have made wrong (mutants only).
    public var contradicts: [MatrixID]
    /// Over the explained entries, the largest |student − prediction| relative to the tolerance
    /// bound (≤ 1; 0 is an exact match): how closely the prediction fits.
    public var distance: Double
    /// What the finding says, in words (e.g. for a factor "exactly m = 4 times the expected values").
    public var statement: String

    /// Every failing matrix explained and nothing contradicted.
    public var isComplete: Bool { unexplained.isEmpty && contradicts.isEmpty }

    public var description: String {
        if kind == .cost { return statement }
        let matrices = MatrixID.describe(explains)
        let plural = explains.count > 1
        let scope = isComplete && plural ? "all failing matrices (\(matrices))" : matrices
        var caveats: [String] = []
        if !unexplained.isEmpty { caveats.append("not \(MatrixID.describe(unexplained))") }
        if !contradicts.isEmpty {
            caveats.append("but it would also change \(MatrixID.describe(contradicts)), which you have right")
        }
        let caveat = caveats.isEmpty ? "" : " (\(caveats.joined(separator: "; ")))"
        if let mutant {
            return "\(scope) \(plural ? "match" : "matches") \(mutant.name)\(caveat): \(statement)"
        }
        return "\(scope) \(plural ? "are" : "is") \(statement)\(caveat)"
    }
}

/// Names the likely mistake behind a failing answer: compares it, matrix by matrix, with the
/// answer of every catalogued mistake that applies to the problem, with whole-factor multiples
/// (×2, ×½, ×m, ×1/m, −1) and with transposes of the expected matrices.
///
/// A matrix counts as failing when some entry lies outside `tolerance` of the expected value, and
/// as matching a prediction when every entry lies within `tolerance` of it; `rounding`, when given,
/// is the program's own rounding allowed on top, as the verdict allows it
/// (`Tolerance.programRounding(for:)`). A mutant explains the
/// failing matrices that match its answer; it is contradicted where the student is right and the
/// mutant is not. Findings come best first: complete ones (everything explained, nothing
/// contradicted), then by the number of matrices explained, then by closeness.
///
/// When some finding is complete, only complete findings are listed (a partial match then adds
/// nothing), and a whole factor or a transpose is not listed beside a mutant that explains the same
/// matrices: a missing 1/m is said as the mistake, not also as "×m". Two mutants that give the same
/// answer are said once (`distinct`).
public enum Diagnosis {
    /// What is said when the answer fails and nothing explains it.
    public static let noMatch =
        "no catalogued mistake matches: the failing matrices are neither a catalogued mistake's answer, nor ×2, ×½, ×m, ×1/m or −1 times the expected values, nor their transpose"

    /// The findings for `answer` on `problem`, best first; empty when the answer passes, or when it
    /// fails and nothing explains it (`describe` then says so).
    public static func diagnose(
        problem: Problem, expected: Answer, answer: Answer,
        tolerance: Tolerance = .float64, rounding: EntryBounds? = nil
    ) -> [Finding] {
        let compared = Comparison(problem: problem, expected: expected, answer: answer, tolerance: tolerance, rounding: rounding)
        var findings: [Finding] = []
        if !compared.failing.isEmpty {
            // The condition alone: where a mutant computes the reference's answer it explains no failing matrix.
            for mutant in MutantCatalog.all where mutant.meetsCondition(problem) {
                if let finding = compared.finding(for: mutant) { findings.append(finding) }
            }
            findings = distinct(findings)
            // A whole factor or a transpose that a complete mutant finding already explains says nothing more.
            let explained = Set(findings.filter(\.isComplete).flatMap(\.explains))
            let general = compared.factorFindings(batchSize: problem.batchSize, loss: problem.loss) + [compared.transposedFinding()].compactMap { $0 }
            findings += general.filter { !Set($0.explains).isSubset(of: explained) }
            // When something explains every failing matrix and contradicts nothing, partial matches add nothing.
            if findings.contains(where: \.isComplete) { findings = findings.filter(\.isComplete) }
            findings.sort(by: ranksBefore)
        }
        if let finding = costFinding(
            expected: expected.cost, got: answer.cost, problem: problem, tolerance: tolerance, rounding: rounding?.cost ?? 0)
        {
            findings.append(finding)
        }
        return findings
    }

    /// The names of the catalogued mistakes whose answer matches `answer` completely: every failing
    /// matrix explained, no right one contradicted.
    public static func completeMistakes(
        problem: Problem, expected: Answer, answer: Answer,
        tolerance: Tolerance = .float64, rounding: EntryBounds? = nil
    ) -> Set<String> {
        let compared = Comparison(problem: problem, expected: expected, answer: answer, tolerance: tolerance, rounding: rounding)
        guard !compared.failing.isEmpty else { return [] }
        return Set(
            MutantCatalog.all.lazy.filter { $0.meetsCondition(problem) }
                .compactMap { compared.finding(for: $0) }.filter(\.isComplete).compactMap { $0.mutant?.name })
    }

    /// Complete mutant findings that are one answer under two names (on cross_entropy a flipped sign
    /// and a flipped −y/a give the same g) are said once, by the later mutant in catalog order,
    /// which is the more specific (the catalog lists general mistakes first), naming the other.
    static func distinct(_ findings: [Finding]) -> [Finding] {
        var kept: [Finding] = []
        for finding in findings.reversed() {
            if let same = kept.firstIndex(where: { $0.isComplete && finding.isComplete && $0.explains == finding.explains }),
                let other = finding.mutant
            {
                kept[same].statement += " (here the same answer as \(other.name))"
                continue
            }
            kept.insert(finding, at: 0)
        }
        return kept
    }

    /// The findings as lines a student reads; `noMatch` when a failing answer has none.
    public static func describe(_ findings: [Finding]) -> [String] {
        findings.isEmpty ? [noMatch] : findings.map(\.description)
    }

    static func ranksBefore(_ x: Finding, _ y: Finding) -> Bool {
        if x.isComplete != y.isComplete { return x.isComplete }
        if x.explains.count != y.explains.count { return x.explains.count > y.explains.count }
        if x.contradicts.count != y.contradicts.count { return x.contradicts.count < y.contradicts.count }
        let (kx, ky) = (x.mutant == nil ? 1 : 0, y.mutant == nil ? 1 : 0)
        if kx != ky { return kx < ky }
        return x.distance < y.distance
    }

    /// The whole factors a matrix is checked for, each with what it suggests.
    /// `loss`: the ½(a − y)² hint is offered only where the loss is the squared error.
    static func factors(batchSize m: Int, loss: Loss = .squaredError) -> [(factor: Double, statement: String)] {
        var list: [(Double, String)] = [(-1, "exactly −1 times the expected values: the sign is flipped")]
        let half = loss == .squaredError ? " (2 * (A - Y) for the gradient of ½(A − Y)²?)" : ""
        if m == 2 {
            list.append((2, "exactly 2 = m times the expected values: a factor 2 too many\(half) or a sum over the batch without the 1/m"))
            list.append((0.5, "exactly ½ = 1/m times the expected values: a factor ½ too many, or divided by m twice"))
        } else {
            list.append((2, "exactly 2 times the expected values: a factor 2 too many\(half)"))
            list.append((0.5, "exactly ½ times the expected values: a factor ½ too many"))
            if m > 1 {
                list.append((Double(m), "exactly m = \(m) times the expected values: summed over the batch without dividing by m"))
                list.append((1 / Double(m), "exactly 1/m = 1/\(m) times the expected values: divided by m twice"))
            }
        }
        return list
    }

    static func costFinding(expected: Double?, got: Double?, problem: Problem, tolerance: Tolerance, rounding: Double = 0) -> Finding? {
        guard let expected, let got, !tolerance.accepts(expected: expected, got: got, rounding: rounding) else { return nil }
        let m = problem.batchSize
        var statement = "the cost differs (expected \(expected), got \(got)): the forward pass or the loss itself is wrong, not only the backward pass"
        if !got.isFinite {
            statement = "the cost is not finite (got \(got)) where the expected cost is \(expected)"
            switch problem.loss {
            case .crossEntropy, .binaryCrossEntropy:
                statement +=
                    ": a log of an output that rounded to 0 or 1? compute the cross-entropies from z "
                    + "(log-sum-exp for softmax; softplus(−z), softplus(z) for sigmoid), which never takes the log of a saturated a"
            default:
                statement += ": an overflow in the forward pass or the loss?"
            }
        } else if m > 1 && tolerance.accepts(expected: Double(m) * expected, got: got) {
            statement = "the cost is m = \(m) times the expected value: it sums the losses over the batch instead of averaging them"
        } else if problem.loss == .squaredError && tolerance.accepts(expected: 2 * expected, got: got) {
            statement = "the cost is twice the expected value: squared_error is ½ Σ (a − y)², with the ½"
        }
        return Finding(kind: .cost, mutant: nil, explains: [], unexplained: [], contradicts: [], distance: 0, statement: statement)
    }
}

/// An answer laid against the expected one, matrix by matrix.
struct Comparison {
    /// One matrix of both answers.
    struct Pair {
        var id: MatrixID
        var expected: Matrix
        var got: Matrix
        /// The program's own rounding allowed on each entry, when it has one.
        var rounding: Matrix?
    }

    let problem: Problem
    let tolerance: Tolerance
    /// The failing and the passing matrices, each output layer first: dW, db, then delta when both answers give it.
    var failing: [Pair] = []
    var passing: [Pair] = []

    init(problem: Problem, expected: Answer, answer: Answer, tolerance: Tolerance, rounding: EntryBounds? = nil) {
        self.problem = problem
        self.tolerance = tolerance
        let depth = min(problem.network.depth, expected.dW.count, answer.dW.count, expected.db.count, answer.db.count)
        let deltas = Array(zip(expected.delta ?? [], answer.delta ?? []))
        var pairs: [Pair] = []
        for l in stride(from: depth, through: 1, by: -1) {
            pairs.append(
                Pair(
                    id: MatrixID(layer: l, quantity: .dW), expected: expected.dW[l - 1], got: answer.dW[l - 1],
                    rounding: rounding?.matrix(.dW, layer: l)))
            pairs.append(
                Pair(
                    id: MatrixID(layer: l, quantity: .db), expected: Matrix(row: expected.db[l - 1]),
                    got: Matrix(row: answer.db[l - 1]), rounding: rounding?.matrix(.db, layer: l)))
            if l <= deltas.count {
                pairs.append(
                    Pair(
                        id: MatrixID(layer: l, quantity: .delta), expected: deltas[l - 1].0, got: deltas[l - 1].1,
                        rounding: rounding?.matrix(.delta, layer: l)))
            }
        }
        for pair in pairs {
            if matches(pair, pair.expected) { passing.append(pair) } else { failing.append(pair) }
        }
    }

    /// Whether every entry of the pair's answer lies within tolerance of `prediction` (never across shapes).
    func matches(_ pair: Pair, _ prediction: Matrix) -> Bool {
        let x = pair.got
        guard x.rows == prediction.rows && x.columns == prediction.columns else { return false }
        let allowance = pair.rounding.flatMap { $0.storage.count == x.storage.count ? $0.storage : nil }
        return x.storage.indices.allSatisfy {
            tolerance.accepts(expected: prediction.storage[$0], got: x.storage[$0], rounding: allowance?[$0] ?? 0)
        }
    }

    /// The largest error/bound over the entries of a matching matrix.
    func distance(_ pair: Pair, _ prediction: Matrix) -> Double {
        let allowance = pair.rounding.flatMap { $0.storage.count == pair.got.storage.count ? $0.storage : nil }
        return pair.got.storage.indices.reduce(0) { worst, t in
            let (got, expected) = (pair.got.storage[t], prediction.storage[t])
            let bound = tolerance.bound(expected: expected, got: got, rounding: allowance?[t] ?? 0)
            let error = abs(got - expected)
            return max(worst, bound > 0 ? error / bound : (error == 0 ? 0 : .infinity))
        }
    }

    /// The finding that the failing matrices equal `predict`'s, where any do.
    func finding(
        _ kind: Finding.Kind, mutant: Mutant? = nil, statement: String,
        among candidates: [Pair]? = nil, contradicted: (Pair) -> Bool = { _ in false },
        predict: (Pair) -> Matrix
    ) -> Finding? {
        let explained = (candidates ?? failing).filter { matches($0, predict($0)) }
        guard !explained.isEmpty else { return nil }
        let ids = Set(explained.map(\.id))
        return Finding(
            kind: kind, mutant: mutant, explains: explained.map(\.id),
            unexplained: failing.map(\.id).filter { !ids.contains($0) },
            contradicts: passing.filter(contradicted).map(\.id),
            distance: explained.map { distance($0, predict($0)) }.max() ?? 0,
            statement: statement)
    }

    /// The mutant's finding. A student who makes a derivative mistake may keep the simplified output
    /// form (a − y after a sigmoid with binary_cross_entropy, s·Σy − y after softmax with
    /// cross_entropy) and so never compute that derivative at the output: both readings are tried,
    /// and the better finding kept.
    func finding(for mutant: Mutant) -> Finding? {
        var readings = [mutant.hooks]
        if !mutant.hooks.unfusedOutput.isEmpty {
            var simplified = mutant.hooks
            simplified.unfusedOutput = []
            readings.append(simplified)
        }
        let findings = readings.compactMap { hooks -> Finding? in
            let predicted = Reference.backprop(problem, hooks: hooks)
            let predict = { (pair: Pair) in Self.matrix(pair.id, of: predicted) }
            return finding(.mutant(mutant.name), mutant: mutant, statement: "", contradicted: { !matches($0, predict($0)) }, predict: predict)
        }
        guard var best = findings.min(by: Diagnosis.ranksBefore) else { return nil }
        // The fix names the arrays of the topmost layer the mistake makes wrong.
        best.statement = "\(mutant.mistake); fix: \(mutant.fix(layer: best.explains.map(\.layer).max() ?? 1, loss: problem.loss))"
        return best
    }

    func factorFindings(batchSize m: Int, loss: Loss) -> [Finding] {
        Diagnosis.factors(batchSize: m, loss: loss).compactMap { factor, statement in
            var found = finding(.factor(factor), statement: statement) { pair in
                var scaled = pair.expected
                scaled.storage = pair.expected.storage.map { $0 * factor }
                return scaled
            }
            if m > 1, factor == 1 / Double(m), let f = found, f.explains.allSatisfy({ $0.quantity == .delta }) {
                found?.statement = "exactly 1/m = 1/\(m) times the expected delta: G[k] = ∂L/∂Z[k] is per sample, without the 1/m of the cost"
            }
            return found
        }
    }

    func transposedFinding() -> Finding? {
        finding(
            .transposed, statement: "the expected dW transposed: dW[k] = A[k].T @ G[k] / m has the shape of W[k], a row per input and a column per unit",
            among: failing.filter { $0.id.quantity == .dW }
        ) { $0.expected.transposed }
    }

    static func matrix(_ id: MatrixID, of gradients: Gradients) -> Matrix {
        switch id.quantity {
        case .dW: return gradients.dW[id.layer - 1]
        case .db: return Matrix(row: gradients.db[id.layer - 1])
        case .delta, .cost: return gradients.delta[id.layer - 1]
        }
    }
}
