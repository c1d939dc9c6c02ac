import GradFuzzCore
import GradFuzzFixtures
import GradFuzzJudging
import GradFuzzMutants
import GradFuzzOracle
import GradFuzzStudents

/// One gradient matrix as a heatmap draws it: per entry, row by row, the expected and the received
/// value, the bound it had to meet, the oracle's error estimate (against the oracle), and whether it
/// failed or sat at a kink.
public struct HeatmapMatrix: Sendable {
    public var layer: Int
    public var quantity: Quantity
    public var rows: Int
    public var columns: Int
    public var expected: [Double]
    public var got: [Double]
    public var bound: [Double]
    /// The oracle's error estimate of each entry, when the expected values are the oracle's.
    public var error: [Double]?
    public var failed: [Bool]
    public var atKink: [Bool]
    /// Entries compared (all but those at a kink).
    public var checked: Int

    /// `verdict`'s matrix with the values it compared: `expected` and `got` of its shape, `error`
    /// (the oracle's estimates) when the expected values are the oracle's, and `rounding` (the
    /// allowance the verdict added: the analytic side's, a float32 program's), so that each
    /// entry's bound is the verdict's.
    public init(_ verdict: MatrixVerdict, expected: Matrix, got: Matrix, error: Matrix?, rounding: Matrix? = nil, tolerance: Tolerance) {
        layer = verdict.layer
        quantity = verdict.quantity
        rows = verdict.rows
        columns = verdict.columns
        self.expected = expected.storage
        self.got = got.storage
        self.error = error?.storage
        failed = verdict.failed
        atKink = verdict.atKink
        checked = verdict.checked
        let allowance = rounding.flatMap { $0.storage.count == expected.storage.count ? $0.storage : nil }
        bound = zip(expected.storage.indices, expected.storage).map { index, e in
            tolerance.bound(expected: e, got: got.storage[index], error: error?.storage[index] ?? 0, rounding: allowance?[index] ?? 0)
        }
    }

    public var count: Int { rows * columns }
    public var wrong: Int { failed.count { $0 } }

    /// |got − expected| / bound of entry `index`: above 1 is wrong; infinite for a non-finite value.
    public func severity(_ index: Int) -> Double {
        let difference = abs(got[index] - expected[index])
        guard difference.isFinite else { return .infinity }
        return bound[index] > 0 ? difference / bound[index] : (difference == 0 ? 0 : .infinity)
    }
}

/// Everything the report shows of one fixture: how it went, the network, each layer's heatmaps and
/// the diagnosis.
public struct FixtureSection: Sendable {
    public var id: String
    public var file: String
    public var description: String
    public var outcome: Outcome
    /// One line: what happened.
    public var summary: String
    public var problem: Problem?
    /// Layer by layer from layer 1, dW, db and delta (when compared).
    public var matrices: [HeatmapMatrix] = []
    public var firstWrongLayer: Int?
    /// The cost, when it was compared and is wrong.
    public var costProblem: String?
    public var findings: [Finding] = []
    /// Further notes in words (a rounding hint, non-finite values).
    public var notes: [String] = []
    /// The last lines of a program's stderr.
    public var stderr = ""
    /// The command that replays the fixture, when it is known (a fuzzer's find).
    public var command: String?

    public var checked: Int { matrices.reduce(0) { $0 + $1.checked } }
    public var kinks: Int { matrices.reduce(0) { $0 + ($1.count - $1.checked) } }
    public var wrong: Int { matrices.reduce(0) { $0 + $1.wrong } }

    /// A fixture without heatmaps: unsupported, a program error, a wrong shape, an unreadable file.
    public init(
        id: String, file: String, description: String = "", outcome: Outcome, summary: String,
        problem: Problem? = nil, stderr: String = ""
    ) {
        self.id = id
        self.file = file
        self.description = description
        self.outcome = outcome
        self.summary = summary
        self.problem = problem
        self.stderr = stderr
    }

    /// A judged answer: a heatmap of every matrix the verdict compared, with the bounds it applied,
    /// and the wrong cost, when it counted.
    init(_ judgement: Judgement, id: String, file: String, description: String, summary: String) {
        self.init(
            id: id, file: file, description: description, outcome: judgement.outcome, summary: summary, problem: judgement.problem)
        guard let verdict = judgement.verdict else { return }
        matrices = verdict.matrices.map { v in
            let compared = judgement.compared(v)
            return HeatmapMatrix(
                v, expected: compared.expected, got: Self.matrix(v, of: judgement.answer), error: compared.error,
                rounding: compared.allowance, tolerance: judgement.applied)
        }
        firstWrongLayer = verdict.firstWrongLayer
        if !verdict.costPassed, let cost = verdict.cost {
            costProblem =
                cost.got.isFinite
                ? "cost: expected \(cost.expected), got \(cost.got): the forward pass or the loss differs"
                : "cost: expected \(cost.expected), got \(cost.got), not a finite number"
        }
    }

    /// A fixture's result, as validate (against the reference) or replay (against the oracle) judged it.
    public init(_ result: FixtureResult) {
        if let judgement = result.judgement {
            self.init(judgement, id: result.id, file: result.file, description: result.description, summary: result.summary)
        } else {
            self.init(id: result.id, file: result.file, description: result.description, outcome: result.outcome, summary: result.summary)
        }
        outcome = result.outcome
        stderr = result.stderrTail
        findings = result.findings
        command = result.command
        problem = result.problem
        notes = result.details.filter { $0.hasPrefix("hint: ") || $0.hasPrefix("non-finite values") }
    }

    /// The matrix of `answer` that `verdict` compared (db as a row).
    static func matrix(_ verdict: MatrixVerdict, of answer: Answer) -> Matrix {
        switch verdict.quantity {
        case .dW: return answer.dW[verdict.layer - 1]
        case .db: return Matrix(row: answer.db[verdict.layer - 1])
        case .delta, .cost: return answer.delta?[verdict.layer - 1] ?? Matrix(rows: verdict.rows, columns: verdict.columns)
        }
    }

    /// The diagnosis in words: `Diagnosis.describe` of the findings (nothing for a passing fixture).
    public var diagnosis: [String] {
        outcome == .fail && !matrices.isEmpty ? Diagnosis.describe(findings) : []
    }

    /// The first catalogued mistake the findings name, with its mistake and fix sentences.
    public var mistake: Mutant? { findings.first { $0.mutant != nil }?.mutant }
}
