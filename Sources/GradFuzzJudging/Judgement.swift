import GradFuzzCore
import GradFuzzMutants
import GradFuzzOracle

/// What an answer is held against.
public enum Expectation: Sendable {
    /// The GSL oracle's estimates (fuzz, replay): the tolerance is applied `againstOracle`, so each
    /// entry is also allowed its error estimate (×10) and the analytic side's rounding.
    case oracle(OracleResult)
    /// The reference's values (validate, a fixture's "expected"): exact up to rounding, so the
    /// tolerance is applied as it is.
    case reference(Gradients)
}

/// Whether the cost counts in a verdict. Courses may grade the gradients only: real code returns inf
/// or 1.797e308 for the cost of a saturated network whose gradients are right.
public enum CostCheck: String, Sendable, CaseIterable {
    case compared, ignored
}

/// An answer judged: the one way gradfuzz judges an answer, in fuzz, replay, validate and reports.
///
/// First the answer's shape (a wrong shape is a wrong answer); then every entry of every dW, db and,
/// when the answer has it, every sample's g, against the expectation:
///
///     |got − expected| ≤ max(errorFactor · error + rounding + atol, rtol · max(|got|, |expected|))
///
/// with `error` the oracle's estimate (0 against the reference) and `rounding` the analytic side's
/// allowance (against the oracle) plus, for a single-precision tolerance, the program's own rounding
/// (`Tolerance.programRounding`); then, unless the cost is ignored, the answer's cost, when it sends
/// one, against the reference's cost with the tolerance and the program's rounding.
public struct Judgement: Sendable {
    public let problem: Problem
    public let answer: Answer
    /// The tolerance given: a fixture's, or a run's.
    public let tolerance: Tolerance
    /// The program's own rounding allowed on every entry and the cost, or nil (double precision).
    public let rounding: EntryBounds?
    /// What the answer was held against; an oracle's allowances include `rounding`.
    public let expectation: Expectation
    public let cost: CostCheck
    /// Every entry compared; nil when the answer's shape does not fit the problem.
    public let verdict: Verdict?
    /// Why the answer's shape does not fit the problem, or nil when it does.
    public let malformed: ShapeMismatch?

    /// Judges `answer` to `problem` against `expectation` with `tolerance`.
    public init(_ answer: Answer, for problem: Problem, against expectation: Expectation, tolerance: Tolerance, cost: CostCheck = .compared) {
        self.init(answer, problem, expectation, tolerance, cost, rounding: tolerance.programRounding(for: problem))
    }

    private init(_ answer: Answer, _ problem: Problem, _ expectation: Expectation, _ tolerance: Tolerance, _ cost: CostCheck, rounding: EntryBounds?) {
        self.problem = problem
        self.answer = answer
        self.tolerance = tolerance
        self.rounding = rounding
        self.cost = cost
        if let mismatch = answer.shapeMismatch(for: problem) {
            self.expectation = expectation
            verdict = nil
            malformed = mismatch
            return
        }
        malformed = nil
        var verdict: Verdict
        let expectedCost: Double
        switch expectation {
        case .oracle(let oracle):
            let allowed = oracle.allowing(rounding)
            self.expectation = .oracle(allowed)
            verdict = Verdict(answer: answer, oracle: allowed, tolerance: tolerance.againstOracle)
            let losses = Reference.forward(problem).losses
            expectedCost = losses.reduce(0, +) * (1 / Double(losses.count))
        case .reference(let reference):
            self.expectation = expectation
            verdict = Verdict(answer: answer, expected: reference.answer, tolerance: tolerance, rounding: rounding)
            expectedCost = reference.cost
        }
        if cost == .compared {
            verdict.compareCost(got: answer.cost, expected: expectedCost, tolerance: tolerance, rounding: rounding?.cost ?? 0)
        }
        self.verdict = verdict
    }

    /// The same answer judged against another expectation with the same tolerance, cost check and
    /// program rounding (computed once).
    public func against(_ other: Expectation) -> Judgement {
        Judgement(answer, problem, other, tolerance, cost, rounding: rounding)
    }

    /// Whether the answer passes: the right shape, every entry within tolerance, and the cost too
    /// when it counts.
    public var passed: Bool { verdict?.passed ?? false }

    public var outcome: Outcome { passed ? .pass : .fail }

    /// The tolerance the entries were judged with: `againstOracle` against the oracle.
    public var applied: Tolerance {
        if case .oracle = expectation { return tolerance.againstOracle }
        return tolerance
    }

    /// The reference's values for the problem (computed now when the answer was held against the oracle).
    public var reference: Gradients {
        if case .reference(let values) = expectation { return values }
        return Reference.backprop(problem)
    }

    /// The likely mistakes behind a failing answer, best first (`Diagnosis.diagnose`, against the
    /// reference's values with the tolerance and rounding the verdict allowed); none for an answer
    /// that passes or has the wrong shape. The cost is laid against the reference only when it counts.
    public func findings() -> [Finding] {
        guard let verdict, !verdict.passed else { return [] }
        var answer = answer
        if cost == .ignored { answer.cost = nil }
        return Diagnosis.diagnose(problem: problem, expected: reference.answer, answer: answer, tolerance: tolerance, rounding: rounding)
    }

    /// What the verdict compared for one of its matrices, for a picture of it: the expected values,
    /// the oracle's error estimates (nil against the reference) and the allowance added to each
    /// entry's bound (the analytic side's and the program's rounding).
    public func compared(_ matrix: MatrixVerdict) -> (expected: Matrix, error: Matrix?, allowance: Matrix?) {
        switch expectation {
        case .oracle(let oracle):
            let estimates: Estimates
            switch matrix.quantity {
            case .dW: estimates = oracle.dW[matrix.layer - 1]
            case .db: estimates = oracle.db[matrix.layer - 1]
            case .delta, .cost: estimates = oracle.delta[matrix.layer - 1]
            }
            return (estimates.value, estimates.error, estimates.analyticRounding)
        case .reference(let values):
            let expected: Matrix
            switch matrix.quantity {
            case .dW: expected = values.dW[matrix.layer - 1]
            case .db: expected = Matrix(row: values.db[matrix.layer - 1])
            case .delta, .cost: expected = values.delta[matrix.layer - 1]
            }
            return (expected, nil, rounding?.matrix(matrix.quantity, layer: matrix.layer))
        }
    }
}
